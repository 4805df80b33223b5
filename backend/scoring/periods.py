"""A statistics period and the scheme a street scores by (pure: no web or database imports).

A period is given as two calendar dates, both inclusive, in the street's time zone
(Asia/Shanghai): 2026-11-01..2026-11-30 is [2026-11-01 00:00, 2026-12-01 00:00) Shanghai time,
i.e. [2026-10-31 16:00, 2026-11-30 16:00) UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

# A year and a day: a leap year's whole year fits, a longer span is a mistake (and a heavy
# query on a million orders).
MAX_PERIOD_DAYS = 366

# The scheme each policy profile scores by. heyang (seed 001) and xiayang (seed 002) have no
# department formula of their own; seed 002's bimonthly report ranks departments by late
# acceptances, missed first contacts, overdue orders, returns and unsatisfied callbacks — the
# deduction items of zhenru's 计分表 (seed 003) — so zhenru is their default.
PROFILE_SCHEMES: dict[str, str] = {
    "jiangning": "jiangning",
    "zhenru": "zhenru",
    "dongcheng": "dongcheng",
}
DEFAULT_SCHEME = "zhenru"


class PeriodError(ValueError):
    """A bad period; ``field`` names the query parameter."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date  # inclusive
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def _date(text: str | None, field: str) -> date:
    if text is None or not text.strip():
        raise PeriodError("period_required", f"缺少日期 {field}（格式 YYYY-MM-DD）", field)
    try:
        if len(text.strip()) != 10:
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            "invalid_date", f"日期 {field} 格式有误：{text[:20]!r}（应为 YYYY-MM-DD）", field
        ) from None


def period(
    date_from: str | None,
    date_to: str | None,
    tz: tzinfo,
    *,
    fields: tuple[str, str] = ("from", "to"),
    max_days: int = MAX_PERIOD_DAYS,
) -> Period:
    """The period of two dates (both inclusive) in ``tz``. PeriodError names the bad field:
    missing or malformed, ``to`` before ``from``, or longer than ``max_days``."""
    first, last = _date(date_from, fields[0]), _date(date_to, fields[1])
    if last < first:
        raise PeriodError(
            "period_reversed", f"结束日期 {fields[1]} 早于开始日期 {fields[0]}", fields[1]
        )
    days = (last - first).days + 1
    if days > max_days:
        raise PeriodError(
            "period_too_long", f"统计周期最长 {max_days} 天（收到 {days} 天）", fields[1]
        )
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return Period(first, last, start, end)


def active_scheme(configured: str | None, policy_profile: str) -> str:
    """The setting ``scoring_scheme`` when set, else the profile's scheme."""
    if configured:
        return configured
    return PROFILE_SCHEMES.get(policy_profile, DEFAULT_SCHEME)
