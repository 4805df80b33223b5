"""Queries for work orders: the batched load of everything an order's rules and detail need,
the version lock, the timeline, and the rows of each step family.

Every function here runs a fixed number of statements, whatever the size of the order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists, func, literal_column, or_, true, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.catalog.models import Category
from backend.evidence import repository as evidence_repo
from backend.evidence.models import Photo, Recording
from backend.org.models import Department, GridMember
from backend.reports.models import Report
from backend.sla.models import Clock
from backend.workorders.models import (
    ContactAttempt,
    Coordination,
    Extension,
    OrderCounter,
    ReturnRequest,
    Supervision,
    WorkOrder,
    WorkOrderAssist,
    WorkOrderEvent,
    WorkOrderSearch,
)
from backend.workorders.states import FINISHED


def next_number(session: Session, day: date) -> int:
    """Atomically takes the next sequence number of the day (an upsert ... RETURNING)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OrderCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": OrderCounter.last + 1})
        .returning(col(OrderCounter.last))
    )
    return int(session.execute(statement).scalar_one())


def by_id(session: Session, order_id: int) -> WorkOrder | None:
    return session.get(WorkOrder, order_id)


# -- the batched load ----------------------------------------------------------------------


@dataclass
class OrderBundle:
    """An order and everything around it, loaded in a fixed number of statements."""

    order: WorkOrder
    category_name: str | None
    in_viewer_grid: bool  # the viewer patrols the order's grid (inspectors verify there)
    viewer_reported_duplicate: bool = False  # the viewer's report was merged into this order
    clocks: list[Clock] = field(default_factory=list)
    departments: dict[int, Department] = field(default_factory=dict)
    assist_ids: list[int] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)
    events: list[WorkOrderEvent] = field(default_factory=list)
    returns: list[ReturnRequest] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    supervisions: list[Supervision] = field(default_factory=list)
    attempts: list[ContactAttempt] = field(default_factory=list)
    coordination: Coordination | None = None


def load_bundle(
    session: Session,
    order_id: int,
    *,
    viewer_id: int | None,
    with_events: bool = True,
    with_coordination: bool = False,
) -> OrderBundle | None:
    """The order with its clocks and first-contact attempts, departments, reports, evidence,
    timeline and the rows of its returns, extensions and supervisions: nine statements, or
    fewer (ten with the coordination record)."""
    in_grid = (
        exists()
        .where(
            col(GridMember.grid_id) == WorkOrder.grid_id,
            col(GridMember.user_id) == (viewer_id or 0),
        )
        .correlate(WorkOrder)
    )
    # A reporter whose order was merged into this one follows this one (seed 000: 重复举报).
    duplicate = aliased(WorkOrder)
    reported_duplicate = (
        exists()
        .where(
            col(duplicate.duplicate_of_id) == WorkOrder.id,
            col(Report.work_order_id) == duplicate.id,
            col(Report.reporter_id) == (viewer_id or 0),
        )
        .correlate(WorkOrder)
    )
    # The clocks and the contact attempts come with the order in its one statement: each row
    # carries one of them, chosen by a two-row discriminator, so the two lists do not multiply
    # (a clock per attempt) and the detail stays within its statement budget.
    part = (
        sa_select(literal_column("'clock'").label("part"))
        .union_all(sa_select(literal_column("'attempt'")))
        .subquery("part")
    )
    # sqlmodel's select() types at most four entities; SQLAlchemy's takes any number.
    rows = session.execute(
        sa_select(WorkOrder, col(Category.name), in_grid, reported_duplicate, Clock, ContactAttempt)
        .select_from(WorkOrder)
        .join(part, true())
        .outerjoin(Category, col(Category.number) == WorkOrder.category_number)
        .outerjoin(
            Clock,
            (col(Clock.work_order_id) == WorkOrder.id) & (part.c.part == literal_column("'clock'")),
        )
        .outerjoin(
            ContactAttempt,
            (col(ContactAttempt.work_order_id) == WorkOrder.id)
            & (part.c.part == literal_column("'attempt'")),
        )
        .where(col(WorkOrder.id) == order_id)
        .order_by(col(Clock.due_at), col(Clock.id), col(ContactAttempt.id))
    ).all()
    if not rows:
        return None
    order, category_name, viewer_grid, viewer_duplicate, _, _ = rows[0]
    bundle = OrderBundle(
        order=order,
        category_name=category_name,
        in_viewer_grid=bool(viewer_grid),
        viewer_reported_duplicate=bool(viewer_duplicate),
        clocks=[clock for *_, clock, _ in rows if clock is not None],
        attempts=[attempt for *_, attempt in rows if attempt is not None],
    )
    lead = order.lead_department_id
    department_rows = session.exec(
        select(Department, WorkOrderAssist.work_order_id)
        .outerjoin(
            WorkOrderAssist,
            (col(WorkOrderAssist.department_id) == Department.id)
            & (col(WorkOrderAssist.work_order_id) == order_id),
        )
        .where(
            or_(
                col(Department.id) == (lead or 0),
                col(WorkOrderAssist.work_order_id).is_not(None),
            )
        )
    ).all()
    for department, assisting in department_rows:
        if department.id is None:
            continue
        bundle.departments[department.id] = department
        if assisting is not None:
            bundle.assist_ids.append(department.id)
    bundle.assist_ids.sort()
    bundle.reports = list(
        session.exec(
            select(Report).where(Report.work_order_id == order_id).order_by(col(Report.id))
        )
    )
    report_ids = [r.id for r in bundle.reports if r.id is not None]
    bundle.photos = evidence_repo.photos_of(session, report_ids=report_ids, order_id=order_id)
    bundle.recordings = evidence_repo.recordings_of(
        session, report_ids=report_ids, order_id=order_id
    )
    if with_events:
        bundle.events = events_of(session, order_id)
    bundle.returns = _rows(session, ReturnRequest, order_id)
    bundle.extensions = _rows(session, Extension, order_id)
    bundle.supervisions = _rows(session, Supervision, order_id)
    if with_coordination:
        bundle.coordination = coordination_of(session, order_id)
    return bundle


def _rows(session: Session, table: Any, order_id: int) -> list[Any]:
    query = select(table).where(table.work_order_id == order_id).order_by(table.id)
    return list(session.exec(query))


# -- the version lock and the timeline -----------------------------------------------------


def take_version(session: Session, order_id: int, seen_version: int, **values: object) -> bool:
    """Compare-and-set on version, writing ``values`` with it: False when someone else
    changed the order first. Under it, the order's row is this transaction's to write."""
    result = session.execute(
        update(WorkOrder)
        .where(col(WorkOrder.id) == order_id, col(WorkOrder.version) == seen_version)
        .values(version=seen_version + 1, **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def update_order(session: Session, order_id: int, **values: object) -> None:
    session.execute(update(WorkOrder).where(col(WorkOrder.id) == order_id).values(**values))


def chain_tip(session: Session, order_id: int) -> tuple[int, str] | None:
    """(seq, hash) of the order's last event."""
    row = session.exec(
        select(WorkOrderEvent.seq, WorkOrderEvent.hash)
        .where(WorkOrderEvent.work_order_id == order_id)
        .order_by(col(WorkOrderEvent.seq).desc())
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def events_of(session: Session, order_id: int) -> list[WorkOrderEvent]:
    query = (
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order_id)
        .order_by(col(WorkOrderEvent.seq))
    )
    return list(session.exec(query))


def lock_order(session: Session, order_id: int) -> WorkOrder | None:
    """Row-locks the order (PostgreSQL) so timeline appends on it are serialised."""
    query = select(WorkOrder).where(col(WorkOrder.id) == order_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def set_assists(session: Session, order_id: int, department_ids: Collection[int]) -> None:
    session.execute(
        WorkOrderAssist.__table__.delete().where(  # type: ignore[attr-defined]
            WorkOrderAssist.__table__.c.work_order_id == order_id  # type: ignore[attr-defined]
        )
    )
    for department_id in dict.fromkeys(department_ids):
        session.add(WorkOrderAssist(work_order_id=order_id, department_id=department_id))


def coordination_of(session: Session, order_id: int) -> Coordination | None:
    return session.exec(select(Coordination).where(Coordination.work_order_id == order_id)).first()


def contacted_before(session: Session, order_id: int) -> list[ContactAttempt]:
    return _rows(session, ContactAttempt, order_id)


# -- lists beyond one order ----------------------------------------------------------------


def unreplied_supervisions(
    session: Session, department_id: int | None = None
) -> list[tuple[Supervision, str, int | None]]:
    """Open notices with their order's number and lead department (one statement)."""
    query = (
        select(Supervision, WorkOrder.number, WorkOrder.lead_department_id)
        .join(WorkOrder, col(WorkOrder.id) == Supervision.work_order_id)
        .where(col(Supervision.replied_at).is_(None))
    )
    if department_id is not None:
        query = query.where(WorkOrder.lead_department_id == department_id)
    rows = session.exec(query.order_by(col(Supervision.reply_due_at))).all()
    return [(s, number, lead) for s, number, lead in rows]


def count_orders(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(WorkOrder)).one())


def latest_event_at(session: Session, order_id: int, kind: str) -> datetime | None:
    return session.exec(
        select(func.max(WorkOrderEvent.at)).where(
            WorkOrderEvent.work_order_id == order_id, WorkOrderEvent.kind == kind
        )
    ).one()


def late_accepts(session: Session, department_id: int, since: datetime, until: datetime) -> int:
    """Accept clocks breached in [since, until) on orders this department leads."""
    query = (
        select(func.count())
        .select_from(Clock)
        .join(WorkOrder, col(WorkOrder.id) == Clock.work_order_id)
        .where(
            Clock.name == "accept",
            col(Clock.breached_at) >= since,
            col(Clock.breached_at) < until,
            WorkOrder.lead_department_id == department_id,
        )
    )
    return int(session.exec(query).one())


# -- the work lists' keys and search terms ---------------------------------------------------

# Finished orders have no deadline to sort by, whatever clocks were left running.
_NO_DEADLINE = sorted(s.value for s in FINISHED)


def refresh_list_keys(session: Session, changed: dict[int, datetime | None]) -> None:
    """One UPDATE: each changed order's next due time from its clocks, and ``updated_at``
    for those a step changed (backend.workorders.upkeep)."""
    stepped = sorted(i for i, moment in changed.items() if moment is not None)
    nearest = (
        sa_select(func.min(Clock.due_at))
        .where(col(Clock.work_order_id) == WorkOrder.id, col(Clock.met_at).is_(None))
        .correlate(WorkOrder)
        .scalar_subquery()
    )
    values: dict[str, Any] = {
        "next_due_at": case((col(WorkOrder.status).in_(_NO_DEADLINE), None), else_=nearest)
    }
    if stepped:
        latest = max(m for m in changed.values() if m is not None)
        values["updated_at"] = case(
            (col(WorkOrder.id).in_(stepped), latest), else_=col(WorkOrder.updated_at)
        )
    session.execute(
        update(WorkOrder).where(col(WorkOrder.id).in_(sorted(changed))).values(**values),
        execution_options={"synchronize_session": False},
    )


def save_search_terms(session: Session, order_id: int, terms: str) -> None:
    session.add(WorkOrderSearch(work_order_id=order_id, terms=terms))
