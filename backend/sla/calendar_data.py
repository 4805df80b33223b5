"""Reading calendar overrides from YAML, and the default calendar for the CLI."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backend.sla.calendar import WorkCalendar

OVERRIDES_FILE = Path(__file__).parent / "data" / "calendar_overrides.yaml"


def load_overrides_file(path: Path | str) -> tuple[dict[date, bool], set[int]]:
    """Parse an overrides file into ({day: is_workday}, official_years).

    Raises ValueError naming the file and the entry on any malformed content, so a bad edit
    fails at start-up instead of silently shifting deadlines.
    """
    where = str(path)
    raw: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with 'official_years' and 'days'")
    unknown = set(raw) - {"official_years", "days"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    years_raw = raw.get("official_years") or []
    if not isinstance(years_raw, list) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in years_raw
    ):
        raise ValueError(f"{where}: official_years must be a list of years, e.g. [2027]")
    days: dict[date, bool] = {}
    for index, entry in enumerate(raw.get("days") or []):
        at = f"{where}: days[{index}]"
        if not isinstance(entry, dict) or set(entry) - {"date", "workday", "note"}:
            raise ValueError(f"{at}: expected {{date, workday, note?}}")
        day, workday = entry.get("date"), entry.get("workday")
        # YAML reads an unquoted 2027-01-01 as a date; accept a quoted string too.
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError as exc:
                raise ValueError(f"{at}.date: not a date: {day!r}") from exc
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"{at}.date: expected YYYY-MM-DD")
        if not isinstance(workday, bool):
            raise ValueError(f"{at}.workday: expected true or false")
        if day in days:
            raise ValueError(f"{at}: {day.isoformat()} is listed twice")
        days[day] = workday
    return days, set(years_raw)


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[date, bool], frozenset[int]]:
    days, years = load_overrides_file(OVERRIDES_FILE)
    return days, frozenset(years)


def default_calendar() -> WorkCalendar:
    """The calendar from the package plus the shipped file only (no database)."""
    days, years = _shipped()
    return WorkCalendar(days, years)
