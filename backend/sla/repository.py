"""Queries for clocks and calendar data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from backend.sla.models import CalendarDay, CalendarYear, Clock


def clocks_of(session: Session, order_id: int) -> list[Clock]:
    query = (
        select(Clock)
        .where(Clock.work_order_id == order_id)
        .order_by(col(Clock.due_at), col(Clock.id))
    )
    return list(session.exec(query))


def clock_of(session: Session, order_id: int, name: str) -> Clock | None:
    return session.exec(
        select(Clock).where(Clock.work_order_id == order_id, Clock.name == name)
    ).first()


def meet_clocks(session: Session, order_id: int, names: frozenset[str], now: datetime) -> None:
    session.execute(
        update(Clock)
        .where(
            col(Clock.work_order_id) == order_id,
            col(Clock.name).in_(sorted(names)),
            col(Clock.met_at).is_(None),
        )
        .values(met_at=now)
    )


def calendar_days(session: Session) -> dict[date, bool]:
    return {row.day: row.is_workday for row in session.exec(select(CalendarDay))}


def official_years(session: Session) -> set[int]:
    query = select(CalendarYear.year).where(col(CalendarYear.official).is_(True))
    return set(session.exec(query))


def calendar_year(session: Session, year: int) -> CalendarYear | None:
    return session.get(CalendarYear, year)


def replace_year_days(
    session: Session, year: int, days: dict[date, bool], notes: dict[date, str]
) -> None:
    start, end = date(year, 1, 1), date(year, 12, 31)
    for row in session.exec(
        select(CalendarDay).where(col(CalendarDay.day) >= start, col(CalendarDay.day) <= end)
    ):
        session.delete(row)
    session.flush()
    for day, workday in sorted(days.items()):
        session.add(CalendarDay(day=day, is_workday=workday, note=notes.get(day)))


def open_provisional_clocks(session: Session) -> list[Clock]:
    query = select(Clock).where(
        col(Clock.provisional).is_(True),
        col(Clock.met_at).is_(None),
        col(Clock.breached_at).is_(None),
    )
    return list(session.exec(query))


# A clock whose handling failed waits this long before the sweep tries it again.
SWEEP_RETRY_PAUSE = timedelta(minutes=10)


def mark_sweep_failed(session: Session, clock_id: int | None, now: datetime) -> None:
    session.execute(update(Clock).where(col(Clock.id) == clock_id).values(sweep_failed_at=now))


def claim_due_clocks(session: Session, now: datetime, limit: int) -> list[Clock]:
    """Clocks whose reminder or breach is due, locked for this sweep.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows. SQLite:
    the transaction already holds the database write lock (BEGIN IMMEDIATE).
    """
    pending = (
        col(Clock.met_at).is_(None)
        & col(Clock.breached_at).is_(None)
        & (
            col(Clock.sweep_failed_at).is_(None)
            | (col(Clock.sweep_failed_at) <= now - SWEEP_RETRY_PAUSE)
        )
    )
    reminder_due = (
        col(Clock.remind_at).is_not(None)
        & (col(Clock.remind_at) <= now)
        & col(Clock.reminded_at).is_(None)
    )
    query = (
        select(Clock)
        .where(pending, or_(reminder_due, col(Clock.due_at) <= now))
        .order_by(col(Clock.work_order_id), col(Clock.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))
