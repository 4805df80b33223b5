"""The Chinese working calendar (pure).

Days come from three layers, the first that knows a day wins:
1. ``overrides`` — official days loaded by an admin (shipped YAML file + database table);
2. the ``chinesecalendar`` package — statutory holidays and 调休 make-up workdays;
3. a provisional guess for years nobody has published yet: weekends and the fixed-date
   statutory holidays off.

A year is *final* when the package covers it or an admin marked it official; otherwise it is
*provisional*, and every result that looked at a guessed day says so and names the year(s), so
a guess is never presented as final (deadlines cross into next year every December, before the
State Council's schedule is out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Fixed-date statutory holidays used for provisional years. Source: 《全国年节及纪念日放假办法》
# as revised by the State Council in November 2024 (in force from 2025): 元旦 1 day (1 Jan),
# 劳动节 2 days (1–2 May), 国庆节 3 days (1–3 Oct). chinesecalendar's data for 2025 and 2026
# agrees (05-01/02 are the statutory days, bridged to five by 调休). The lunar holidays (春节,
# 端午, 中秋) and 清明 move every year and are not guessed: the whole year stays provisional.
FIXED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
)


def covered_years() -> range:
    """Years the installed chinesecalendar covers (it raises NotImplementedError outside them)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


@dataclass(frozen=True)
class Deadline:
    """An instant computed on the calendar; ``provisional`` when it relied on a guessed day."""

    due_at: datetime
    provisional: bool = False
    provisional_years: frozenset[int] = frozenset()

    @staticmethod
    def final(due_at: datetime) -> Deadline:
        return Deadline(due_at, False, frozenset())

    def depending_on(self, years: Iterable[int]) -> Deadline:
        """The same instant, also provisional on ``years`` (e.g. a reminder derived from a due)."""
        merged = self.provisional_years | frozenset(years)
        return Deadline(self.due_at, bool(merged), merged)


def _aware(moment: datetime, tz: tzinfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give an offset or a time zone")
    return moment.astimezone(tz)


def _at(day: date, clock: datetime, tz: tzinfo) -> datetime:
    """``day`` at the wall-clock time of ``clock`` in ``tz``, normalised through UTC so that a
    wall time skipped by a DST change still yields a real instant."""
    wall = datetime.combine(day, clock.timetz().replace(tzinfo=None), tzinfo=tz)
    return wall.astimezone(UTC).astimezone(tz)


def elapsed(start: datetime, delta: timedelta, tz: tzinfo = SHANGHAI) -> datetime:
    """``start`` plus real elapsed time. Done in UTC: Python adds a timedelta to an aware
    datetime on the wall clock, which a DST change would stretch or shrink."""
    return (_aware(start, tz).astimezone(UTC) + delta).astimezone(tz)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC).astimezone(tz)


class WorkCalendar:
    """Working days on the mainland Chinese calendar, with admin overrides."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        official_years: Iterable[int] = (),
        *,
        package_years: Iterable[int] | None = None,
    ) -> None:
        # package_years: which years to trust chinesecalendar for. Default: all it covers; tests
        # pass fewer to exercise the provisional path for a year the package already knows.
        self._overrides = dict(overrides or {})
        self._official = frozenset(official_years)
        self._package = frozenset(covered_years() if package_years is None else package_years)
        self._cache: dict[date, bool] = {}

    @property
    def official_years(self) -> frozenset[int]:
        return self._official

    # -- days ----------------------------------------------------------------------------

    def is_provisional_year(self, year: int) -> bool:
        return year not in self._package and year not in self._official

    def is_certain(self, day: date) -> bool:
        """True when ``day`` is known (override, package or official year), not guessed."""
        return day in self._overrides or not self.is_provisional_year(day.year)

    def is_workday(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._lookup(day)
        return cached

    def _lookup(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day.year in self._package:
            return bool(chinese_calendar.is_workday(day))
        # Provisional rule (and the base for official years, whose overrides then list the
        # lunar holidays and make-up days): weekends and the fixed-date holidays are off.
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def provisional_years(self, first: date, last: date) -> frozenset[int]:
        """Years of the guessed days in ``first..last`` (inclusive, either order)."""
        if last < first:
            first, last = last, first
        if not any(self.is_provisional_year(y) for y in range(first.year, last.year + 1)):
            return frozenset()  # fast path: nothing in range is guessed
        return frozenset(d.year for d in _days(first, last) if not self.is_certain(d))

    def _deadline(self, due_at: datetime, first: date, last: date) -> Deadline:
        years = self.provisional_years(first, last)
        return Deadline(due_at, bool(years), years)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self._step(day, timedelta(days=1))

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self._step(day, timedelta(days=-1))

    def _step(self, day: date, step: timedelta) -> date:
        # Bounded: overrides that switch off a whole year must fail loudly, not hang a sweep.
        for _ in range(366):
            day += step
            if self.is_workday(day):
                return day
        raise ValueError(f"no working day within a year of {day.isoformat()}: check overrides")

    # -- working-day arithmetic ------------------------------------------------------------

    def add_working_days(self, start: datetime, n: int, tz: tzinfo = SHANGHAI) -> Deadline:
        """``n`` working days counted from receipt, as the seeds do.

        Received on a working day: the same clock time on the n-th working day after that day
        (Wed 2026-09-30 16:00 + 1 → Thu 2026-10-08 16:00, across the National Day holiday).

        Received on a day off: nobody at the street can act before the next working day, so the
        count starts at 00:00 of that day and each working day is a whole day; the deadline is
        the end (24:00) of the n-th working day (Sat 10:00 + 1 → Tue 00:00, i.e. end of Monday).
        n = 0 gives the start of the count.
        """
        if n < 0:
            raise ValueError("n must be >= 0; use subtract_working_days to go back")
        local = _aware(start, tz)
        day = local.date()
        if self.is_workday(day):
            for _ in range(n):
                day = self.next_workday(day)
            return self._deadline(_at(day, local, tz), local.date(), day)
        day = self.next_workday(day)
        if n == 0:
            return self._deadline(_midnight(day, tz), local.date(), day)
        for _ in range(n - 1):
            day = self.next_workday(day)
        return self._deadline(_midnight(day + timedelta(days=1), tz), local.date(), day)

    def subtract_working_days(self, due: datetime, n: int, tz: tzinfo = SHANGHAI) -> Deadline:
        """``n`` working days before ``due`` (for "remind 2 working days before due").

        Due on a working day: the same clock time on the n-th working day before. Due on a day
        off (e.g. 00:00 after the last working day, or a natural-day clock ending on a Sunday):
        read it as the end of the previous working day and answer the end of the working day n
        working days before that, mirroring add_working_days.
        """
        if n < 0:
            raise ValueError("n must be >= 0; use add_working_days to go forward")
        local = _aware(due, tz)
        day = local.date()
        if self.is_workday(day):
            for _ in range(n):
                day = self.previous_workday(day)
            return self._deadline(_at(day, local, tz), day, local.date())
        end = self.previous_workday(day)
        for _ in range(n):
            end = self.previous_workday(end)
        return self._deadline(_midnight(end + timedelta(days=1), tz), end, local.date())

    def working_days_between(self, a: datetime, b: datetime, tz: tzinfo = SHANGHAI) -> int:
        """Whole working days elapsed from ``a`` to ``b``: the largest n with
        add_working_days(a, n) <= b (negative when b is before a). "Returned within 2 working
        days" is ``working_days_between(dispatched, returned) < 2``."""
        a_local, b_local = _aware(a, tz), _aware(b, tz)
        if b_local.astimezone(UTC) < a_local.astimezone(UTC):
            return -self.working_days_between(b_local, a_local, tz)
        start_day, end_day = a_local.date(), b_local.date()
        inner = sum(
            1
            for d in _days(start_day + timedelta(days=1), end_day - timedelta(days=1))
            if self.is_workday(d)
        )
        # The last day counts only if its deadline instant has been reached; for a start on a
        # day off that instant is 24:00 of the working day, i.e. never within that same day.
        if (
            end_day > start_day
            and self.is_workday(start_day)
            and self.is_workday(end_day)
            and _at(end_day, a_local, tz).astimezone(UTC) <= b_local.astimezone(UTC)
        ):
            inner += 1
        return inner

    # -- calendar-free arithmetic (never provisional) -----------------------------------------

    def add_minutes(self, start: datetime, n: int, tz: tzinfo = SHANGHAI) -> Deadline:
        return Deadline.final(elapsed(start, timedelta(minutes=n), tz))

    def add_hours(self, start: datetime, n: int, tz: tzinfo = SHANGHAI) -> Deadline:
        return Deadline.final(elapsed(start, timedelta(hours=n), tz))

    def add_natural_days(self, start: datetime, n: int, tz: tzinfo = SHANGHAI) -> Deadline:
        # Calendar days: same wall-clock time n days later, weekends and holidays included.
        local = _aware(start, tz)
        return Deadline.final(_at(local.date() + timedelta(days=n), local, tz))


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
