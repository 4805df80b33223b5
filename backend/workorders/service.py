"""Reading work orders: the order, its clocks, evidence and timeline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import User
from backend.auth.schemas import DepartmentRef
from backend.catalog import repository as catalog_repo
from backend.dispatch import repository as dispatch_repo
from backend.dispatch.schemas import CandidateOut
from backend.errors import NotFound
from backend.org import repository as org_repo
from backend.reports import repository as report_repo
from backend.reports.models import Report
from backend.reports.service import report_out
from backend.sla import repository as sla_repo
from backend.workorders import events
from backend.workorders import repository as repo
from backend.workorders.models import WorkOrder
from backend.workorders.schemas import ChainOut, ClockOut, EventOut, EvidenceOut, WorkOrderOut


def visible_order(session: Session, user: User, order_id: int) -> WorkOrder:
    order = repo.by_id(session, order_id)
    if order is None or not permissions.may_see_order(
        user,
        order.lead_department_id,
        repo.assist_ids(session, order_id),
        [r.reporter_id for r in _reports(session, order_id)],
    ):
        raise NotFound("找不到该工单", code="work_order_not_found")
    return order


def _reports(session: Session, order_id: int) -> list[Report]:
    return [
        r
        for r in (
            report_repo.by_id(session, i) for i in dispatch_repo.report_ids_of(session, order_id)
        )
        if r
    ]


def order_out(session: Session, order: WorkOrder, now: datetime) -> WorkOrderOut:
    assert order.id is not None
    assist_ids = repo.assist_ids(session, order.id)
    departments = org_repo.departments_by_ids(
        session, {*assist_ids, *([order.lead_department_id] if order.lead_department_id else [])}
    )

    def ref(department_id: int | None) -> DepartmentRef | None:
        d = departments.get(department_id) if department_id else None
        return DepartmentRef(id=d.id, name=d.name, kind=d.kind) if d and d.id else None

    category = (
        catalog_repo.category_by_number(session, order.category_number)
        if order.category_number
        else None
    )
    clocks = [
        ClockOut(
            name=c.name,
            due_at=c.due_at,
            remaining_s=None
            if (c.met_at or c.breached_at)
            else int((c.due_at - now).total_seconds()),
            provisional=c.provisional,
            remind_at=c.remind_at,
            met_at=c.met_at,
            breached_at=c.breached_at,
        )
        for c in sla_repo.clocks_of(session, order.id)
    ]
    evidence = []
    for report in _reports(session, order.id):
        out = report_out(session, report)
        evidence.append(EvidenceOut(report_id=out.id, photos=out.photos, voice=out.voice))
    return WorkOrderOut(
        id=order.id,
        number=order.number,
        version=order.version,
        status=order.status,
        source=order.source,
        level=order.level,
        profile=order.profile,
        description=order.description,
        address=order.address,
        lat=order.lat,
        lng=order.lng,
        category_number=order.category_number,
        category_name=category.name if category else None,
        grid_id=order.grid_id,
        out_of_jurisdiction=order.out_of_jurisdiction,
        lead_department=ref(order.lead_department_id),
        assist_departments=[r for r in (ref(i) for i in assist_ids) if r],
        suggestions=[CandidateOut(**s) for s in order.suggestions],
        confident=order.confident,
        routing_reason=order.routing_reason,
        dispatch_mode=order.dispatch_mode,
        dispatched_at=order.dispatched_at,
        duplicate_of_id=order.duplicate_of_id,
        repeat_count=order.repeat_count,
        created_at=order.created_at,
        clocks=clocks,
        events=[
            EventOut(
                seq=e.seq, kind=e.kind, actor_id=e.actor_id, at=e.at, payload=e.payload, hash=e.hash
            )
            for e in repo.events_of(session, order.id)
        ],
        evidence=evidence,
    )


def get_order(session: Session, user: User, order_id: int, now: datetime) -> WorkOrderOut:
    return order_out(session, visible_order(session, user, order_id), now)


def chain(session: Session, user: User, order_id: int) -> ChainOut:
    visible_order(session, user, order_id)
    valid, count = events.chain_is_valid(session, order_id)
    return ChainOut(valid=valid, events=count)
