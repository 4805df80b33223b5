"""The closure report (结案) with its seven elements, and assisting departments' reports."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.evidence import imaging
from backend.evidence import service as evidence
from backend.evidence.models import Photo
from backend.notify import service as notify
from backend.seams.storage import Storage
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.timefmt import parse_client_time
from backend.workorders import closure_rules
from backend.workorders import repository as repo
from backend.workorders.closure_rules import Attachment, AttachmentKind, ClosureReport
from backend.workorders.models import Source, WorkOrder
from backend.workorders.rule_errors import enforce
from backend.workorders.state_machine import Step, next_status
from backend.workorders.step_schemas import AssistReportIn, ClosureIn
from backend.workorders.steps import begin, own_photos, own_recordings, record

# Orders found on patrol have no caller to contact first (seed 003: "匿名电话除外" in spirit).
NO_CALLER_SOURCES = frozenset({Source.patrol.value, Source.inspector.value})


def _latest(photos: list[Photo], phase: str) -> Photo | None:
    matching = [p for p in photos if p.phase == phase]
    return matching[-1] if matching else None


def _comparison(
    session: Session,
    storage: Storage,
    order: WorkOrder,
    photos: list[Photo],
    user: User,
    settings: Settings,
    now: datetime,
) -> Photo | None:
    before, after = _latest(photos, "before"), _latest(photos, "after")
    if before is None or after is None:
        return None
    assert order.id is not None and user.id is not None
    jpeg = imaging.before_after(
        storage.read(before.display_key),
        storage.read(after.display_key),
        before.taken_at or before.created_at,
        after.taken_at or after.created_at,
        evidence.font_path(settings),
        local_tz=settings.tz,
    )
    return evidence.store_derived_photo(
        session,
        storage,
        jpeg=jpeg,
        order_id=order.id,
        phase="comparison",
        uploaded_by=user.id,
        now=now,
    )


def submit_closure(
    session: Session,
    storage: Storage,
    user: User,
    order_id: int,
    body: ClosureIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.submit_closure)
    attached = own_photos(session, order_id, body.photo_ids, "photo_ids")
    recordings = own_recordings(session, order_id, body.recording_ids, "recording_ids")
    signoff = None
    if body.leader_signoff_photo_id is not None:
        signoff = own_photos(
            session, order_id, [body.leader_signoff_photo_id], "leader_signoff_photo_id"
        )[0]
    all_photos = repo.photos_of_order(session, order_id)
    phases = {p.phase for p in all_photos}
    attachments = tuple(
        [Attachment(f"照片{p.id}", p.size_bytes, AttachmentKind.photo) for p in attached if p]
        + [
            Attachment(f"录音{r.id}", r.size_bytes, AttachmentKind.recording)
            for r in recordings
            if r
        ]
    )
    first_contact_at = (
        parse_client_time(body.first_contact_at)
        if body.first_contact_at
        else order.first_contact_at
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
        leader_signoff=signoff is not None,
        has_scene=body.has_scene,
        before_photo="before" in phases,
        after_photo="after" in phases,
        scene_photo=bool(phases & {"scene", "before", "after"}),
        reworked=order.warning_order or bool(repo.supervisions_of(session, order_id)),
        had_special_extension=any(
            e.status == "approved" and e.needs_leader for e in repo.extensions_of(session, order_id)
        ),
    )
    limits = profile_rules.rules_for(sla.profile_for(settings), order.source).closure
    exempt = (
        {"first_contact_at"}
        if order.source in NO_CALLER_SOURCES and first_contact_at is None
        else set()
    )
    enforce(
        closure_rules.check_closure,
        report,
        max_attachments=limits.max_attachments,
        max_attachment_bytes=limits.max_attachment_bytes,
        exempt=exempt,
    )
    comparison = (
        _comparison(session, storage, order, all_photos, user, settings, now)
        if body.has_scene
        else None
    )
    order.status = next_status(Step.submit_closure, order.status)
    for clock in ("resolve", "redo"):
        sla.meet(session, order_id, clock, now)
    record(
        session,
        order,
        "closure_submitted",
        user,
        now,
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
        comparison_photo_id=comparison.id if comparison else None,
        warnings=[
            phrase.text
            for _, phrase in closure_rules.discouraged_phrases(
                report, closure_rules.load_closure_rules()
            )
        ],
    )
    notify.notify(
        session,
        notify.command_center(session),
        kind="closure_submitted",
        title=f"待核查：{order.number}",
        body=body.process[:100],
        work_order_id=order_id,
        dedupe_key=f"closure:{order_id}:{order.version}",
        now=now,
    )
    return order


def _lead_text(session: Session, order_id: int) -> str:
    submitted = [e for e in repo.events_of(session, order_id) if e.kind == "closure_submitted"]
    return str(submitted[-1].payload.get("process", "")) if submitted else ""


def assist_report(
    session: Session, user: User, order_id: int, body: AssistReportIn, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.assist_report)
    own_photos(session, order_id, body.photo_ids, "photo_ids")
    lead = _lead_text(session, order_id)
    if lead:
        enforce(closure_rules.check_assist_report, body.text, lead)
    enforce(
        closure_rules.lint_text, body.text, rules=closure_rules.load_closure_rules(), field="text"
    )
    record(
        session,
        order,
        "assist_report",
        user,
        now,
        department_id=user.department_id,
        text=body.text,
        photo_ids=body.photo_ids,
    )
    return order
