"""Calendar administration bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CalendarDayIn(BaseModel):
    date: date
    workday: bool = Field(description="true: a 调休 make-up working day; false: a holiday")
    note: str | None = Field(default=None, max_length=40)


class CalendarYearIn(BaseModel):
    days: list[CalendarDayIn] = Field(max_length=366)


class CalendarYearOut(BaseModel):
    year: int
    official: bool
    days: list[CalendarDayIn]
    recomputed_clocks: int = 0
