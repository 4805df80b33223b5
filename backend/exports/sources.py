"""Where a report's figures come from — the one place the exports read other domains' numbers,
so a sheet shows exactly what the statistics API shows:

- the cover: the street's totals of the period (backend.exports.repository.street_totals,
  the shape of GET /api/v1/stats/summary);
- per department: ``backend.scoring.service.department_statistics`` (GET /stats/departments);
- per member: ``backend.quotas.service.member_weeks``, one call per ISO week.

Until the scoring and quota services exist in this checkout, their sheets say the source is
not available (None) rather than showing numbers computed a second way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from sqlmodel import Session

from backend.config import Settings
from backend.exports import repository as repo
from backend.exports.periods import Period, weeks_of
from backend.scoring.service import summary_page


def _service(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        return None


def bounds(period: Period, settings: Settings) -> tuple[datetime, datetime]:
    """The period as instants: its first day 00:00 to the day after its last, in the street's
    zone."""
    return (
        datetime.combine(period.first, time(), settings.tz),
        datetime.combine(period.after, time(), settings.tz),
    )


def summary(session: Session, period: Period, settings: Settings, now: datetime) -> dict[str, Any]:
    """The street's totals exactly as GET /stats/summary answers them at ``now`` (a clock still
    running past its due time counts as missed)."""
    return summary_page(session, period.first.isoformat(), period.last.isoformat(), settings, now)


def departments(
    session: Session, period: Period, settings: Settings, now: datetime | None = None
) -> list[dict] | None:
    statistics = _service("backend.scoring.service", "department_statistics")
    if statistics is None:
        return None
    return list(statistics(session, period.first, period.last, settings, now=now))


def members(session: Session, period: Period, settings: Settings) -> list[dict] | None:
    weeks = _service("backend.quotas.service", "member_weeks")
    if weeks is None:
        return None
    return [
        {**row, "week": week} for week in weeks_of(period) for row in weeks(session, week, settings)
    ]


def indicators(session: Session, period: Period, settings: Settings) -> dict[int, dict[str, Any]]:
    """Seed 002's indicators per department; the score is the department's total under the
    active scheme when the scoring service is there."""
    start, end = bounds(period, settings)
    found = repo.indicators(session, start, end)
    for row in departments(session, period, settings) or []:
        department = row.get("department") or {}
        department_id = department.get("id") if isinstance(department, dict) else None
        if department_id is None:
            continue
        score = (row.get("score") or {}).get("total")
        found.setdefault(int(department_id), {})["score"] = score
    return found
