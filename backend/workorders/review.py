"""The command center's steps after handling: verification, callback, supervision, 存电,
不予受理 and archiving."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.auth.models import User
from backend.config import Settings
from backend.errors import InvalidInput, NotFound
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.workorders import closure_rules
from backend.workorders import lifecycle_rules as rules
from backend.workorders import repository as repo
from backend.workorders.models import Supervision, WorkOrder
from backend.workorders.rule_errors import enforce
from backend.workorders.state_machine import Step, next_status
from backend.workorders.step_schemas import (
    CallbackIn,
    RejectIn,
    StoreIn,
    SupervisionIn,
    SupervisionReplyIn,
    VerificationIn,
    Versioned,
)
from backend.workorders.steps import begin, own_recordings, record, tell_department


def _issue_supervision(
    session: Session,
    order: WorkOrder,
    *,
    kind: str,
    level: str,
    notice: str,
    user: User | None,
    settings: Settings,
    now: datetime,
) -> Supervision:
    assert order.id is not None
    within = profile_rules.rules_for(
        sla.profile_for(settings), order.source
    ).supervision.reply_within
    due = rules.supervision_reply_due(now, sla.calendar_for(session), settings.tz, within)
    row = Supervision(
        work_order_id=order.id,
        kind=kind,
        level=level,
        notice=notice,
        issued_by=user.id if user else None,
        issued_at=now,
        reply_due_at=due.due_at,
    )
    session.add(row)
    session.flush()
    record(
        session,
        order,
        "supervision_issued",
        user,
        now,
        supervision_id=row.id,
        kind=kind,
        level=level,
        notice=notice,
        reply_due_at=due.due_at.isoformat(),
    )
    tell_department(
        session,
        order,
        "supervision",
        f"督办（{rules.SUPERVISION_KINDS[kind]}）：{order.number}",
        notice,
        now,
    )
    return row


def verify(
    session: Session,
    user: User,
    order_id: int,
    body: VerificationIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.verify)
    if not body.passed and not (body.reasons or "").strip():
        raise InvalidInput("核查不通过须写明原因", code="reasons_required", field="reasons")
    limit = profile_rules.rules_for(
        sla.profile_for(settings), order.source
    ).verification.max_failed_checks
    outcome = rules.verification_outcome(order.failed_checks, body.passed, limit)
    order.failed_checks = outcome.failed_checks
    order.status = next_status(Step.verify, order.status, "pass" if body.passed else "fail")
    record(
        session,
        order,
        "verified" if body.passed else "verification_failed",
        user,
        now,
        reasons=body.reasons,
        failed_checks=outcome.failed_checks,
    )
    if not body.passed:
        tell_department(
            session,
            order,
            "verification_failed",
            f"核查未通过：{order.number}",
            body.reasons or "",
            now,
        )
    if outcome.start_supervision:
        _issue_supervision(
            session,
            order,
            kind="overdue",
            level="street",
            user=None,
            settings=settings,
            now=now,
            notice=f"核查已 {outcome.failed_checks} 次未通过，启动逾期督办",
        )
    return order


def callback(
    session: Session, user: User, order_id: int, body: CallbackIn, settings: Settings, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.callback)
    if body.recording_id is not None:
        own_recordings(session, order_id, [body.recording_id], "recording_id")
    outcome = enforce(rules.callback_outcome, body.satisfaction, body.resolution)
    order.satisfaction, order.resolution = body.satisfaction, body.resolution
    record(
        session,
        order,
        "callback",
        user,
        now,
        satisfaction=body.satisfaction,
        resolution=body.resolution,
        recording_id=body.recording_id,
        note=body.note,
        warning_order=outcome.warning_order,
    )
    if outcome.warning_order:
        order.status = next_status(Step.callback, order.status, "unsatisfied")
        order.warning_order = True
        profile = sla.profile_for(settings)
        # The profile's redo term (seed 002: 3 working days); without one, the level's own
        # handling term runs again from now.
        redo = profile_rules.rules_for(profile, order.source).redo_after_unsatisfied
        if redo is None:
            redo = profile_rules.clock_rule(profile, order.source, order.level, "resolve").duration
        sla.start_clock(session, order, "redo", redo, settings, now)
        record(session, order, "warning_order", None, now, reason=outcome.reason)
        tell_department(
            session,
            order,
            "warning_order",
            f"预警工单，请再次处置：{order.number}",
            outcome.reason or "",
            now,
        )
    else:
        order.status = next_status(Step.callback, order.status, "satisfied")
        order.closed_at = now
        record(session, order, "closed", user, now)
    return order


def supervise(
    session: Session,
    user: User,
    order_id: int,
    body: SupervisionIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.supervise)
    enforce(rules.check_supervision, body.kind, body.level)
    _issue_supervision(
        session,
        order,
        kind=body.kind,
        level=body.level,
        notice=body.notice,
        user=user,
        settings=settings,
        now=now,
    )
    return order


def reply_supervision(
    session: Session,
    user: User,
    order_id: int,
    supervision_id: int,
    body: SupervisionReplyIn,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.reply_supervision)
    row = repo.supervision_by_id(session, order_id, supervision_id)
    if row is None:
        raise NotFound("找不到该督办单", code="supervision_not_found")
    if row.replied_at is not None:
        raise InvalidInput("该督办单已回复", code="supervision_replied", field="supervision_id")
    enforce(
        closure_rules.lint_text, body.reply, rules=closure_rules.load_closure_rules(), field="reply"
    )
    row.reply, row.replied_by, row.replied_at = body.reply, user.id, now
    session.add(row)
    record(
        session,
        order,
        "supervision_replied",
        user,
        now,
        supervision_id=row.id,
        late=now > row.reply_due_at,
    )
    return order


def store(
    session: Session, user: User, order_id: int, body: StoreIn, settings: Settings, now: datetime
) -> WorkOrder:
    """存电 (seed 003): kept and counted, but out of satisfaction scoring; double sign-off."""
    order = begin(session, user, order_id, body.version, Step.store)
    rule = profile_rules.rules_for(sla.profile_for(settings), order.source).store
    if not rule.allowed:
        raise InvalidInput("本街道未实行存电机制", code="store_not_allowed", field="version")
    if repo.photo_of_order(session, order_id, body.department_signoff_photo_id) is None:
        raise InvalidInput(
            "请上传处置部门负责人签字的存电备案单",
            code="department_signoff_required",
            field="department_signoff_photo_id",
        )
    approver = auth_repo.user_by_id(session, body.command_center_approver_id)
    if approver is None or approver.role != "dispatcher":
        raise InvalidInput(
            "须由城运中心热线负责人审签",
            code="hotline_signoff_required",
            field="command_center_approver_id",
        )
    enforce(
        rules.check_store_request,
        rules.StoreRequest(
            category=body.category,
            calls_same_matter=body.calls_same_matter,
            main_claim=body.main_claim,
            handling=body.handling,
            conclusion=body.conclusion,
            reply_points=body.reply_points,
            evidence_count=1,
            department_head_signoff=True,
            hotline_head_signoff=True,
        ),
        rule=rule,
    )
    order.status = next_status(Step.store, order.status)
    record(
        session,
        order,
        "stored",
        user,
        now,
        category=body.category,
        reason=body.reason,
        calls_same_matter=body.calls_same_matter,
        department_signoff_photo_id=body.department_signoff_photo_id,
        command_center_approver_id=approver.id,
    )
    return order


def reject(session: Session, user: User, order_id: int, body: RejectIn, now: datetime) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.reject)
    reason = enforce(closure_rules.check_reject_reason, body.reason_code)
    order.status = next_status(Step.reject, order.status)
    sla.meet(session, order_id, "dispatch", now)
    record(
        session,
        order,
        "rejected",
        user,
        now,
        reason_code=body.reason_code,
        reason=reason.label,
        note=body.note,
    )
    return order


def archive(
    session: Session, user: User, order_id: int, body: Versioned, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.archive)
    order.status = next_status(Step.archive, order.status)
    record(session, order, "archived", user, now)
    return order
