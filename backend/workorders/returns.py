"""Returns (退单) and extensions (延期): requested by the department, decided above it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.notify import service as notify
from backend.org import repository as org_repo
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.sla.profiles import Duration, Unit
from backend.timefmt import parse_client_time
from backend.workorders import lifecycle_rules as rules
from backend.workorders import repository as repo
from backend.workorders.models import Coordination, Extension, ReturnRequest, Status, WorkOrder
from backend.workorders.rule_errors import enforce
from backend.workorders.state_machine import Step
from backend.workorders.step_schemas import (
    ExtensionDecisionIn,
    ExtensionIn,
    ReturnDecisionIn,
    ReturnIn,
)
from backend.workorders.steps import begin, own_photos, record, tell_department


def _facts(session: Session, order_id: int) -> list[rules.ReturnFact]:
    return [rules.ReturnFact(r.department_id, r.status) for r in repo.returns_of(session, order_id)]


def request_return(
    session: Session, user: User, order_id: int, body: ReturnIn, settings: Settings, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.request_return)
    assert user.department_id is not None and order.dispatched_at is not None
    if org_repo.department_by_id(session, body.suggested_department_id) is None:
        raise InvalidInput(
            "建议的部门不存在", code="unknown_department", field="suggested_department_id"
        )
    if body.suggested_department_id == user.department_id:
        raise InvalidInput(
            "建议部门不能是本部门", code="suggest_other_department", field="suggested_department_id"
        )
    own_photos(session, order_id, body.photo_ids, "photo_ids")
    if body.signoff_photo_id is not None:
        own_photos(session, order_id, [body.signoff_photo_id], "signoff_photo_id")
    profile = sla.profile_for(settings)
    assessment = enforce(
        rules.check_return_request,
        dispatched_at=order.dispatched_at,
        now=now,
        rule=profile_rules.rules_for(profile, order.source).return_window,
        calendar=sla.calendar_for(session),
        tz=settings.tz,
        prior_returns=_facts(session, order_id),
        department_id=user.department_id,
        marked_repeat=order.marked_repeat,
        has_leader_signoff_photo=body.signoff_photo_id is not None,
        late_reason=body.reason,
    )
    row = ReturnRequest(
        work_order_id=order_id,
        department_id=user.department_id,
        requested_by=user.id,  # type: ignore[arg-type]
        reason=body.reason,
        suggested_department_id=body.suggested_department_id,
        prior_status=order.status,
        needs_leader=assessment.needs_leader,
        created_at=now,
    )
    session.add(row)
    session.flush()
    if assessment.coordination_needed and repo.coordination_of(session, order_id) is None:
        departments = sorted({r.department_id for r in repo.returns_of(session, order_id)})
        session.add(
            Coordination(work_order_id=order_id, department_ids=departments, created_at=now)
        )
    order.status = Status.returned.value
    record(
        session,
        order,
        "return_requested",
        user,
        now,
        return_id=row.id,
        reason=body.reason,
        suggested_department_id=body.suggested_department_id,
        needs_leader=assessment.needs_leader,
        coordination=assessment.coordination_needed,
        photo_ids=body.photo_ids,
        signoff_photo_id=body.signoff_photo_id,
    )
    recipients = notify.command_center(session)
    if assessment.needs_leader:
        recipients += notify.leaders(session)
    notify.notify(
        session,
        recipients,
        kind="return_requested",
        title=f"退单待审：{order.number}",
        body=body.reason[:100],
        work_order_id=order_id,
        dedupe_key=f"return:{row.id}",
        now=now,
    )
    return order


def decide_return(
    session: Session,
    user: User,
    order_id: int,
    return_id: int,
    body: ReturnDecisionIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.decide_return)
    row = repo.return_by_id(session, order_id, return_id)
    if row is None:
        raise NotFound("找不到该退单申请", code="return_not_found")
    if row.status != "pending":
        raise InvalidInput("该退单申请已处理", code="return_decided", field="return_id")
    profile = sla.profile_for(settings)
    prior = [f for f in _facts(session, order_id) if f.decision != "pending"]
    try:
        rules.check_return_decision(
            approve=body.approve,
            needs_leader=row.needs_leader,
            by_leader=user.role == "leader",
            prior_returns=prior,
            rule=profile_rules.rules_for(profile, order.source).return_window,
        )
    except rules.RuleViolation as exc:
        if exc.code == "leader_required":
            raise Forbidden(exc.message, code=exc.code) from exc
        raise InvalidInput(exc.message, code=exc.code, field=exc.field) from exc
    row.status = "approved" if body.approve else "refused"
    row.decided_by, row.decided_at, row.decision_note = user.id, now, body.note
    session.add(row)
    coordination = repo.coordination_of(session, order_id)
    if coordination is not None and (body.coordination_participants or body.coordination_outcome):
        coordination.participants = body.coordination_participants
        coordination.outcome = body.coordination_outcome
        session.add(coordination)
    if not body.approve:
        order.status = row.prior_status
        record(session, order, "return_refused", user, now, return_id=row.id, note=body.note)
        tell_department(
            session,
            order,
            "return_refused",
            f"退单未通过：{order.number}",
            body.note,
            now,
            row.department_id,
        )
        return order
    target = body.department_id or row.suggested_department_id
    if target is None or org_repo.department_by_id(session, target) is None:
        raise InvalidInput("请指定改派部门", code="department_required", field="department_id")
    from backend.dispatch.service import redispatch

    order.redispatch_count += 1
    record(
        session,
        order,
        "return_approved",
        user,
        now,
        return_id=row.id,
        note=body.note,
        department_id=target,
    )
    redispatch(
        session, order, lead_id=target, actor=user, settings=settings, now=now, reason="退单改派"
    )
    return order


def request_extension(
    session: Session,
    user: User,
    order_id: int,
    body: ExtensionIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.request_extension)
    photos = own_photos(session, order_id, body.photo_ids, "photo_ids")
    resolve = sla.clock_of(session, order_id, "resolve")
    if resolve is None:
        raise InvalidInput("该工单没有办结时限，无需延期", code="no_resolve_clock", field="version")
    if any(e.status == "pending" for e in repo.extensions_of(session, order_id)):
        raise InvalidInput("已有延期申请待审批", code="extension_pending", field="version")
    approved = [e for e in repo.extensions_of(session, order_id) if e.status == "approved"]
    assessment = enforce(
        rules.check_extension_request,
        profile=sla.profile_for(settings),
        source=order.source,
        level=order.level,
        start=resolve.started_at,
        current_due=resolve.due_at,
        now=now,
        calendar=sla.calendar_for(session),
        tz=settings.tz,
        requested=parse_client_time(body.requested_due_at) if body.requested_due_at else None,
        special=Duration(body.special_days, Unit.NATURAL_DAYS) if body.special_days else None,
        approved_extensions=len(approved),
        reason=body.reason,
        plan=body.plan,
        has_scene=True,
        has_watermark_photo=bool(photos),
    )
    row = Extension(
        work_order_id=order_id,
        requested_by=user.id,  # type: ignore[arg-type]
        reason=body.reason,
        plan=body.plan,
        milestones=[{"date": m.date.isoformat(), "text": m.text} for m in body.milestones],
        old_due_at=resolve.due_at,
        proposed_due_at=assessment.new_due.due_at,
        needs_leader=assessment.approver == rules.Approver.leader,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        order,
        "extension_requested",
        user,
        now,
        extension_id=row.id,
        proposed_due_at=row.proposed_due_at.isoformat(),
        needs_leader=row.needs_leader,
        special=assessment.special,
        photo_ids=body.photo_ids,
    )
    recipients = notify.leaders(session) if row.needs_leader else notify.command_center(session)
    notify.notify(
        session,
        recipients,
        kind="extension_requested",
        title=f"延期待审批：{order.number}",
        body=body.reason[:100],
        work_order_id=order_id,
        dedupe_key=f"extension:{row.id}",
        now=now,
    )
    return order


def decide_extension(
    session: Session,
    user: User,
    order_id: int,
    extension_id: int,
    body: ExtensionDecisionIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.decide_extension)
    row = repo.extension_by_id(session, order_id, extension_id)
    if row is None:
        raise NotFound("找不到该延期申请", code="extension_not_found")
    if row.status != "pending":
        raise InvalidInput("该延期申请已处理", code="extension_decided", field="extension_id")
    if row.needs_leader and user.role != "leader":
        raise Forbidden("该延期须由分管领导审批", code="leader_required")
    row.status = "approved" if body.approve else "refused"
    row.decided_by, row.decided_at, row.decision_note = user.id, now, body.note
    session.add(row)
    if body.approve:
        sla.move_due(session, order, "resolve", row.proposed_due_at, settings)
    record(
        session,
        order,
        "extension_approved" if body.approve else "extension_refused",
        user,
        now,
        extension_id=row.id,
        due_at=row.proposed_due_at.isoformat() if body.approve else None,
        note=body.note,
    )
    assert order.lead_department_id is not None
    verdict = "延期已批准" if body.approve else "延期未批准"
    tell_department(
        session, order, "extension_decided", f"{verdict}：{order.number}", body.note, now
    )
    return order
