"""The closure report (结案) with its seven elements, and assisting departments' reports."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.db import row_id
from backend.errors import InvalidInput
from backend.evidence import imaging
from backend.evidence import service as evidence
from backend.evidence.models import Photo
from backend.seams.storage import Storage
from backend.sla import service as sla
from backend.timefmt import parse_client_time
from backend.workorders import closure_rules
from backend.workorders.closure import rules as closure_checks
from backend.workorders.closure.schemas import AssistReportIn, ClosureIn
from backend.workorders.closure_rules import Attachment, AttachmentKind, ClosureReport
from backend.workorders.facts import OrderFacts
from backend.workorders.machine import Step
from backend.workorders.notices import tell_reporters, tell_verifiers
from backend.workorders.pipeline import Apply, Gathered, api_error, decide, enforce, gather
from backend.workorders.violations import RuleViolation


def _own(facts: OrderFacts, photo_ids: list[int], recording_ids: list[int]) -> None:
    if any(facts.photo(i) is None for i in photo_ids):
        raise InvalidInput("照片不属于该工单", code="unknown_photo", field="photo_ids")
    if any(facts.recording(i) is None for i in recording_ids):
        raise InvalidInput("录音不属于该工单", code="unknown_recording", field="recording_ids")


def _latest(photos: list[Photo], phase: str) -> Photo | None:
    matching = [p for p in photos if p.phase == phase and p.report_id is None]
    return matching[-1] if matching else None


def _comparison_jpeg(gathered: Gathered, storage: Storage, settings: Settings) -> bytes | None:
    """The before/after comparison image, rendered from the stored display copies (CPU work,
    done before the write lock)."""
    before = _latest(gathered.bundle.photos, "before")
    after = _latest(gathered.bundle.photos, "after")
    if before is None or after is None:
        return None
    return imaging.before_after(
        storage.read(before.display_key),
        storage.read(after.display_key),
        before.taken_at or before.created_at,
        after.taken_at or after.created_at,
        evidence.font_path(settings),
        local_tz=settings.tz,
    )


def _earlier_closure(gathered: Gathered) -> closure_checks.EarlierClosure | None:
    last = next(
        (e for e in reversed(gathered.bundle.events) if e.kind == "closure_submitted"), None
    )
    if last is None:
        return None
    signoff = last.payload.get("leader_signoff_photo_id")
    return closure_checks.EarlierClosure(
        last.payload.get("fact_finding"), signoff if isinstance(signoff, int) else None
    )


def submit_closure(
    session: Session,
    storage: Storage,
    user: User,
    order_id: int,
    body: ClosureIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(gathered, Step.submit_closure, now, version=body.version)
    signoff_ids = [
        i for i in (body.leader_signoff_photo_id, body.responsible_signoff_photo_id) if i
    ]
    _own(facts, [*body.photo_ids, *signoff_ids], body.recording_ids)
    phases = facts.phases - {"report"}
    attachments = tuple(
        [
            Attachment(f"照片{i}", p.size_bytes, AttachmentKind.photo)
            for i in body.photo_ids
            if (p := facts.photo(i))
        ]
        + [
            Attachment(f"录音{i}", r.size_bytes, AttachmentKind.recording)
            for i in body.recording_ids
            if (r := facts.recording(i))
        ]
    )
    first_contact_at = (
        parse_client_time(body.first_contact_at)
        if body.first_contact_at
        else facts.first_contact_at
    )
    report = ClosureReport(
        first_contact_at=first_contact_at,
        fact_finding=body.fact_finding,
        process=body.process,
        basis=body.basis,
        responsible_person=body.responsible_person,
        phone=body.phone,
        attachments=attachments,
        claim_finding=body.claim_finding,
        result=body.result,
        # 答复要点 are read back to the caller: linted like the report's own text.
        reply=body.reply_points or "",
        leader_signoff=body.leader_signoff_photo_id is not None,
        has_scene=body.has_scene,
        before_photo="before" in phases,
        after_photo="after" in phases,
        scene_photo=bool(phases & {"scene", "before", "after"}),
        reworked=facts.warning_order or bool(facts.supervisions),
        had_special_extension=any(
            e.status == "approved" and e.needs_leader for e in facts.extensions
        ),
    )
    limits = gathered.rules.closure
    enforce(
        closure_checks.check_attached_recordings,
        limits.required_recordings,
        {r.kind for i in body.recording_ids if (r := facts.recording(i))},
        has_caller=facts.has_caller,
        first_contact_without_call=any(
            a.reached and a.method != "call" for a in facts.contact_attempts
        ),
    )
    if limits.signoff_on_resubmission:
        enforce(
            closure_checks.check_resubmission,
            fact_finding=body.fact_finding,
            leader_signoff_photo_id=body.leader_signoff_photo_id,
            responsible_signoff_photo_id=body.responsible_signoff_photo_id,
            earlier=_earlier_closure(gathered),
            sent_back=facts.warning_order or facts.failed_checks > 0,
        )
    if limits.leader_signoff_always and not signoff_ids:
        raise InvalidInput(
            "结果回复须经本单位分管领导签字并加盖单位公章，请上传签字盖章照片",
            code="leader_signoff_required",
            field="leader_signoff_photo_id",
        )
    if limits.reply_points_required and facts.has_caller and not (body.reply_points or "").strip():
        raise InvalidInput(
            "须填写答复要点（注明先行联系和答复时间）", code="reply_points_required",
            field="reply_points",
        )  # fmt: skip
    exempt = {"first_contact_at"} if not facts.has_caller and first_contact_at is None else set()
    try:
        closure_rules.check_closure(
            report,
            max_attachments=limits.max_attachments,
            max_attachment_bytes=limits.max_attachment_bytes,
            exempt=exempt,
        )
    except RuleViolation as exc:
        # The report's 答复要点 (``reply``) is the body's reply_points.
        if exc.field == "reply":
            exc.field = "reply_points"
        raise api_error(exc) from exc
    comparison = _comparison_jpeg(gathered, storage, settings) if body.has_scene else None
    apply = Apply.begin(
        session,
        gathered,
        body.version,
        change,
        now,
        closure_fact_finding=body.fact_finding,
        closure_claim_finding=body.claim_finding,
        closure_result=body.result,
    )
    stored = (
        evidence.store_derived_photo(
            session,
            storage,
            jpeg=comparison,
            order_id=order_id,
            phase="comparison",
            uploaded_by=row_id(user),
            now=now,
        )
        if comparison
        else None
    )
    sla.meet_all(session, order_id, frozenset({"resolve", "handle", "redo", "work_plan"}), now)
    apply.event(
        "closure_submitted",
        first_contact_at=first_contact_at.isoformat() if first_contact_at else None,
        fact_finding=body.fact_finding,
        process=body.process,
        basis=body.basis,
        responsible_person=body.responsible_person,
        phone=body.phone,
        claim_finding=body.claim_finding,
        result=body.result,
        photo_ids=body.photo_ids,
        recording_ids=body.recording_ids,
        leader_signoff_photo_id=body.leader_signoff_photo_id,
        responsible_signoff_photo_id=body.responsible_signoff_photo_id,
        reply_points=body.reply_points,
        comparison_photo_id=stored.id if stored else None,
        warnings=[
            phrase.text
            for _, phrase in closure_rules.discouraged_phrases(
                report, closure_rules.load_closure_rules()
            )
        ],
    )
    tell_verifiers(session, facts, f"待核查：{facts.number}", body.process, now)
    tell_reporters(
        session,
        facts,
        "report_handled",
        f"您上报的问题已处置：{facts.number}",
        "承办部门已处置完毕，核查回访后结案。",
        now,
    )


def assist_report(
    session: Session,
    user: User,
    order_id: int,
    body: AssistReportIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(gathered, Step.assist_report, now, version=body.version)
    _own(facts, body.photo_ids, [])
    if facts.closure_text:
        enforce(closure_rules.check_assist_report, body.text, facts.closure_text)
    enforce(
        closure_rules.lint_text, body.text, rules=closure_rules.load_closure_rules(), field="text"
    )
    apply = Apply.begin(session, gathered, body.version, change, now)
    apply.event(
        "assist_report",
        department_id=user.department_id,
        text=body.text,
        photo_ids=body.photo_ids,
    )
