"""Hotspot rules (pure): the ~100 m cells orders are clustered in, the period asked for, and
the work-list link that lists the orders behind a cluster.

A cell is ``round(coordinate / CELL_DEGREES)`` on each axis: 0.001° is about 111 m of latitude
and 95 m of longitude at 31°N (Shanghai). Cells are centred on three-decimal coordinates, so
their edges lie on the half-thousandths, where points typed by hand rarely fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from urllib.parse import urlencode

from backend.workorders.states import FINISHED, OPEN, Status

CELL_DEGREES = 0.001
CELLS_PER_DEGREE = 1000
# The dashboard draws at most this many clusters, the largest first.
MAX_CLUSTERS = 200
NUMBERS_PER_CLUSTER = 5
DEFAULT_DAYS = 30
MAX_DAYS = 366
# A merged duplicate is the same problem as its order, and a rejected report is none: a
# hotspot counts the orders that stand for a problem at the place.
COUNTED = frozenset(OPEN | (FINISHED - {Status.merged, Status.rejected}))
WORK_LIST = "/api/v1/workorders"


class PeriodError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    start: datetime  # first day 00:00 in the street's zone
    end: datetime  # the day after the last, 00:00 (exclusive)


def period(first: date | None, last: date | None, today: date, tz: tzinfo) -> Period:
    """The days asked for (default: the last 30 days to today), as instants in ``tz``."""
    last = last or (today if first is None else min(today, first + timedelta(DEFAULT_DAYS - 1)))
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise PeriodError("开始日期不能晚于结束日期", "from")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(f"统计区间最长 {MAX_DAYS} 天", "to")
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return Period(first, last, start, end)


def cell_of(coordinate: float) -> int:
    """The cell index of a coordinate on one axis (the SQL computes the same)."""
    return int((coordinate * CELLS_PER_DEGREE + 0.5) // 1)


def cell_bbox(cell_lat: int, cell_lng: int) -> tuple[float, float, float, float]:
    """The cell's box as the work list's ``bbox`` takes it: (min lng, min lat, max lng, max
    lat), the minimum inclusive and the maximum exclusive."""
    half = 0.5 / CELLS_PER_DEGREE
    return (
        round(cell_lng / CELLS_PER_DEGREE - half, 6),
        round(cell_lat / CELLS_PER_DEGREE - half, 6),
        round(cell_lng / CELLS_PER_DEGREE + half, 6),
        round(cell_lat / CELLS_PER_DEGREE + half, 6),
    )


def cluster_link(
    span: Period,
    cell_lat: int,
    cell_lng: int,
    category_number: int | None,
    grid_id: int | None,
    statuses: frozenset[Status],
) -> str:
    """The work list filtered to the orders a cluster counts."""
    query: list[tuple[str, str]] = [
        ("bbox", ",".join(f"{v:.6f}" for v in cell_bbox(cell_lat, cell_lng))),
        ("created_from", span.start.isoformat()),
        ("created_to", span.end.isoformat()),
    ]
    if category_number is not None:
        query.append(("category_number", str(category_number)))
    if grid_id is not None:
        query.append(("grid_id", str(grid_id)))
    query += [("status", s.value) for s in sorted(statuses)]
    return f"{WORK_LIST}?{urlencode(query)}"
