"""Extensions (延期): requested by the lead department with a plan and on-site photos,
approved by the command center (or a leader), moving the resolve deadline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import Role, User
from backend.config import Settings
from backend.db import row_id
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.sla import service as sla
from backend.sla.profiles import Duration, Unit
from backend.timefmt import parse_client_time
from backend.workorders.extensions import rules
from backend.workorders.extensions.schemas import ExtensionDecisionIn, ExtensionIn
from backend.workorders.machine import Step
from backend.workorders.models import Extension
from backend.workorders.notices import tell_command_center, tell_department
from backend.workorders.pipeline import Apply, decide, enforce, gather
from backend.workorders.wording import moment_zh


def request_extension(
    session: Session,
    user: User,
    order_id: int,
    body: ExtensionIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(gathered, Step.request_extension, now, version=body.version)
    if any(facts.photo(i) is None for i in body.photo_ids):
        raise InvalidInput("照片不属于该工单", code="unknown_photo", field="photo_ids")
    requested = parse_client_time(body.requested_due_at) if body.requested_due_at else None
    if requested is not None:
        enforce(rules.check_milestones, [m.date for m in body.milestones], requested, settings.tz)
    resolve = facts.clock("resolve")
    if resolve is None:  # decide() refuses orders without one; kept for the type checker
        raise InvalidInput("该工单没有办结时限，无需延期", code="no_resolve_clock", field="version")
    approved = sum(1 for e in facts.extensions if e.status == "approved")
    assessment = enforce(
        rules.check_extension_request,
        profile=sla.profile_for(settings),
        source=facts.source,
        level=facts.level,
        start=resolve.started_at,
        current_due=resolve.due_at,
        now=now,
        calendar=sla.calendar_for(session),
        tz=settings.tz,
        requested=requested,
        special=Duration(body.special_days, Unit.NATURAL_DAYS) if body.special_days else None,
        approved_extensions=approved,
        reason=body.reason,
        plan=body.plan,
        has_scene=True,
        has_watermark_photo=bool(body.photo_ids),
    )
    apply = Apply.begin(session, gathered, body.version, change, now)
    row = Extension(
        work_order_id=order_id,
        requested_by=row_id(user),
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
    # A difficult case's plan is due within 15 days (seed 000): the request carries it.
    sla.meet(session, order_id, "work_plan", now)
    apply.event(
        "extension_requested",
        extension_id=row.id,
        proposed_due_at=row.proposed_due_at.isoformat(),
        needs_leader=row.needs_leader,
        special=assessment.special,
        photo_ids=body.photo_ids,
    )
    tell_command_center(
        session,
        facts,
        "extension_requested",
        f"延期待审批：{facts.number}",
        body.reason,
        now,
        dedupe_key=f"extension:{row.id}",
        to="leaders" if row.needs_leader else "command_center",
        action=Step.decide_extension,
    )


def decide_extension(
    session: Session,
    user: User,
    order_id: int,
    extension_id: int,
    body: ExtensionDecisionIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(
        gathered,
        Step.decide_extension,
        now,
        "approved" if body.approve else "refused",
        version=body.version,
    )
    row = next((e for e in gathered.bundle.extensions if e.id == extension_id), None)
    if row is None:
        raise NotFound("找不到该延期申请", code="extension_not_found")
    if row.status != "pending":
        raise InvalidInput("该延期申请已处理", code="extension_decided", field="extension_id")
    if row.needs_leader and user.role != Role.leader:
        raise Forbidden("该延期须由分管领导审批", code="leader_required")
    apply = Apply.begin(session, gathered, body.version, change, now)
    row.status = "approved" if body.approve else "refused"
    row.decided_by, row.decided_at, row.decision_note = user.id, now, body.note
    session.add(row)
    if body.approve:
        sla.move_due(session, order_id, "resolve", row.proposed_due_at, settings)
    apply.event(
        "extension_approved" if body.approve else "extension_refused",
        extension_id=row.id,
        due_at=row.proposed_due_at.isoformat() if body.approve else None,
        note=body.note,
    )
    note = f"审核意见：{body.note.strip()}" if body.note and body.note.strip() else ""
    if body.approve:
        title = f"延期已批准：{facts.number}"
        text = f"办结时限延至 {moment_zh(row.proposed_due_at, settings.tz)}。{note}"
    else:
        title = f"延期未批准：{facts.number}"
        text = f"请在原时限 {moment_zh(row.old_due_at, settings.tz)} 前办结。{note}"
    tell_department(session, facts, "extension_decided", title, text, now)
