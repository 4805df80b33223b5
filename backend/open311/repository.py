"""Queries of Open311: keys, their rate windows, the requests it filed and the public orders.

Every read is one statement over indexed columns, bounded by the request window and a limit,
whatever the number of orders.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from backend.catalog.models import Category
from backend.db import writing
from backend.evidence.models import Photo
from backend.open311.models import Open311Key, Open311RateWindow, Open311Request
from backend.org.models import Department
from backend.reports.models import Report
from backend.sla.models import Clock
from backend.workorders.models import WorkOrder, WorkOrderEvent
from backend.workorders.states import Status

# -- keys -----------------------------------------------------------------------------------


def add_key(session: Session, key: Open311Key) -> Open311Key:
    session.add(key)
    session.flush()
    return key


def key_by_hash(session: Session, key_hash: str) -> Open311Key | None:
    return session.exec(select(Open311Key).where(Open311Key.key_hash == key_hash)).first()


def keys(session: Session) -> list[Open311Key]:
    return list(session.exec(select(Open311Key).order_by(col(Open311Key.id))))


def key_by_id(session: Session, key_id: int) -> Open311Key | None:
    return session.get(Open311Key, key_id)


def revoke_key(session: Session, key_id: int, now: datetime) -> None:
    session.execute(
        update(Open311Key)
        .where(col(Open311Key.id) == key_id, col(Open311Key.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def count_request(engine: Engine, key_id: int, window_start: datetime) -> int:
    """Adds one request to the key's window and answers the window's count, in its own
    transaction: a refused request still counts, and every API process shares the count."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(Open311RateWindow).values(
        key_id=key_id, window_start=window_start, count=1
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["key_id", "window_start"],
        set_={"count": Open311RateWindow.__table__.c.count + 1},  # type: ignore[attr-defined]
    ).returning(Open311RateWindow.__table__.c.count)  # type: ignore[attr-defined]
    with writing(), engine.begin() as connection:
        count = int(connection.execute(upsert).scalar_one())
        if count == 1:  # a new window: the key's old ones are of no use any more
            connection.execute(
                delete(Open311RateWindow).where(
                    col(Open311RateWindow.key_id) == key_id,
                    col(Open311RateWindow.window_start) < window_start - timedelta(hours=1),
                )
            )
    return count


# -- requests -------------------------------------------------------------------------------


def request_by_fingerprint(session: Session, fingerprint: str) -> Open311Request | None:
    return session.exec(
        select(Open311Request).where(Open311Request.fingerprint == fingerprint)
    ).first()


def request_by_token(session: Session, token: str) -> Open311Request | None:
    return session.exec(select(Open311Request).where(Open311Request.token == token)).first()


def add_request(session: Session, row: Open311Request) -> None:
    session.add(row)
    session.flush()


def category(session: Session, number: int) -> Category | None:
    return session.get(Category, number)


def categories(session: Session) -> list[Category]:
    return list(session.exec(select(Category).order_by(col(Category.number))))


# -- public orders --------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilter:
    sources: Collection[str]
    numbers: Sequence[str] = ()  # overrides everything but the public sources
    categories: Collection[int] = ()
    statuses: Collection[Status] | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 1000


def public_orders(session: Session, wanted: RequestFilter) -> list[WorkOrder]:
    """Newest first. The public sources always apply: a request id of an internal order is
    as unknown as one that does not exist."""
    query = select(WorkOrder).where(col(WorkOrder.source).in_(list(wanted.sources)))
    if wanted.numbers:
        query = query.where(col(WorkOrder.number).in_(list(wanted.numbers)))
    else:
        if wanted.categories:
            query = query.where(col(WorkOrder.category_number).in_(list(wanted.categories)))
        if wanted.statuses is not None:
            query = query.where(col(WorkOrder.status).in_([s.value for s in wanted.statuses]))
        if wanted.start is not None:
            query = query.where(col(WorkOrder.created_at) >= wanted.start)
        if wanted.end is not None:
            query = query.where(col(WorkOrder.created_at) <= wanted.end)
    query = query.order_by(col(WorkOrder.created_at).desc(), col(WorkOrder.id).desc())
    return list(session.exec(query.limit(wanted.limit)))


@dataclass(frozen=True)
class OrderExtras:
    """What a request shows beyond the order row, for a page of orders."""

    category_names: dict[int, str]
    department_names: dict[int, str]
    resolve_due: dict[int, datetime]
    photo_of: dict[int, int]  # order id → its display photo


def extras(session: Session, orders: Sequence[WorkOrder]) -> OrderExtras:
    """Four statements for any number of orders."""
    ids = [o.id for o in orders if o.id is not None]
    if not ids:
        return OrderExtras({}, {}, {}, {})
    numbers = {o.category_number for o in orders if o.category_number is not None}
    leads = {o.lead_department_id for o in orders if o.lead_department_id is not None}
    names = dict(
        session.exec(
            select(Category.number, Category.name).where(col(Category.number).in_(numbers))
        ).all()
    )
    departments: dict[int, str] = {}
    if leads:
        for department_id, name in session.exec(
            select(Department.id, Department.name).where(col(Department.id).in_(leads))
        ).all():
            if department_id is not None:
                departments[int(department_id)] = name
    due: dict[int, datetime] = {}
    for order_id, due_at in session.exec(
        select(Clock.work_order_id, Clock.due_at).where(
            col(Clock.work_order_id).in_(ids), Clock.name == "resolve"
        )
    ).all():
        due[order_id] = max(due_at, due.get(order_id, due_at))
    # The first photo the problem was reported with: the report's, else the order's own.
    owner = func.coalesce(Photo.work_order_id, Report.work_order_id)
    photos: dict[int, int] = {}
    firsts = session.exec(
        select(owner, func.min(Photo.id))
        .select_from(Photo)
        .outerjoin(Report, col(Report.id) == col(Photo.report_id))
        .where(
            or_(col(Photo.work_order_id).in_(ids), col(Report.work_order_id).in_(ids)),
            Photo.phase == "report",
        )
        .group_by(owner)
    ).all()
    for owner_id, photo_id in firsts:
        if owner_id is not None and photo_id is not None:
            photos[int(owner_id)] = int(photo_id)
    return OrderExtras(names, departments, due, photos)


def photo(session: Session, photo_id: int) -> Photo | None:
    return session.get(Photo, photo_id)


def public_order_by_number(
    session: Session, number: str, sources: Collection[str]
) -> WorkOrder | None:
    return session.exec(
        select(WorkOrder).where(WorkOrder.number == number, col(WorkOrder.source).in_(sources))
    ).first()


def public_updates(
    session: Session,
    sources: Collection[str],
    kinds: Collection[str],
    start: datetime,
    end: datetime,
    limit: int,
) -> list[tuple[WorkOrderEvent, str]]:
    """Events of the public kinds on public orders in the window, oldest first, with the
    order's number."""
    rows = session.exec(
        select(WorkOrderEvent, WorkOrder.number)
        .join(WorkOrder, col(WorkOrder.id) == col(WorkOrderEvent.work_order_id))
        .where(
            col(WorkOrderEvent.at) >= start,
            col(WorkOrderEvent.at) <= end,
            col(WorkOrderEvent.kind).in_(list(kinds)),
            col(WorkOrder.source).in_(list(sources)),
        )
        .order_by(col(WorkOrderEvent.at), col(WorkOrderEvent.id))
        .limit(limit)
    ).all()
    return [(event, number) for event, number in rows]
