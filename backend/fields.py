"""Bounded input types every request schema and route parameter uses.

Databases store ids and counts as signed 64-bit integers, PostgreSQL refuses NUL characters in
text, and instants far from today overflow when moved between zones. Declaring the bounds once,
here, turns all of that into a 422 that names the field instead of a 500 deep in a query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

MAX_ID = 2**63 - 1
# Clients send times of real events: capture, contact, deadlines. Anything outside this span
# is a typo or an attack, and the far ends overflow on conversion to UTC.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符（\\u0000）")
    return value


def _in_range(moment: datetime) -> datetime:
    # Naive values are read as Shanghai time later; comparing in UTC+8 or UTC is the same at
    # this resolution, so compare without a zone first to avoid the overflow we guard against.
    naive = moment.replace(tzinfo=None)
    if not EARLIEST.replace(tzinfo=None) <= naive < LATEST.replace(tzinfo=None):
        raise ValueError("时间须在 2000 年至 2099 年之间")
    return moment


def _date_in_range(day: date) -> date:
    if not EARLIEST.date() <= day < LATEST.date():
        raise ValueError("日期须在 2000 年至 2099 年之间")
    return day


# Versions and the responsibility list's 序号 are 32-bit columns; ids are 64-bit. A step
# stores the version it saw plus one, so that must fit too.
MAX_VERSION = 2**31 - 2
MAX_CATEGORY_NUMBER = 9999

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Version = Annotated[
    int, Field(ge=1, le=MAX_VERSION, description="the order version the client saw")
]
CategoryNumber = Annotated[int, Field(ge=1, le=MAX_CATEGORY_NUMBER, description="事项清单序号")]
Text = Annotated[str, AfterValidator(_no_nul)]
Instant = Annotated[datetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_date_in_range)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
CategoryPath = Annotated[int, Path(ge=1, le=MAX_CATEGORY_NUMBER)]


class ApiModel(BaseModel):
    """Base of request bodies: no infinities, and no NUL character in any string value."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_anywhere(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("不能包含空字符（\\u0000）")
        return value
