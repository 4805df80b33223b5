"""Report kinds and their periods (pure): which days a 日报, 周报, 月报 or 双月报 covers, the
last finished one, and the periods its comparisons read (环比: the period before; 同比: the
same period a year before). Days are Asia/Shanghai days; a period's last day is inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    bimonthly = "bimonthly"  # seed 002 五: 每双月 … 通报


KIND_LABELS: dict[Kind, str] = {
    Kind.daily: "日报",
    Kind.weekly: "周报",
    Kind.monthly: "月报",
    Kind.bimonthly: "双月通报",
}


@dataclass(frozen=True, order=True)
class Period:
    kind: Kind
    first: date
    last: date  # inclusive

    @property
    def after(self) -> date:
        """The day after the last: the period is [first, after)."""
        return self.last + timedelta(days=1)

    def label(self) -> str:
        if self.kind is Kind.daily:
            return f"{self.first:%Y年%m月%d日}"
        if self.kind is Kind.weekly:
            year, week, _ = self.first.isocalendar()
            return f"{year}年第{week}周（{self.first:%m月%d日}至{self.last:%m月%d日}）"
        if self.kind is Kind.monthly:
            return f"{self.first:%Y年%m月}"
        return f"{self.first.year}年{self.first.month}-{self.last.month}月"

    def file_name(self) -> str:
        """The download's name, in Chinese (sent as RFC 5987 ``filename*``)."""
        return f"网格工单{KIND_LABELS[self.kind]}_{self.label()}.xlsx"


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, count: int) -> date:
    """The first day ``count`` months after ``first`` (a first of a month)."""
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: Kind, day: date) -> Period:
    """The period of this kind that ``day`` falls in: the day; its week, Monday to Sunday;
    its month; its two months (Jan–Feb, Mar–Apr, …, as the interview rule counts them)."""
    if kind is Kind.daily:
        return Period(kind, day, day)
    if kind is Kind.weekly:
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is Kind.monthly:
        first = _month_start(day)
        return Period(kind, first, _months(first, 1) - timedelta(days=1))
    first = date(day.year, day.month - (day.month - 1) % 2, 1)
    return Period(kind, first, _months(first, 2) - timedelta(days=1))


def last_finished(kind: Kind, today: date) -> Period:
    """The latest period of this kind that ended before ``today``: yesterday, last week, last
    month, the last full two months."""
    current = period_of(kind, today)
    return period_of(kind, current.first - timedelta(days=1))


def previous(period: Period) -> Period:
    """环比: the period just before."""
    return period_of(period.kind, period.first - timedelta(days=1))


def year_before(period: Period) -> Period:
    """同比: the same period a year before (a 29 February is read as the 28th)."""
    first = period.first
    try:
        shifted = first.replace(year=first.year - 1)
    except ValueError:
        shifted = first.replace(year=first.year - 1, day=28)
    if period.kind is Kind.weekly:  # the same ISO week number a year before
        year, week, _ = first.isocalendar()
        try:
            shifted = date.fromisocalendar(year - 1, week, 1)
        except ValueError:
            shifted = date.fromisocalendar(year - 1, 52, 1)
    return period_of(period.kind, shifted)


def weeks_of(period: Period) -> list[str]:
    """The ISO weeks (``2026-W47``) a member sheet shows: those that start in the period, or
    the week containing it when none does (a daily report)."""
    mondays = [
        period.first + timedelta(days=i)
        for i in range((period.after - period.first).days)
        if (period.first + timedelta(days=i)).weekday() == 0
    ] or [period.first - timedelta(days=period.first.weekday())]
    return [f"{m.isocalendar()[0]}-W{m.isocalendar()[1]:02d}" for m in mondays]


def needs_generation(
    status: str | None,
    generated_at: datetime | None,
    period_end: datetime,
    now: datetime,
    retry_after: timedelta = timedelta(hours=1),
) -> bool:
    """Whether the worker's schedule makes this report (again): none yet; one made before its
    period was over (on demand, with part of the period), which is made once more with all
    of it; or one that failed, tried again after ``retry_after``. A finished report is left
    alone, so running the schedule twice changes nothing."""
    if status is None:
        return True
    if status == "failed":
        return generated_at is None or now - generated_at >= retry_after
    return generated_at is None or generated_at < period_end
