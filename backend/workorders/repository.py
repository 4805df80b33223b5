"""Queries for work orders, their assisting departments and timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from backend.evidence.models import Photo, Recording
from backend.workorders.models import (
    OPEN_STATUSES,
    Coordination,
    Extension,
    OrderCounter,
    ReturnRequest,
    Status,
    Supervision,
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


def photos_of_order(session: Session, order_id: int) -> list[Photo]:
    query = select(Photo).where(Photo.work_order_id == order_id).order_by(col(Photo.id))
    return list(session.exec(query))


def recordings_of_order(session: Session, order_id: int) -> list[Recording]:
    query = select(Recording).where(Recording.work_order_id == order_id).order_by(col(Recording.id))
    return list(session.exec(query))


def photo_of_order(session: Session, order_id: int, photo_id: int) -> Photo | None:
    photo = session.get(Photo, photo_id)
    return photo if photo is not None and photo.work_order_id == order_id else None


def recording_of_order(session: Session, order_id: int, recording_id: int) -> Recording | None:
    recording = session.get(Recording, recording_id)
    return recording if recording is not None and recording.work_order_id == order_id else None


def supervisions_of(session: Session, order_id: int) -> list[Supervision]:
    query = (
        select(Supervision)
        .where(Supervision.work_order_id == order_id)
        .order_by(col(Supervision.id))
    )
    return list(session.exec(query))


def supervision_by_id(session: Session, order_id: int, supervision_id: int) -> Supervision | None:
    row = session.get(Supervision, supervision_id)
    return row if row is not None and row.work_order_id == order_id else None


def returns_of(session: Session, order_id: int) -> list[ReturnRequest]:
    query = (
        select(ReturnRequest)
        .where(ReturnRequest.work_order_id == order_id)
        .order_by(col(ReturnRequest.id))
    )
    return list(session.exec(query))


def return_by_id(session: Session, order_id: int, return_id: int) -> ReturnRequest | None:
    row = session.get(ReturnRequest, return_id)
    return row if row is not None and row.work_order_id == order_id else None


def extensions_of(session: Session, order_id: int) -> list[Extension]:
    query = select(Extension).where(Extension.work_order_id == order_id).order_by(col(Extension.id))
    return list(session.exec(query))


def extension_by_id(session: Session, order_id: int, extension_id: int) -> Extension | None:
    row = session.get(Extension, extension_id)
    return row if row is not None and row.work_order_id == order_id else None


def coordination_of(session: Session, order_id: int) -> Coordination | None:
    return session.exec(select(Coordination).where(Coordination.work_order_id == order_id)).first()


def unreplied_supervisions(session: Session, department_id: int | None = None) -> list[Supervision]:
    query = select(Supervision).where(col(Supervision.replied_at).is_(None))
    if department_id is not None:
        query = query.join(WorkOrder, col(WorkOrder.id) == Supervision.work_order_id).where(
            WorkOrder.lead_department_id == department_id
        )
    return list(session.exec(query.order_by(col(Supervision.reply_due_at))))
