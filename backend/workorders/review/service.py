"""The command center's steps after handling: verification (核查), callback (回访) and
supervision (督办) with its reply."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.errors import InvalidInput, NotFound
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.sla.deadlines import add_duration
from backend.sla.profiles import Duration
from backend.workorders import closure_rules
from backend.workorders.facts import OrderFacts
from backend.workorders.machine import Step
from backend.workorders.models import Supervision
from backend.workorders.notices import tell_department, tell_reporters
from backend.workorders.pipeline import Apply, Gathered, decide, enforce, gather
from backend.workorders.review import rules
from backend.workorders.review.schemas import (
    CallbackIn,
    SupervisionIn,
    SupervisionReplyIn,
    VerificationIn,
)

SUPERVISION_CLOCK = "supervision_reply"


def issue_supervision(
    session: Session,
    apply: Apply,
    facts: OrderFacts,
    gathered_rules: profile_rules.Rules,
    *,
    kind: str,
    level: str,
    notice: str,
    issued_by: int | None,
    settings: Settings,
    now: datetime,
    reply_within: Duration | None = None,
) -> Supervision:
    """A supervision notice on an order whose write phase is open (a step's, or the worker's);
    ``reply_within`` overrides the profile's reply time (a warning's feedback is sooner)."""
    reply_within = reply_within or gathered_rules.supervision.reply_within
    due = rules.supervision_reply_due(now, sla.calendar_for(session), settings.tz, reply_within)
    row = Supervision(
        work_order_id=facts.id,
        kind=kind,
        level=level,
        notice=notice,
        issued_by=issued_by,
        issued_at=now,
        reply_due_at=due.due_at,
    )
    session.add(row)
    session.flush()
    # The reply date is a clock like any other: a reminder before it, a breach after it. One
    # per order, running to the latest open notice's date.
    sla.start_clock(
        session,
        facts.id,
        facts.source,
        facts.level,
        SUPERVISION_CLOCK,
        reply_within,
        settings,
        now,
    )
    apply.event(
        "supervision_issued",
        by=issued_by,
        supervision_id=row.id,
        kind=kind,
        level=level,
        notice=notice,
        reply_due_at=due.due_at.isoformat(),
    )
    tell_department(
        session,
        facts,
        "supervision",
        f"督办（{rules.SUPERVISION_KINDS[kind]}）：{facts.number}",
        notice,
        now,
        version=row.id,
        action=Step.reply_supervision,
    )
    return row


def verify(
    session: Session,
    user: User,
    order_id: int,
    body: VerificationIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(
        gathered, Step.verify, now, "pass" if body.passed else "fail", version=body.version
    )
    if not body.passed and not (body.reasons or "").strip():
        raise InvalidInput("核查不通过须写明原因", code="reasons_required", field="reasons")
    outcome = rules.verification_outcome(
        facts.failed_checks, body.passed, gathered.rules.verification.max_failed_checks
    )
    apply = Apply.begin(
        session, gathered, body.version, change, now, failed_checks=outcome.failed_checks
    )
    apply.event(
        "verified" if body.passed else "verification_failed",
        reasons=body.reasons,
        failed_checks=outcome.failed_checks,
    )
    if not body.passed:
        tell_department(
            session,
            facts,
            "verification_failed",
            f"核查未通过，请重新处置：{facts.number}",
            body.reasons,
            now,
            action=Step.submit_closure,
        )
    if outcome.start_supervision:
        issue_supervision(
            session,
            apply,
            facts,
            gathered.rules,
            kind="overdue",
            level="street",
            notice=f"核查已 {outcome.failed_checks} 次未通过，启动逾期督办",
            issued_by=None,
            settings=settings,
            now=now,
        )


def callback(
    session: Session, user: User, order_id: int, body: CallbackIn, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    outcome = enforce(rules.callback_outcome, body.satisfaction, body.resolution)
    # Who may call back, and when, is answered before what the callback carries.
    change = decide(
        gathered,
        Step.callback,
        now,
        "unsatisfied" if outcome.warning_order else "satisfied",
        version=body.version,
    )
    if body.recording_id is not None and facts.recording(body.recording_id) is None:
        raise InvalidInput("录音不属于该工单", code="unknown_recording", field="recording_id")
    if body.photo_id is not None and facts.photo(body.photo_id) is None:
        raise InvalidInput("照片不属于该工单", code="unknown_photo", field="photo_id")
    needs_record = gathered.rules.verification.callback_record_required
    if needs_record and body.recording_id is None and body.photo_id is None:
        raise InvalidInput(
            "回访核查结果须如实影像记录或录音，请上传照片或录音",
            code="callback_record_required",
            field="recording_id",
        )
    values: dict[str, object] = {
        "satisfaction": body.satisfaction,
        "resolution": body.resolution,
    }
    if outcome.warning_order:
        values["warning_order"] = True
    else:
        values["closed_at"] = now
    apply = Apply.begin(session, gathered, body.version, change, now, **values)
    apply.event(
        "callback",
        satisfaction=body.satisfaction,
        resolution=body.resolution,
        recording_id=body.recording_id,
        photo_id=body.photo_id,
        note=body.note,
        warning_order=outcome.warning_order,
    )
    if not outcome.warning_order:
        apply.event("closed")
        verdict = rules.SATISFACTIONS.get(body.satisfaction, body.satisfaction)
        result = rules.RESOLUTIONS.get(body.resolution, body.resolution)
        tell_reporters(
            session,
            facts,
            "report_closed",
            f"您上报的问题已办结：{facts.number}",
            f"回访结果：{verdict}（{result}），工单已结案。感谢您的上报！",
            now,
        )
        return
    tell_reporters(
        session,
        facts,
        "report_reopened",
        f"您上报的问题回访后退回重办：{facts.number}",
        "回访结果不满意，已退回承办部门重新办理。",
        now,
    )
    _redo(session, gathered, settings, now)
    apply.event("warning_order", by=None, reason=outcome.reason)
    tell_department(
        session,
        facts,
        "warning_order",
        f"预警工单，请再次处置：{facts.number}",
        outcome.reason or "",
        now,
        action=Step.submit_closure,
    )


def _redo(session: Session, gathered: Gathered, settings: Settings, now: datetime) -> None:
    """The redo clock of a warning order: the profile's redo term (seed 002: 3 working days);
    without one, the level's own handling term runs again from now."""
    facts = gathered.facts
    redo = gathered.rules.redo_after_unsatisfied
    if redo is None:
        profile = sla.profile_for(settings)
        redo = profile_rules.clock_rule(profile, facts.source, facts.level, "resolve").duration
    clock = sla.start_clock(
        session, facts.id, facts.source, facts.level, "redo", redo, settings, now
    )
    # A platform with a hard limit (seed 003 随申拍: 5 natural days) gets its answer in time:
    # the redo is cut to that limit, even when that leaves less than the redo term.
    limit = gathered.rules.platform_limit
    if limit is not None:
        arrival = facts.received_at or facts.created_at
        cap = add_duration(arrival, limit, sla.calendar_for(session), settings.tz).due_at
        if facts.platform_due_at is not None:
            cap = min(cap, facts.platform_due_at)
        if clock.due_at > cap:
            sla.move_due(session, facts.id, "redo", cap, settings)


def supervise(
    session: Session,
    user: User,
    order_id: int,
    body: SupervisionIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.supervise, now, version=body.version)
    enforce(rules.check_supervision, body.kind, body.level)
    apply = Apply.begin(session, gathered, body.version, change, now)
    issue_supervision(
        session,
        apply,
        gathered.facts,
        gathered.rules,
        kind=body.kind,
        level=body.level,
        notice=body.notice,
        issued_by=user.id,
        settings=settings,
        now=now,
    )


def reply_supervision(
    session: Session,
    user: User,
    order_id: int,
    supervision_id: int,
    body: SupervisionReplyIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.reply_supervision, now, version=body.version)
    row = next((s for s in gathered.bundle.supervisions if s.id == supervision_id), None)
    if row is None:
        raise NotFound("找不到该督办单", code="supervision_not_found")
    if row.replied_at is not None:
        raise InvalidInput("该督办单已回复", code="supervision_replied", field="supervision_id")
    enforce(
        closure_rules.lint_text, body.reply, rules=closure_rules.load_closure_rules(), field="reply"
    )
    apply = Apply.begin(session, gathered, body.version, change, now)
    row.reply, row.replied_by, row.replied_at = body.reply, user.id, now
    session.add(row)
    if not any(s.replied_at is None for s in gathered.bundle.supervisions if s.id != row.id):
        sla.meet(session, order_id, SUPERVISION_CLOCK, now)
    apply.event("supervision_replied", supervision_id=row.id, late=now > row.reply_due_at)
