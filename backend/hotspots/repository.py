"""The hotspot queries: orders of a period grouped by ~100 m cell, category and grid, and by
grid — GROUP BY in SQL over the created_at index, a fixed number of statements whatever the
number of orders (a street has a million).

The cell index is ``floor(coordinate * 1000 + 0.5)`` (backend.hotspots.rules.cell_of). SQLite
may be built without floor(), so there it is written with CAST, which truncates toward zero.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from backend.catalog.models import Category
from backend.hotspots.rules import CELLS_PER_DEGREE, NUMBERS_PER_CLUSTER
from backend.org.models import Grid, GridLevel
from backend.workorders.models import WorkOrder
from backend.workorders.states import OPEN, Status


class _Cell(FunctionElement[int]):
    """The cell index of a coordinate column, its constants written into the SQL text (a
    bound parameter would make PostgreSQL see the SELECT's and the GROUP BY's expressions as
    different)."""

    type = Integer()
    inherit_cache = True
    name = "gridline_cell"


_SCALED = f"({{x}} * {CELLS_PER_DEGREE} + 0.5)"


@compiles(_Cell)
def _cell_default(element: _Cell, compiler: Any, **kw: Any) -> str:
    scaled = _SCALED.format(x=compiler.process(element.clauses, **kw))
    return f"CAST(floor{scaled} AS INTEGER)"


@compiles(_Cell, "sqlite")
def _cell_sqlite(element: _Cell, compiler: Any, **kw: Any) -> str:
    scaled = _SCALED.format(x=compiler.process(element.clauses, **kw))
    return f"(CAST({scaled} AS INTEGER) - ({scaled} < CAST({scaled} AS INTEGER)))"


def cell(coordinate: Any) -> ColumnElement[int]:
    return _Cell(coordinate)


_OPEN = sorted(s.value for s in OPEN)


@dataclass(frozen=True)
class ClusterRow:
    cell_lat: int
    cell_lng: int
    category_number: int | None
    category_name: str | None
    grid_id: int | None
    grid_name: str | None
    count: int
    open: int
    lat: float
    lng: float


@dataclass(frozen=True)
class GridRow:
    id: int
    name: str
    geometry: dict[str, Any] | None
    open: int
    total: int


def _counted(
    start: datetime, end: datetime, statuses: Collection[Status], category_number: int | None
) -> list[ColumnElement[bool]]:
    where = [
        col(WorkOrder.created_at) >= start,
        col(WorkOrder.created_at) < end,
        col(WorkOrder.status).in_(sorted(s.value for s in statuses)),
    ]
    if category_number is not None:
        where.append(col(WorkOrder.category_number) == category_number)
    return where


def _is_open() -> ColumnElement[int]:
    return case((col(WorkOrder.status).in_(_OPEN), 1), else_=0)


def clusters(
    session: Session,
    start: datetime,
    end: datetime,
    statuses: Collection[Status],
    category_number: int | None,
    limit: int,
) -> list[ClusterRow]:
    """The largest ``limit`` groups of located orders by (cell, category, grid), with their
    centroid: one statement."""
    cell_lat, cell_lng = cell(WorkOrder.lat), cell(WorkOrder.lng)
    grouped = (
        select(
            cell_lat.label("cell_lat"),
            cell_lng.label("cell_lng"),
            col(WorkOrder.category_number).label("category_number"),
            col(WorkOrder.grid_id).label("grid_id"),
            func.count().label("count"),
            func.sum(_is_open()).label("open"),
            func.avg(WorkOrder.lat).label("lat"),
            func.avg(WorkOrder.lng).label("lng"),
        )
        .where(
            *_counted(start, end, statuses, category_number),
            col(WorkOrder.lat).is_not(None),
            col(WorkOrder.lng).is_not(None),
        )
        .group_by(cell_lat, cell_lng, col(WorkOrder.category_number), col(WorkOrder.grid_id))
        .order_by(func.count().desc(), cell_lat, cell_lng, col(WorkOrder.category_number))
        .limit(limit)
        .subquery()
    )
    query = (
        select(
            grouped.c.cell_lat,
            grouped.c.cell_lng,
            grouped.c.category_number,
            col(Category.name),
            grouped.c.grid_id,
            col(Grid.name),
            grouped.c.count,
            grouped.c.open,
            grouped.c.lat,
            grouped.c.lng,
        )
        .outerjoin(Category, col(Category.number) == grouped.c.category_number)
        .outerjoin(Grid, col(Grid.id) == grouped.c.grid_id)
        .order_by(
            grouped.c.count.desc(),
            grouped.c.cell_lat,
            grouped.c.cell_lng,
            grouped.c.category_number,
        )
    )
    return [
        ClusterRow(
            int(r[0]),
            int(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            int(r[6]),
            int(r[7] or 0),
            float(r[8]),
            float(r[9]),
        )
        for r in session.execute(query).all()
    ]


ClusterKey = tuple[int, int, int | None, int | None]


_NO_KEY = -1  # stands for NULL in a join key (no category, no grid): ids are positive


def latest_numbers(
    session: Session,
    start: datetime,
    end: datetime,
    statuses: Collection[Status],
    keys: Collection[ClusterKey],
) -> dict[ClusterKey, list[str]]:
    """The newest order numbers of each cluster (at most NUMBERS_PER_CLUSTER): one
    statement. The clusters' keys come in as a UNION ALL of literal rows joined on plain
    equality (NULL written as -1), so PostgreSQL hashes the 200 keys and probes each order of
    the period once, instead of testing every order against 200 alternatives."""
    if not keys:
        return {}
    wanted = union_all(
        *(
            select(
                literal(lat_i).label("cell_lat"),
                literal(lng_i).label("cell_lng"),
                literal(_NO_KEY if category is None else category).label("category_number"),
                literal(_NO_KEY if grid is None else grid).label("grid_id"),
            )
            for lat_i, lng_i, category, grid in keys
        )
    ).subquery("wanted")
    cell_lat, cell_lng = cell(WorkOrder.lat), cell(WorkOrder.lng)
    category = func.coalesce(col(WorkOrder.category_number), _NO_KEY)
    grid = func.coalesce(col(WorkOrder.grid_id), _NO_KEY)
    ranked = (
        select(
            wanted.c.cell_lat,
            wanted.c.cell_lng,
            wanted.c.category_number,
            wanted.c.grid_id,
            col(WorkOrder.number).label("number"),
            func.row_number()
            .over(
                partition_by=(
                    wanted.c.cell_lat,
                    wanted.c.cell_lng,
                    wanted.c.category_number,
                    wanted.c.grid_id,
                ),
                order_by=(col(WorkOrder.created_at).desc(), col(WorkOrder.id).desc()),
            )
            .label("rank"),
        )
        .select_from(WorkOrder)
        .join(
            wanted,
            and_(
                cell_lat == wanted.c.cell_lat,
                cell_lng == wanted.c.cell_lng,
                category == wanted.c.category_number,
                grid == wanted.c.grid_id,
            ),
        )
        .where(
            *_counted(start, end, statuses, None),
            col(WorkOrder.lat).is_not(None),
            col(WorkOrder.lng).is_not(None),
        )
        .subquery()
    )
    rows = session.execute(
        select(
            ranked.c.cell_lat,
            ranked.c.cell_lng,
            ranked.c.category_number,
            ranked.c.grid_id,
            ranked.c.number,
        )
        .where(ranked.c.rank <= NUMBERS_PER_CLUSTER)
        .order_by(ranked.c.rank)
    ).all()
    found: dict[ClusterKey, list[str]] = {}
    for lat_i, lng_i, category_number, grid_id, number in rows:
        key = (
            int(lat_i),
            int(lng_i),
            None if category_number == _NO_KEY else int(category_number),
            None if grid_id == _NO_KEY else int(grid_id),
        )
        found.setdefault(key, []).append(number)
    return found


def grids(
    session: Session,
    start: datetime,
    end: datetime,
    statuses: Collection[Status],
    category_number: int | None,
) -> list[GridRow]:
    """Every grid cell (level 3) with its outline and its orders of the period: one
    statement, the counts grouped in SQL before the join."""
    counts = (
        select(
            col(WorkOrder.grid_id).label("grid_id"),
            func.count().label("total"),
            func.sum(_is_open()).label("open"),
        )
        .where(
            *_counted(start, end, statuses, category_number), col(WorkOrder.grid_id).is_not(None)
        )
        .group_by(col(WorkOrder.grid_id))
        .subquery()
    )
    rows = session.execute(
        select(col(Grid.id), col(Grid.name), col(Grid.geometry), counts.c.open, counts.c.total)
        .outerjoin(counts, counts.c.grid_id == Grid.id)
        .where(col(Grid.level) == GridLevel.grid)
        .order_by(col(Grid.id))
    ).all()
    return [
        GridRow(int(i), name, geometry, int(opened or 0), int(total or 0))
        for i, name, geometry, opened, total in rows
    ]
