"""Calendar administration bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.fields import ApiModel, Day


class CalendarDayIn(ApiModel):
    date: Day
    workday: bool = Field(description="true: a 调休 make-up working day; false: a holiday")
    note: str | None = Field(default=None, max_length=40)


class CalendarYearIn(ApiModel):
    days: list[CalendarDayIn] = Field(max_length=366)


class CalendarYearOut(BaseModel):
    year: int
    official: bool
    days: list[CalendarDayIn]
    recomputed_clocks: int = 0
