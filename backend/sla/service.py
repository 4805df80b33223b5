"""Deadlines of orders: the profile in force, the calendar (file + database), clocks.

The pure rules live in calendar.py, profiles.py and deadlines.py; this module reads and
writes the database around them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache

from sqlmodel import Session

from backend.config import Settings
from backend.notify import service as notify
from backend.sla import deadlines
from backend.sla import profiles as profile_rules
from backend.sla import repository as repo
from backend.sla.calendar import Deadline, WorkCalendar
from backend.sla.calendar_data import OVERRIDES_FILE, load_overrides_file
from backend.sla.models import CalendarYear, Clock
from backend.sla.profiles import ClockRule, Duration, Profile, Unit


@lru_cache(maxsize=16)
def _profile(name: str, overrides_json: str) -> Profile:
    return profile_rules.load_profile(name, json.loads(overrides_json) or None)


def profile_for(settings: Settings) -> Profile:
    return _profile(settings.policy_profile, json.dumps(settings.policy_overrides, sort_keys=True))


def default_level(profile: Profile, source: str) -> str:
    return profile_rules.source_rule(profile, source).default_level


def levels(profile: Profile, source: str) -> tuple[str, ...]:
    return profile_rules.levels(profile, source)


def level_labels(profile: Profile, source: str) -> dict[str, str]:
    return profile_rules.level_labels(profile, source)


@lru_cache(maxsize=1)
def _file_calendar() -> tuple[dict[date, bool], frozenset[int]]:
    days, years = load_overrides_file(OVERRIDES_FILE)
    return days, frozenset(years)


def calendar_for(session: Session) -> WorkCalendar:
    """The shipped override file plus the days admins loaded; database rows win."""
    file_days, file_years = _file_calendar()
    return WorkCalendar(
        {**file_days, **repo.calendar_days(session)}, file_years | repo.official_years(session)
    )


def is_workday_daytime(session: Session, now: datetime, settings: Settings) -> bool:
    local = now.astimezone(settings.tz)
    in_hours = settings.workday_daytime_start <= local.time() < settings.workday_daytime_end
    return in_hours and calendar_for(session).is_workday(local.date())


def warn_provisional(session: Session, years: frozenset[int], now: datetime) -> None:
    """Tells the admins, once per year, that deadlines in it are provisional guesses."""
    for year in sorted(years):
        row = repo.calendar_year(session, year)
        if row is not None and (row.official or row.warned_at is not None):
            continue
        row = row or CalendarYear(year=year, official=False, loaded_at=now)
        row.warned_at = now
        session.add(row)
        notify.notify(
            session,
            notify.admins(session),
            kind="calendar_provisional",
            title=f"{year} 年法定节假日安排尚未导入",
            body=f"涉及 {year} 年的办理时限暂按周末和固定日期节假日估算（临时），"
            f"请在国务院公布安排后导入 {year} 年的节假日和调休上班日。",
            dedupe_key=f"calendar:{year}:provisional",
            now=now,
            data={"year": year},
        )


def _start(
    session: Session,
    order_id: int,
    rule: ClockRule,
    profile: Profile,
    start: datetime,
    calendar: WorkCalendar,
    settings: Settings,
    now: datetime,
) -> Clock:
    due = deadlines.add_duration(start, rule.duration, calendar, settings.tz)
    remind = deadlines.reminder_at(profile, rule, start, due, calendar, settings.tz)
    years = due.provisional_years | remind.provisional_years
    if years:
        warn_provisional(session, years, now)
    clock = repo.clock_of(session, order_id, rule.clock) or Clock(
        work_order_id=order_id, name=rule.clock, started_at=start, amount=0, unit="", due_at=start
    )
    clock.source, clock.level = rule.source, rule.level
    clock.started_at = start
    clock.amount, clock.unit = rule.duration.amount, rule.duration.unit.value
    clock.due_at = due.due_at
    clock.remind_at = remind.due_at
    clock.provisional = bool(years)
    clock.reminded_at = clock.met_at = clock.breached_at = None
    session.add(clock)
    return clock


def start_dispatch_clock(
    session: Session, order_id: int, source: str, level: str, settings: Settings, now: datetime
) -> Clock:
    profile = profile_for(settings)
    rule = profile_rules.clock_rule(profile, source, level, "dispatch")
    return _start(session, order_id, rule, profile, now, calendar_for(session), settings, now)


def start_order_clocks(
    session: Session,
    order_id: int,
    source: str,
    level: str,
    settings: Settings,
    now: datetime,
    *,
    starts: dict[str, datetime] | None = None,
    skip: frozenset[str] = frozenset({"dispatch"}),
) -> list[Clock]:
    """On dispatch: every clock of the level but those skipped, each from ``starts[name]``
    when given (a clock that counts from the order's arrival), else from now."""
    profile = profile_for(settings)
    calendar = calendar_for(session)
    started = []
    for name in profile_rules.clocks(profile, source, level):
        if name in skip:
            continue
        rule = profile_rules.clock_rule(profile, source, level, name)
        start = (starts or {}).get(name, now)
        started.append(_start(session, order_id, rule, profile, start, calendar, settings, now))
    session.flush()
    return started


def meet(session: Session, order_id: int, name: str, now: datetime) -> None:
    clock = repo.clock_of(session, order_id, name)
    if clock is not None and clock.met_at is None:
        clock.met_at = now
        session.add(clock)


def meet_all(session: Session, order_id: int, names: frozenset[str], now: datetime) -> None:
    """Marks these running clocks of the order met, in one statement."""
    repo.meet_clocks(session, order_id, names, now)


def clock_of(session: Session, order_id: int, name: str) -> Clock | None:
    return repo.clock_of(session, order_id, name)


def _rule_of(clock: Clock) -> ClockRule:
    return ClockRule(
        clock.source, clock.level, clock.name, Duration(clock.amount, Unit(clock.unit))
    )


def recompute_provisional(session: Session, settings: Settings) -> int:
    """Re-derives every open provisional deadline from its stored rule, on today's calendar."""
    calendar = calendar_for(session)
    profile = profile_for(settings)
    changed = 0
    for clock in repo.open_provisional_clocks(session):
        rule = _rule_of(clock)
        due: Deadline = deadlines.add_duration(
            clock.started_at, rule.duration, calendar, settings.tz
        )
        remind = deadlines.reminder_at(profile, rule, clock.started_at, due, calendar, settings.tz)
        clock.due_at = due.due_at
        if clock.reminded_at is None:
            clock.remind_at = remind.due_at
        clock.provisional = due.provisional or remind.provisional
        session.add(clock)
        changed += 1
    session.flush()
    return changed


def load_official_year(
    session: Session,
    year: int,
    days: dict[date, bool],
    notes: dict[date, str],
    settings: Settings,
    now: datetime,
) -> int:
    """An admin loads the State Council's schedule for a year: it becomes final, and every
    open provisional deadline is recomputed. Returns how many clocks were recomputed."""
    repo.replace_year_days(session, year, days, notes)
    row = repo.calendar_year(session, year) or CalendarYear(year=year, loaded_at=now)
    row.official, row.loaded_at = True, now
    session.add(row)
    session.flush()
    return recompute_provisional(session, settings)


def move_due(
    session: Session, order_id: int, name: str, new_due: datetime, settings: Settings
) -> None:
    """An approved extension moves a clock; its reminder follows, a breach stays recorded."""
    clock = repo.clock_of(session, order_id, name)
    if clock is None:
        return
    calendar = calendar_for(session)
    target = Deadline(
        new_due, calendar.is_provisional_year(new_due.astimezone(settings.tz).year), frozenset()
    )
    remind = deadlines.reminder_at(
        profile_for(settings), _rule_of(clock), clock.started_at, target, calendar, settings.tz
    )
    clock.due_at = new_due
    clock.remind_at = remind.due_at
    clock.reminded_at = None
    clock.provisional = target.provisional
    session.add(clock)


def start_clock(
    session: Session,
    order_id: int,
    source: str,
    level: str,
    name: str,
    duration: Duration,
    settings: Settings,
    now: datetime,
) -> Clock:
    """A clock outside the level's own set, e.g. the redo after an unsatisfied callback."""
    rule = ClockRule(source, level, name, duration)
    return _start(
        session, order_id, rule, profile_for(settings), now, calendar_for(session), settings, now
    )
