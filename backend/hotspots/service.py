"""Hotspots for the command center's map: the period's orders clustered by ~100 m cell and
category (largest first, at most 200), each with the work-list link of its orders, and every
grid cell with its outline and counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from backend.config import Settings
from backend.errors import InvalidInput
from backend.hotspots import repository as repo
from backend.hotspots import rules
from backend.hotspots.schemas import ClusterOut, GridHeatOut, GridRefOut, HotspotsOut
from backend.workorders.states import OPEN


def hotspots(
    session: Session,
    first: date | None,
    last: date | None,
    category_number: int | None,
    open_only: bool,
    settings: Settings,
    now: datetime,
) -> HotspotsOut:
    try:
        span = rules.period(first, last, now.astimezone(settings.tz).date(), settings.tz)
    except rules.PeriodError as exc:
        raise InvalidInput(exc.message, code="invalid_period", field=exc.field) from exc
    statuses = frozenset(OPEN) if open_only else rules.COUNTED
    found = repo.clusters(
        session, span.start, span.end, statuses, category_number, rules.MAX_CLUSTERS
    )
    keys = [(c.cell_lat, c.cell_lng, c.category_number, c.grid_id) for c in found]
    numbers = repo.latest_numbers(session, span.start, span.end, statuses, keys)
    grids = repo.grids(session, span.start, span.end, statuses, category_number)
    return HotspotsOut(
        from_=span.first,
        to=span.last,
        clusters=[
            ClusterOut(
                lat=round(c.lat, 6),
                lng=round(c.lng, 6),
                category_number=c.category_number,
                category_name=c.category_name,
                count=c.count,
                open=c.open,
                grid=GridRefOut(id=c.grid_id, name=c.grid_name or "")
                if c.grid_id is not None
                else None,
                numbers=numbers.get(key, []),
                link=rules.cluster_link(
                    span, c.cell_lat, c.cell_lng, c.category_number, c.grid_id, statuses
                ),
            )
            for c, key in zip(found, keys, strict=True)
        ],
        grids=[
            GridHeatOut(id=g.id, name=g.name, geometry=g.geometry, open=g.open, total=g.total)
            for g in grids
        ],
    )
