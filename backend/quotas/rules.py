"""Grid-member quotas and points of seed 001 (合阳县), as pure functions.

- ``weekly_quota``: one ISO week (Monday–Sunday, Asia/Shanghai) of a member — valid finds, the
  quota pro-rated to the week's working days, +1 per find on a day off by the working calendar
  (a 调休 make-up Saturday is a working day: no bonus), −1 per find missing below the quota,
  points = bonus − penalty, and a warning when the week has no find (五(一), 五(三)).
- ``empty_week_streak``: the warning after a week with no find and the replacement
  recommendation to the grid chief after two such weeks in a row (五(三)).
- ``timeline_penalties``: the penalty points of 五(二) from facts about orders;
  ``passive_case``: whether a citizen's complaint makes its problem a 被动接受反复投诉.

A valid find is the member's own report that became an order and was not rejected or merged
into an earlier report; the caller passes the instants of those. The numbers are profile data
(``data/quotas.yaml``); "now" never enters: everything is a function of its arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction
from itertools import pairwise
from math import ceil, floor

from backend.geo import haversine_m
from backend.quotas.quota_data import MemberQuota, ProRata, Streak, TimelinePenalties
from backend.sla.calendar import SHANGHAI, WorkCalendar

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week, e.g. 2026-W47 (Monday 2026-11-16 to Sunday 2026-11-22)."""

    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            weeks = date(self.year, 12, 28).isocalendar().week if 1 <= self.year <= 9999 else 0
            raise ValueError(
                f"{self.year}-W{self.week:02d} 不是有效的 ISO 周"
                + (f"（{self.year} 年有 {weeks} 周）" if weeks else "")
            ) from None

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``YYYY-Www``; ValueError (Chinese message) for anything else or a week that does not
        exist (2026-W54; 2025-W53)."""
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"周的格式应为 YYYY-Www，例如 2026-W47（收到 {text!r}）")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, instant: datetime, tz: tzinfo = SHANGHAI) -> IsoWeek:
        """The week ``instant`` falls in, on the wall clock of ``tz``."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant.isoformat()}: give an offset")
        year, week, _ = instant.astimezone(tz).isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def days(self) -> tuple[date, ...]:
        return tuple(self.monday + timedelta(days=i) for i in range(7))

    def next(self) -> IsoWeek:
        return IsoWeek.of_date(self.monday + timedelta(days=7))

    @classmethod
    def of_date(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def pro_rated(base: int, working_days: int, rule: ProRata) -> int:
    """``base`` finds asked of ``rule.working_days`` working days, for a week with
    ``working_days`` of them (see ``pro_rata`` in data/quotas.yaml)."""
    share = Fraction(base * working_days, rule.working_days)
    if rule.rounding == "half_up":
        value = floor(share + Fraction(1, 2))
    elif rule.rounding == "up":
        value = ceil(share)
    else:
        value = floor(share)
    return min(value, base) if rule.cap_at_base else value


@dataclass(frozen=True)
class WeekQuota:
    """One member's week. ``penalty`` is a positive number; ``points = bonus − penalty``."""

    week: IsoWeek
    working_days: int
    finds: int
    quota: int
    target: int
    missing: int
    bonus: int
    bonus_days: tuple[date, ...]  # the day of each find that earned the bonus
    penalty: int
    points: int
    warning: bool
    exempt: bool  # the pro-rated quota is 0: nothing asked, no warning, outside any streak
    outside_week: int  # instants given that fall in another week (not counted)
    provisional_years: frozenset[int]  # years whose calendar was guessed (no official data)

    @property
    def empty(self) -> bool:
        """A week that counts in a streak of weeks without a find."""
        return self.finds == 0 and not self.exempt

    def as_dict(self, profile: str) -> dict[str, object]:
        return {
            "profile": profile,
            "week": str(self.week),
            "from": self.week.monday.isoformat(),
            "to": self.week.sunday.isoformat(),
            "working_days": self.working_days,
            "finds": self.finds,
            "quota": self.quota,
            "target": self.target,
            "missing": self.missing,
            "bonus": self.bonus,
            "bonus_days": [day.isoformat() for day in self.bonus_days],
            "penalty": self.penalty,
            "points": self.points,
            "warning": self.warning,
            "exempt": self.exempt,
            "outside_week": self.outside_week,
            "provisional": bool(self.provisional_years),
            "provisional_years": sorted(self.provisional_years),
        }


def weekly_quota(
    week: IsoWeek,
    finds: Iterable[datetime],
    calendar: WorkCalendar,
    rule: MemberQuota,
    tz: tzinfo = SHANGHAI,
) -> WeekQuota:
    """The week of a member from the instants of the member's valid finds (aware datetimes;
    finds outside ``week`` are counted in ``outside_week`` only)."""
    days = week.days()
    working_days = sum(1 for day in days if calendar.is_workday(day))
    quota = pro_rated(rule.minimum, working_days, rule.pro_rata)
    target = max(quota, pro_rated(rule.target, working_days, rule.pro_rata))
    in_week: list[date] = []
    outside = 0
    for instant in finds:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant.isoformat()}: give an offset")
        day = instant.astimezone(tz).date()
        if week.monday <= day <= week.sunday:
            in_week.append(day)
        else:
            outside += 1
    bonus_days = tuple(sorted(day for day in in_week if not calendar.is_workday(day)))
    missing = max(0, quota - len(in_week))
    bonus = len(bonus_days) * rule.bonus_per_find_on_day_off
    penalty = missing * rule.penalty_per_missing_find
    exempt = quota == 0 and rule.exempt_weeks_without_quota
    return WeekQuota(
        week=week,
        working_days=working_days,
        finds=len(in_week),
        quota=quota,
        target=target,
        missing=missing,
        bonus=bonus,
        bonus_days=bonus_days,
        penalty=penalty,
        points=bonus - penalty,
        warning=not in_week and not exempt,
        exempt=exempt,
        outside_week=outside,
        provisional_years=calendar.provisional_years(week.monday, week.sunday),
    )


# -- streaks of weeks without a find ---------------------------------------------------------


@dataclass(frozen=True)
class StreakVerdict:
    """For the last week of a history: how many weeks in a row had no find (exempt weeks are
    skipped: they neither count nor break the streak), and who is told what."""

    week: IsoWeek
    empty_weeks_in_a_row: int
    warning: bool
    warn: tuple[str, ...]  # roles told of the warning
    recommend_replacement: bool
    recommend_to: tuple[str, ...]


def empty_week_streak(history: Sequence[WeekQuota], rule: Streak) -> StreakVerdict:
    """``history``: a member's consecutive weeks, oldest first, ending with the week to judge.
    ValueError when it is empty or has a gap (a missing week would hide an empty one)."""
    if not history:
        raise ValueError("history is empty: give at least the week to judge")
    for earlier, later in pairwise(history):
        if earlier.week.next() != later.week:
            raise ValueError(f"weeks must be consecutive: {earlier.week}, then {later.week}")
    last = history[-1]
    streak = 0
    if not last.exempt:
        for week in reversed(history):
            if week.exempt:
                continue
            if not week.empty:
                break
            streak += 1
    warning = streak >= rule.warning_after_empty_weeks
    replace = streak >= rule.replacement_after_empty_weeks
    return StreakVerdict(
        week=last.week,
        empty_weeks_in_a_row=streak,
        warning=warning,
        warn=tuple(rule.warn) if warning else (),
        recommend_replacement=replace,
        recommend_to=tuple(rule.recommend_replacement_to) if replace else (),
    )


# -- penalties from timeline facts -----------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What the timeline says about one order the member answers for.

    ``citizen_reports_before_member``: citizen (hotline) orders at the same place and category
    before the member reported the problem — or before the end of the period when the member
    never did. ``untrue_result``: the verification found the result untrue or not rectified
    (核查结果不真实、未整改). ``buck_passing``: 推诿扯皮、转圈派发. ``second_order``: a 二次工单
    (sent back for a second handling); ``overdue``: 超时工单."""

    order: str
    citizen_reports_before_member: int = 0
    untrue_result: bool = False
    buck_passing: bool = False
    second_order: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class Penalty:
    order: str
    reason: str  # passive_discovery | untrue_result | buck_passing | second_or_overdue
    points: int  # positive; taken off the member's points
    citation: str


CITATIONS = {
    "passive_discovery": "合阳县 五(二)：被动接受反复投诉3次以上，网格员未及时巡查上报，每起扣5分",
    "untrue_result": "合阳县 五(二)：核查结果不真实、未整改工单，每件扣5分",
    "buck_passing": "合阳县 五(二)：推诿扯皮、转圈派发工单，每件扣5分",
    "second_or_overdue": "合阳县 五(二)：二次工单、超时工单，每件扣2分",
}


def is_passive_discovery(citizen_reports_before_member: int, rule: TimelinePenalties) -> bool:
    """Citizens reported it ``citizen_reports_threshold`` times or more before the member."""
    if citizen_reports_before_member < 0:
        raise ValueError("citizen_reports_before_member must be >= 0")
    return citizen_reports_before_member >= rule.citizen_reports_threshold


@dataclass(frozen=True)
class Place:
    """Where an order is: its point (WGS-84) and its address, either may be missing."""

    lat: float | None
    lng: float | None
    address: str | None

    def same_as(self, other: Place, radius_m: float) -> bool:
        """The 返潮 test of backend.dispatch: within ``radius_m`` or at the same address."""
        mine = (self.address or "").strip()
        if mine and (other.address or "").strip() == mine:
            return True
        if self.lat is None or self.lng is None or other.lat is None or other.lng is None:
            return False
        return haversine_m(self.lat, self.lng, other.lat, other.lng) <= radius_m


@dataclass(frozen=True)
class EarlierOrder:
    """An order of the same category created before the one judged: a citizen's complaint,
    or a member's own report (patrol, inspector)."""

    place: Place
    created_at: datetime
    citizen: bool


def passive_case(
    place: Place,
    created_at: datetime,
    earlier: Iterable[EarlierOrder],
    rule: TimelinePenalties,
    radius_m: float,
    window: timedelta,
) -> int | None:
    """For a citizen's complaint: when it is the one that makes the problem a 被动接受反复投诉
    (the ``citizen_reports_threshold``-th complaint at its place and category within
    ``window``) and no member reported the problem there before it, the number of complaints
    (including this one); otherwise None. Only the complaint that reaches the threshold is a
    case, so the 4th and 5th calls about the same problem are the same 起, not new ones."""
    citizens = 0
    for other in earlier:
        if other.created_at < created_at - window or not place.same_as(other.place, radius_m):
            continue
        if not other.citizen:
            return None  # a member reported it first: found actively
        citizens += 1
    count = citizens + 1
    return count if count == rule.citizen_reports_threshold else None


def timeline_penalties(facts: Iterable[OrderFacts], rule: TimelinePenalties) -> tuple[Penalty, ...]:
    """Every penalty the facts call for, in order; an order that is both a second and an
    overdue order is one 件 and costs the 2 points once."""
    penalties: list[Penalty] = []

    def add(order: str, reason: str, points: int) -> None:
        if points:
            penalties.append(Penalty(order, reason, points, CITATIONS[reason]))

    for fact in facts:
        if is_passive_discovery(fact.citizen_reports_before_member, rule):
            add(fact.order, "passive_discovery", rule.passive_discovery)
        if fact.untrue_result:
            add(fact.order, "untrue_result", rule.untrue_result)
        if fact.buck_passing:
            add(fact.order, "buck_passing", rule.buck_passing)
        if fact.second_order or fact.overdue:
            add(fact.order, "second_or_overdue", rule.second_or_overdue)
    return tuple(penalties)
