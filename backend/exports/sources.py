"""Where a report's figures come from — the one place the exports read other domains' numbers,
so a sheet shows exactly what the statistics API shows:

- the cover: ``backend.scoring.service.summary_page`` (GET /api/v1/stats/summary);
- per department: ``backend.scoring.service.department_statistics`` (GET /stats/departments);
- per member: ``backend.quotas.service.member_weeks``, one call per ISO week.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlmodel import Session

from backend.config import Settings
from backend.exports import repository as repo
from backend.exports.periods import Period, weeks_of
from backend.quotas.service import member_weeks
from backend.scoring.service import department_statistics, summary_page


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
) -> list[dict[str, Any]]:
    return list(department_statistics(session, period.first, period.last, settings, now=now))


def members(session: Session, period: Period, settings: Settings) -> list[dict[str, Any]]:
    return [
        {**row, "week": week}
        for week in weeks_of(period)
        for row in member_weeks(session, week, settings)
    ]


def indicators(session: Session, period: Period, settings: Settings) -> dict[int, dict[str, Any]]:
    """Seed 002's indicators per department; the score is the department's total under the
    active scheme."""
    start, end = bounds(period, settings)
    found = repo.indicators(session, start, end)
    for row in departments(session, period, settings):
        department = row.get("department") or {}
        department_id = department.get("id") if isinstance(department, dict) else None
        if department_id is None:
            continue
        score = (row.get("score") or {}).get("total")
        found.setdefault(int(department_id), {})["score"] = score
    return found
