"""Queries dispatch needs: the grids' outlines, the queue, and the candidates of the duplicate
and 返潮 checks — each one statement, filtered in SQL by category, bounding box and time, so
the cost follows the neighbourhood, never the size of the history.

Measured by benchmarks/big.py (PostgreSQL 15, 1,000,000 orders, 2026-12-02), EXPLAIN
(ANALYZE, BUFFERS) of the statements as the requests emitted them, abridged. The duplicate
check (open_orders_near) checks the box's lng inside the partial index, so only the orders in
the box are read from the table:

    Limit  (rows=27)  Execution Time: 0.333 ms
      ->  Index Scan using ix_work_order_open_category_lat_lng on work_order
            Index Cond: ((category_number = 91) AND (lat >= 31.23829) AND (lat <= 31.23919)
                         AND (lat IS NOT NULL) AND (lng >= 121.40047) AND (lng <= 121.40152))
            Filter: ((duplicate_of_id IS NULL) AND (id <> 1000206))
            Rows Removed by Filter: 1
            Buffers: shared hit=32 read=1

返潮 (earlier_nearby), open or closed, and with an address the BitmapOr of both indexes:

    Limit  (rows=50)  Execution Time: 0.346 ms
      ->  Index Scan using ix_work_order_category_lat_lng on work_order
            Index Cond: ((category_number = 91) AND (lat >= ...) AND (lat <= ...)
                         AND (lng >= ...) AND (lng <= ...))
            Filter: ((created_at >= ...) AND (created_at <= ...) AND (id <> 1000206))
            Buffers: shared hit=59

    Limit  (rows=50)  Execution Time: 0.382 ms
      ->  Bitmap Heap Scan on work_order  (Heap Blocks: exact=50)
            ->  BitmapOr
                  ->  Bitmap Index Scan on ix_work_order_category_lat_lng  (rows=12)
                  ->  Bitmap Index Scan on ix_work_order_category_address  (rows=65)
                        Index Cond: ((category_number = 80) AND (address = '真北路86号'))

The queue (queue) reads its page in order from the partial index of orders awaiting dispatch
(19,736 of them):

    Limit  (rows=200)  Execution Time: 2.645 ms
      ->  Nested Loop Left Join
            ->  Index Scan using ix_work_order_awaiting_created_at on work_order  (rows=200)
            ->  Index Scan using ix_clock_work_order_id on clock  (loops=200)
                  Filter: (name = 'dispatch')

and its duplicates (open_orders_near_each) probe the duplicate index once per queued order:

    Nested Loop  (rows=2435)  Execution Time: 12.153 ms
      Buffers: shared hit=4303
      ->  Index Scan using pk_work_order on work_order work_order_1  (id = ANY (200 ids))
      ->  Index Scan using ix_work_order_open_category_lat_lng on work_order work_order_2
            (rows=12 loops=200)
            Index Cond: ((category_number = work_order_1.category_number)
                         AND (lat >= (work_order_1.lat - 0.00045)) AND (lat <= (... + 0.00045))
                         AND (lat IS NOT NULL) AND (lng >= (work_order_1.lng - 0.00053))
                         AND (lng <= (... + 0.00053)))
            Filter: ((duplicate_of_id IS NULL) AND (id <> work_order_1.id))

Before ix_work_order_*_lat_lng (on (category_number, lat) only) the 返潮 check fetched the
whole lat band from the table to filter lng (2,427 rows, 1,123 pages read, 31 ms), and the
queue walked ix_work_order_created_at past 526,533 orders to find its 200 (408 ms) and
hash-joined its duplicates against all 93,000 open orders (251 ms).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.org.models import Department, Grid
from backend.reports.models import Report
from backend.sla.models import Clock
from backend.workorders.models import WorkOrder
from backend.workorders.states import AWAITING_DISPATCH, MERGEABLE, Status

_MERGEABLE = sorted(s.value for s in MERGEABLE)
_CLOSED = sorted(s.value for s in (Status.closed, Status.archived))


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


class Nearby(NamedTuple):
    """What a possible duplicate shows: read as columns, not as whole orders, since a page of
    the queue meets thousands of them in a dense street."""

    id: int
    number: str
    status: str
    lat: float
    lng: float


def _nearby_columns(other: type[WorkOrder]) -> tuple:
    return (
        col(other.id),
        col(other.number),
        col(other.status),
        col(other.lat),
        col(other.lng),
    )


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
) -> list[Nearby]:
    """Open orders of the category inside the bounding box (min/max lat, min/max lng)."""
    min_lat, max_lat, min_lng, max_lng = box
    query = select(*_nearby_columns(WorkOrder)).where(
        WorkOrder.category_number == category_number,
        col(WorkOrder.lat) >= min_lat,
        col(WorkOrder.lat) <= max_lat,
        col(WorkOrder.lng) >= min_lng,
        col(WorkOrder.lng) <= max_lng,
        *_open_nearby(WorkOrder),
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return [Nearby(*row) for row in session.exec(query.limit(50))]


def open_orders_near_each(
    session: Session, order_ids: Collection[int], dlat: float, dlng: float
) -> list[tuple[int, Nearby]]:
    """For each of these orders, the open orders of its category within (dlat, dlng) of it:
    one statement for a whole page of the queue."""
    if not order_ids:
        return []
    queued = aliased(WorkOrder)
    other = aliased(WorkOrder)
    rows = session.exec(
        select(col(queued.id), *_nearby_columns(other))
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
    return [(int(queued_id), Nearby(*found)) for queued_id, *found in rows]


def _at_place(
    category_number: int, box: tuple[float, float, float, float], address: str | None
) -> list:
    min_lat, max_lat, min_lng, max_lng = box
    place = and_(
        col(WorkOrder.lat) >= min_lat,
        col(WorkOrder.lat) <= max_lat,
        col(WorkOrder.lng) >= min_lng,
        col(WorkOrder.lng) <= max_lng,
    )
    return [
        WorkOrder.category_number == category_number,
        or_(place, col(WorkOrder.address) == address) if address else place,
    ]


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
    query = select(WorkOrder).where(
        *_at_place(category_number, box, address),
        col(WorkOrder.created_at) >= since,
        col(WorkOrder.created_at) <= before,
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query.limit(50)))


def closed_nearby(
    session: Session,
    category_number: int,
    box: tuple[float, float, float, float],
    address: str | None,
    closed_since: datetime,
    before: datetime,
    exclude_id: int | None,
) -> list[WorkOrder]:
    """Earlier orders of the category inside the box or at the same address that were closed
    (结案, or archived after it) since ``closed_since``: what 回潮 is judged on. The same
    indexes as ``earlier_nearby``; the closure time is filtered on the few rows of the place."""
    query = select(WorkOrder).where(
        *_at_place(category_number, box, address),
        col(WorkOrder.status).in_(_CLOSED),
        col(WorkOrder.closed_at) >= closed_since,
        col(WorkOrder.created_at) <= before,
    )
    if exclude_id is not None:
        query = query.where(col(WorkOrder.id) != exclude_id)
    return list(session.exec(query.order_by(col(WorkOrder.closed_at).desc()).limit(50)))
