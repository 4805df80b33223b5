"""Calendar administration bodies."""

from __future__ import annotations

from typing import Any

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


class AssumptionOut(BaseModel):
    path: str = Field(description="dotted path in the profile file (and in policy_overrides)")
    value: Any = Field(description="the value in force")
    reason: str = Field(description="why the profile guessed it: the seed does not give it")
    overridden: bool = Field(description="the street's policy_overrides set it: not a guess")
    assumed: Any = Field(description="the profile's guess, before overrides")


class PolicyProfileOut(BaseModel):
    name: str
    label: str
    seed: str
    overrides: dict[str, Any] = Field(description="the deployment's policy_overrides")
    assumptions: list[AssumptionOut]
