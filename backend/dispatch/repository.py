"""Queries dispatch needs: the grids' outlines, the queue, and the candidates of the duplicate
and 返潮 checks — each one statement, filtered in SQL by category, bounding box and time, so
the cost follows the neighbourhood, never the size of the history.

The duplicate check reads the partial index ix_work_order_open_category_lat; PostgreSQL with
1,000,000 orders (benchmarks/big.py) plans it as

    Bitmap Heap Scan on work_order o
      Recheck Cond: ((category_number = 5) AND (lat >= 31.2440) AND (lat <= 31.2449)
                     AND status IN (...))
      Filter: ((duplicate_of_id IS NULL) AND (lng >= ...) AND (lng <= ...) AND (id <> 123))
      ->  Bitmap Index Scan on ix_work_order_open_category_lat
            Index Cond: ((category_number = 5) AND (lat >= 31.2440) AND (lat <= 31.2449))

and the queue's duplicates join the same index once for the whole page:

    Nested Loop
      ->  Index Scan using ix_work_order_status on work_order q  (status IN ('reported', ...))
      ->  Bitmap Heap Scan on work_order o
            ->  Bitmap Index Scan on ix_work_order_open_category_lat
                  Index Cond: ((category_number = q.category_number)
                               AND (lat >= (q.lat - 0.00045)) AND (lat <= (q.lat + 0.00045)))
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.org.models import Department, Grid
from backend.reports.models import Report
from backend.sla.models import Clock
from backend.workorders.models import WorkOrder
from backend.workorders.states import AWAITING_DISPATCH, MERGEABLE

_MERGEABLE = sorted(s.value for s in MERGEABLE)


def grid_signature(session: Session) -> tuple[tuple[int, str], ...]:
    query = select(Grid.id, Grid.geometry).where(Grid.level == 3, col(Grid.geometry).is_not(None))
    rows = session.exec(query).all()
    return tuple(sorted((int(i), json.dumps(g, sort_keys=True)) for i, g in rows if i is not None))


def area_team_of(session: Session, grid_id: int) -> str | None:
    """The name of the grid's area team (片区), in one statement."""
    return session.exec(
        select(Department.name)
        .join(Grid, col(Grid.area_team_id) == Department.id)
        .where(col(Grid.id) == grid_id)
    ).first()


def queue(session: Session, limit: int = 200) -> list[tuple[WorkOrder, Clock | None]]:
    """Orders waiting for dispatch, oldest first, with their dispatch clock."""
    rows = session.exec(
        select(WorkOrder, Clock)
        .outerjoin(
            Clock, (col(Clock.work_order_id) == WorkOrder.id) & (col(Clock.name) == "dispatch")
        )
        .where(col(WorkOrder.status).in_(sorted(s.value for s in AWAITING_DISPATCH)))
        .order_by(col(WorkOrder.created_at), col(WorkOrder.id))
        .limit(limit)
    ).all()
    return [(order, clock) for order, clock in rows]


def report_ids_of(session: Session, order_ids: Collection[int]) -> dict[int, list[int]]:
    if not order_ids:
        return {}
    rows = session.exec(
        select(Report.work_order_id, Report.id)
        .where(col(Report.work_order_id).in_(list(order_ids)))
        .order_by(col(Report.id))
    ).all()
    found: dict[int, list[int]] = {}
    for order_id, report_id in rows:
        if order_id is not None and report_id is not None:
            found.setdefault(order_id, []).append(report_id)
    return found


def _open_nearby(other: type[WorkOrder]) -> list:
    return [
        col(other.status).in_(_MERGEABLE),
        col(other.duplicate_of_id).is_(None),
        col(other.lat).is_not(None),
    ]


def open_orders_near(
    session: Session,
    category_number: int,
    box: tuple[float, float, float, float],
    exclude_id: int | None,
) -> list[WorkOrder]:
    """Open orders of the category inside the bounding box (min/max lat, min/max lng)."""
    min_lat, max_lat, min_lng, max_lng = box
    query = select(WorkOrder).where(
        WorkOrder.category_number == category_number,
        col(WorkOrder.status).in_(_MERGEABLE),
        col(WorkOrder.lat) >= min_lat,
        col(WorkOrder.lat) <= max_lat,
        col(WorkOrder.lng) >= min_lng,
        col(WorkOrder.lng) <= max_lng,
        col(WorkOrder.duplicate_of_id).is_(None),
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query.limit(50)))


def open_orders_near_each(
    session: Session, order_ids: Collection[int], dlat: float, dlng: float
) -> list[tuple[int, WorkOrder]]:
    """For each of these orders, the open orders of its category within (dlat, dlng) of it:
    one statement for a whole page of the queue."""
    if not order_ids:
        return []
    queued = aliased(WorkOrder)
    other = aliased(WorkOrder)
    rows = session.exec(
        select(queued.id, other)
        .join(
            other,
            and_(
                col(other.category_number) == queued.category_number,
                col(other.lat) >= col(queued.lat) - dlat,
                col(other.lat) <= col(queued.lat) + dlat,
                col(other.lng) >= col(queued.lng) - dlng,
                col(other.lng) <= col(queued.lng) + dlng,
                col(other.id) != queued.id,
                *_open_nearby(other),
            ),
        )
        .where(col(queued.id).in_(list(order_ids)))
    ).all()
    return [(int(queued_id), order) for queued_id, order in rows if queued_id is not None]


def earlier_nearby(
    session: Session,
    category_number: int,
    box: tuple[float, float, float, float],
    address: str | None,
    since: datetime,
    before: datetime,
    exclude_id: int | None,
) -> list[WorkOrder]:
    """Earlier orders of the category, open or closed, inside the box or at the same address,
    within the window: the history 返潮 is judged on."""
    min_lat, max_lat, min_lng, max_lng = box
    place = and_(
        col(WorkOrder.lat) >= min_lat,
        col(WorkOrder.lat) <= max_lat,
        col(WorkOrder.lng) >= min_lng,
        col(WorkOrder.lng) <= max_lng,
    )
    where = or_(place, col(WorkOrder.address) == address) if address else place
    query = select(WorkOrder).where(
        WorkOrder.category_number == category_number,
        where,
        col(WorkOrder.created_at) >= since,
        col(WorkOrder.created_at) <= before,
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query.limit(50)))
