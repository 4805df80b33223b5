"""Queries for work orders, their assisting departments and timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from backend.workorders.models import (
    OPEN_STATUSES,
    OrderCounter,
    Status,
    WorkOrder,
    WorkOrderAssist,
    WorkOrderEvent,
)


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


def assist_ids(session: Session, order_id: int) -> list[int]:
    query = select(WorkOrderAssist.department_id).where(WorkOrderAssist.work_order_id == order_id)
    return sorted(session.exec(query))


def set_assists(session: Session, order_id: int, department_ids: list[int]) -> None:
    for row in session.exec(
        select(WorkOrderAssist).where(WorkOrderAssist.work_order_id == order_id)
    ):
        session.delete(row)
    session.flush()
    for department_id in dict.fromkeys(department_ids):
        session.add(WorkOrderAssist(work_order_id=order_id, department_id=department_id))


def events_of(session: Session, order_id: int) -> list[WorkOrderEvent]:
    query = (
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order_id)
        .order_by(col(WorkOrderEvent.seq))
    )
    return list(session.exec(query))


def last_event(session: Session, order_id: int) -> WorkOrderEvent | None:
    query = (
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order_id)
        .order_by(col(WorkOrderEvent.seq).desc())
        .limit(1)
    )
    return session.exec(query).first()


def bump_version(session: Session, order_id: int, seen_version: int, **values: object) -> bool:
    """Compare-and-set on version: False when someone else changed the order first."""
    result = session.execute(
        update(WorkOrder)
        .where(col(WorkOrder.id) == order_id, col(WorkOrder.version) == seen_version)
        .values(version=seen_version + 1, **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def awaiting_dispatch(session: Session, limit: int = 200) -> list[WorkOrder]:
    query = (
        select(WorkOrder)
        .where(WorkOrder.status == Status.reported)
        .order_by(col(WorkOrder.created_at), col(WorkOrder.id))
        .limit(limit)
    )
    return list(session.exec(query))


def open_orders_of_category(
    session: Session, category_number: int, exclude_id: int | None = None
) -> list[WorkOrder]:
    query = select(WorkOrder).where(
        WorkOrder.category_number == category_number,
        col(WorkOrder.status).in_([s.value for s in OPEN_STATUSES]),
        col(WorkOrder.lat).is_not(None),
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query))


def earlier_orders_of_category(
    session: Session, category_number: int, before: datetime, exclude_id: int | None
) -> list[WorkOrder]:
    """Any earlier order of the category, open or closed: the history 返潮 is judged on."""
    query = select(WorkOrder).where(
        WorkOrder.category_number == category_number, col(WorkOrder.created_at) <= before
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query))


def count_orders(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(WorkOrder)).one())


def lock_order(session: Session, order_id: int) -> WorkOrder:
    """Row-locks the order (PostgreSQL) so timeline appends on it are serialised."""
    query = select(WorkOrder).where(col(WorkOrder.id) == order_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    order = session.exec(query).one()
    return order
