"""Dispatching an order to its departments: the apply side of the dispatch step, shared by the
command center's dispatch, automatic dispatch at intake and the re-dispatch after a return.

Who leads is decided by the caller (routing by the responsibility list lives in
backend.dispatch); this module writes it, starts the departments' clocks and tells them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from backend.config import Settings
from backend.notify import service as notify
from backend.org import repository as org_repo
from backend.sla import service as sla
from backend.workorders import repository as repo
from backend.workorders.facts import OrderFacts
from backend.workorders.machine import Step, Transition
from backend.workorders.notices import tell_reporters
from backend.workorders.pipeline import Apply, Gathered


@dataclass(frozen=True)
class Assignment:
    lead_id: int | None
    assist_ids: tuple[int, ...]
    category_number: int | None
    level: str
    mode: str  # auto | manual
    reason: str


def dispatch_values(assignment: Assignment, actor_id: int | None, now: datetime) -> dict:
    """The order's columns a dispatch writes, with the version and status in one statement."""
    return {
        "category_number": assignment.category_number,
        "level": assignment.level,
        "lead_department_id": assignment.lead_id,
        "dispatch_mode": assignment.mode,
        "dispatched_at": now,
        "dispatched_by": actor_id,
        "routing_reason": assignment.reason,
    }


def dispatch(
    session: Session,
    gathered: Gathered,
    version: int,
    change: Transition,
    assignment: Assignment,
    settings: Settings,
    now: datetime,
    *,
    extra_values: dict | None = None,
    first_event: tuple[str, dict] | None = None,
) -> Apply:
    """Writes the dispatch under the order's version: lead, assists, clocks, event, notices."""
    user = gathered.user
    assists = tuple(i for i in dict.fromkeys(assignment.assist_ids) if i != assignment.lead_id)
    values = {**dispatch_values(assignment, user.id if user else None, now), **(extra_values or {})}
    apply = Apply.begin(session, gathered, version, change, now, **values)
    if first_event is not None:  # what led to this dispatch, recorded before it
        apply.event(first_event[0], **first_event[1])
    facts = gathered.facts
    repo.set_assists(session, facts.id, assists)
    sla.meet(session, facts.id, "dispatch", now)
    _start_clocks(session, facts, assignment.level, settings, now)
    apply.event(
        "dispatched",
        mode=assignment.mode,
        category_number=assignment.category_number,
        level=assignment.level,
        lead_department_id=assignment.lead_id,
        assist_department_ids=list(assists),
        reason=assignment.reason,
    )
    tell_departments(session, facts, assignment.lead_id, assists, now)
    lead = org_repo.department_by_id(session, assignment.lead_id) if assignment.lead_id else None
    lead_name = lead.name if lead is not None else "承办部门"
    tell_reporters(
        session,
        facts,
        "report_dispatched",
        f"您上报的问题已派单：{facts.number}",
        f"已派至{lead_name}处理。{facts.description}",
        now,
    )
    return apply


def _start_clocks(
    session: Session, facts: OrderFacts, level: str, settings: Settings, now: datetime
) -> None:
    """The departments' clocks. The street's resolve clock counts from when the order reached
    the street, queue time included, and a re-dispatch after a return does not restart it
    (seed 000: 自系统派发至街道网格中心之日起); the platform's due time, when it gave one, is
    fixed. Each new department gets its own accept and first-contact clocks; an order with
    nobody to contact (a grid find, an anonymous caller) gets no first-contact clock. The
    command center's own first contact (seed 003 一级) counts from arrival, once per order."""
    skip = {"dispatch"}
    for once in ("resolve", "first_contact_center"):
        if facts.clock(once) is not None:
            skip.add(once)
    if not facts.has_caller:
        skip |= {"first_contact", "first_contact_center"}
    arrival = facts.received_at or facts.created_at
    sla.start_order_clocks(
        session,
        facts.id,
        facts.source,
        level,
        settings,
        now,
        starts={"resolve": min(arrival, now), "first_contact_center": min(arrival, now)},
        skip=frozenset(skip),
    )
    if facts.platform_due_at is not None and "resolve" not in skip:
        sla.move_due(session, facts.id, "resolve", facts.platform_due_at, settings)
    # The department's own limit lies inside the order's (seed 002: 随身拍 2 working days
    # within its 3 natural days): it never falls due after the resolve clock.
    handle, resolve = (
        sla.clock_of(session, facts.id, "handle"),
        sla.clock_of(session, facts.id, "resolve"),
    )
    if handle is not None and resolve is not None and handle.due_at > resolve.due_at:
        sla.move_due(session, facts.id, "handle", resolve.due_at, settings)


def tell_departments(
    session: Session,
    facts: OrderFacts,
    lead_id: int | None,
    assist_ids: tuple[int, ...],
    now: datetime,
) -> None:
    for department_id in [lead_id, *assist_ids]:
        if department_id is None:
            continue
        lead = department_id == lead_id
        role = "主办" if lead else "协办"
        notify.notify(
            session,
            notify.department_handlers(session, department_id),
            kind="dispatched",
            title=f"新工单（{role}）：{facts.number}",
            body=facts.description[:100],
            work_order_id=facts.id,
            order_number=facts.number,
            dedupe_key=f"order:{facts.id}:dispatched:{facts.version + 1}:{department_id}",
            now=now,
            # The lead accepts (or returns) the order; an assisting department only hears of it.
            action=Step.accept.value if lead else None,
        )
