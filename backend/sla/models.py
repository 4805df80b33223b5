"""Stored deadlines (clocks) and the working-calendar data kept in the database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class Clock(SQLModel, table=True):
    """One deadline of one order. The worker sweeps these by remind_at and due_at."""

    __tablename__ = "clock"
    __table_args__ = (UniqueConstraint("work_order_id", "name"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    name: str = Field(max_length=30)
    # The rule, kept so a provisional deadline can be recomputed when the calendar firms up
    # (the source picks the profile's reminder leads).
    source: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    level: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    started_at: datetime = Field(sa_type=UTCDateTime)
    amount: int
    unit: str = Field(max_length=20)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    provisional: bool = False
    remind_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    breached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The sweep failed on this clock then; it is retried after a pause, not first every tick.
    sweep_failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarDay(SQLModel, table=True):
    """An official day loaded by an admin (holiday or 调休 make-up workday)."""

    __tablename__ = "calendar_day"

    day: date = Field(primary_key=True)
    is_workday: bool
    note: str | None = Field(default=None, max_length=40)


class CalendarYear(SQLModel, table=True):
    """A year whose official schedule is loaded; its deadlines are no longer provisional."""

    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    official: bool = True
    loaded_at: datetime = Field(sa_type=UTCDateTime)
    # When the admins were told this year has no official schedule yet (once per year).
    warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
