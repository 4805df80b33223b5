"""Use cases behind the calendar routes."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from backend.config import Settings
from backend.db import begin_write
from backend.errors import InvalidInput
from backend.sla import repository as repo
from backend.sla import service
from backend.sla.schemas import CalendarDayIn, CalendarYearIn, CalendarYearOut


def load_year(
    session: Session, year: int, body: CalendarYearIn, settings: Settings, now: datetime
) -> CalendarYearOut:
    days: dict[date, bool] = {}
    notes: dict[date, str] = {}
    for index, day in enumerate(body.days):
        if day.date.year != year:
            raise InvalidInput(
                f"日期 {day.date} 不属于 {year} 年", code="wrong_year", field=f"days.{index}.date"
            )
        if day.date in days:
            raise InvalidInput(
                f"日期 {day.date} 重复", code="duplicate_day", field=f"days.{index}.date"
            )
        days[day.date] = day.workday
        if day.note:
            notes[day.date] = day.note
    begin_write(session)
    recomputed = service.load_official_year(session, year, days, notes, settings, now)
    out = get_year(session, year)
    out.recomputed_clocks = recomputed
    return out


def get_year(session: Session, year: int) -> CalendarYearOut:
    row = repo.calendar_year(session, year)
    days = [
        CalendarDayIn(date=d, workday=w)
        for d, w in sorted(repo.calendar_days(session).items())
        if d.year == year
    ]
    return CalendarYearOut(year=year, official=bool(row and row.official), days=days)
