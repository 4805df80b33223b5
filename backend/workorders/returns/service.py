"""Returns (退单): requested by the department, decided by the command center or a leader;
an approved one is re-dispatched to another department."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import Role, User
from backend.config import Settings
from backend.db import row_id
from backend.errors import InvalidInput, NotFound
from backend.org import repository as org_repo
from backend.sla import service as sla
from backend.workorders import assignment
from backend.workorders.assignment import Assignment
from backend.workorders.facts import OrderFacts
from backend.workorders.machine import Step
from backend.workorders.models import Coordination, ReturnRequest
from backend.workorders.notices import tell_command_center, tell_department
from backend.workorders.pipeline import Apply, decide, enforce, gather
from backend.workorders.returns import rules
from backend.workorders.returns.schemas import ReturnDecisionIn, ReturnIn
from backend.workorders.states import Status


def _prior(facts: OrderFacts, *, decided_only: bool = False) -> list[rules.ReturnFact]:
    return [
        rules.ReturnFact(r.department_id, r.status)
        for r in facts.returns
        if not decided_only or r.status != "pending"
    ]


def _own_photos(facts: OrderFacts, ids: list[int], field: str) -> None:
    if any(facts.photo(i) is None for i in ids):
        raise InvalidInput("照片不属于该工单", code="unknown_photo", field=field)


def request_return(
    session: Session, user: User, order_id: int, body: ReturnIn, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    change = decide(gathered, Step.request_return, now, version=body.version)
    if user.department_id is None or facts.dispatched_at is None:
        raise InvalidInput("只有处置部门可以退单", code="not_a_department", field="version")
    if org_repo.department_by_id(session, body.suggested_department_id) is None:
        raise InvalidInput(
            "建议的部门不存在", code="unknown_department", field="suggested_department_id"
        )
    if body.suggested_department_id == user.department_id:
        raise InvalidInput(
            "建议部门不能是本部门", code="suggest_other_department", field="suggested_department_id"
        )
    _own_photos(facts, body.photo_ids, "photo_ids")
    if body.signoff_photo_id is not None:
        _own_photos(facts, [body.signoff_photo_id], "signoff_photo_id")
    assessment = enforce(
        rules.check_return_request,
        dispatched_at=facts.dispatched_at,
        now=now,
        rule=gathered.rules.return_window,
        calendar=sla.calendar_for(session),
        tz=settings.tz,
        prior_returns=_prior(facts),
        department_id=user.department_id,
        marked_repeat=facts.marked_repeat,
        has_leader_signoff_photo=body.signoff_photo_id is not None,
        late_reason=body.reason,
    )
    apply = Apply.begin(session, gathered, body.version, change, now)
    row = ReturnRequest(
        work_order_id=order_id,
        department_id=user.department_id,
        requested_by=row_id(user),
        reason=body.reason,
        suggested_department_id=body.suggested_department_id,
        prior_status=facts.status.value,
        needs_leader=assessment.needs_leader,
        created_at=now,
    )
    session.add(row)
    if assessment.coordination_needed and not facts.coordination_open:
        departments = sorted({r.department_id for r in facts.returns} | {user.department_id})
        session.add(
            Coordination(work_order_id=order_id, department_ids=departments, created_at=now)
        )
    session.flush()
    apply.event(
        "return_requested",
        return_id=row.id,
        reason=body.reason,
        suggested_department_id=body.suggested_department_id,
        needs_leader=assessment.needs_leader,
        coordination=assessment.coordination_needed,
        photo_ids=body.photo_ids,
        signoff_photo_id=body.signoff_photo_id,
    )
    tell_command_center(
        session,
        facts,
        "return_requested",
        f"退单待审：{facts.number}",
        body.reason,
        now,
        dedupe_key=f"return:{row.id}",
        to="both" if assessment.needs_leader else "command_center",
        action=Step.decide_return,
    )


def decide_return(
    session: Session,
    user: User,
    order_id: int,
    return_id: int,
    body: ReturnDecisionIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings, with_coordination=True)
    facts = gathered.facts
    outcome = "approved" if body.approve else "refused"
    change = decide(gathered, Step.decide_return, now, outcome, version=body.version)
    row = next((r for r in gathered.bundle.returns if r.id == return_id), None)
    if row is None:
        raise NotFound("找不到该退单申请", code="return_not_found")
    if row.status != "pending":
        raise InvalidInput("该退单申请已处理", code="return_decided", field="return_id")
    enforce(
        rules.check_return_decision,
        approve=body.approve,
        needs_leader=row.needs_leader,
        by_leader=user.role == Role.leader,
        prior_returns=_prior(facts, decided_only=True),
        rule=gathered.rules.return_window,
    )
    target = body.department_id or row.suggested_department_id
    if body.approve and (target is None or org_repo.department_by_id(session, target) is None):
        raise InvalidInput("请指定改派部门", code="department_required", field="department_id")
    coordination = gathered.bundle.coordination

    def record_decision() -> None:
        # Rows change only once the write phase holds the order.
        row.status = outcome
        row.decided_by, row.decided_at, row.decision_note = user.id, now, body.note
        session.add(row)
        if coordination is not None and (
            body.coordination_participants or body.coordination_outcome
        ):
            coordination.participants = list(body.coordination_participants)
            coordination.outcome = body.coordination_outcome
            session.add(coordination)

    if not body.approve:
        apply = Apply.begin(session, gathered, body.version, change, now)
        record_decision()
        apply.event("return_refused", return_id=row.id, note=body.note)
        # Back where it was: an order returned before it was accepted waits for acceptance.
        waits_for_accept = row.prior_status == Status.dispatched
        tell_department(
            session,
            facts,
            "return_refused",
            f"退单未通过，请继续办理：{facts.number}",
            _decision_note(body.note),
            now,
            row.department_id,
            action=Step.accept if waits_for_accept else None,
        )
        return
    assignment.dispatch(
        session,
        gathered,
        body.version,
        change,
        Assignment(
            lead_id=target,
            assist_ids=tuple(i for i in facts.assist_department_ids if i != target),
            category_number=facts.category_number,
            level=facts.level,
            mode="manual",
            reason="退单改派",
        ),
        settings,
        now,
        extra_values={"redispatch_count": facts.redispatch_count + 1},
        first_event=(
            "return_approved",
            {"return_id": row.id, "note": body.note, "department_id": target},
        ),
    )
    record_decision()
    new_lead = org_repo.department_by_id(session, target) if target is not None else None
    tell_department(
        session,
        facts,
        "return_approved",
        f"退单已通过：{facts.number}",
        f"已改派至{new_lead.name if new_lead else '其他部门'}。{_decision_note(body.note)}",
        now,
        row.department_id,
    )


def _decision_note(note: str | None) -> str:
    return f"审核意见：{note.strip()}" if note and note.strip() else ""
