"""Deadlines from a policy profile on the working calendar (pure).

"now", the calendar (with whatever overrides the caller loaded) and the time zone are
arguments; nothing here reads settings or the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar, elapsed
from backend.sla.profiles import (
    ClockRule,
    Duration,
    Profile,
    Unit,
    clock_rule,
    level_rule,
    rules_for,
)


def add_duration(
    start: datetime, duration: Duration, calendar: WorkCalendar, tz: tzinfo = SHANGHAI
) -> Deadline:
    n = duration.amount
    if duration.unit is Unit.MINUTES:
        return calendar.add_minutes(start, n, tz)
    if duration.unit is Unit.HOURS:
        return calendar.add_hours(start, n, tz)
    if duration.unit is Unit.NATURAL_DAYS:
        return calendar.add_natural_days(start, n, tz)
    return calendar.add_working_days(start, n, tz)


def subtract_duration(
    moment: datetime, duration: Duration, calendar: WorkCalendar, tz: tzinfo = SHANGHAI
) -> Deadline:
    n = duration.amount
    if duration.unit is Unit.WORKING_DAYS:
        return calendar.subtract_working_days(moment, n, tz)
    if duration.unit is Unit.NATURAL_DAYS:
        return calendar.add_natural_days(moment, -n, tz)
    if duration.unit is Unit.HOURS:
        return calendar.add_hours(moment, -n, tz)
    return calendar.add_minutes(moment, -n, tz)


def due(
    profile: Profile,
    source: str,
    level: str | None,
    clock: str,
    start: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
) -> Deadline:
    """When ``clock`` of an order (source, level; None = the source's default level) started at
    ``start`` falls due. ValueError names the valid choices for an unknown source/level/clock."""
    return add_duration(start, clock_rule(profile, source, level, clock).duration, calendar, tz)


def all_dues(
    profile: Profile,
    source: str,
    level: str | None,
    start: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
) -> dict[str, Deadline]:
    """Every clock of the level, all started at ``start`` (what dispatch stores as due_at)."""
    rule = level_rule(profile, source, level)
    return {name: add_duration(start, d, calendar, tz) for name, d in rule.clocks.items()}


def reminder_at(
    profile: Profile,
    deadline_rule: ClockRule,
    start: datetime,
    due: Deadline | datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
) -> Deadline:
    """When to remind the handler of a clock due at ``due``.

    The profile's lead for the clock's unit (e.g. 2 working days), if that is still after the
    start; else its short lead (e.g. 4 hours before a 1-working-day clock); else when
    ``reminder_fraction`` of the clock is left. Provisional if the due or the lead is.
    """
    rules = rules_for(profile, deadline_rule.source)
    target = due if isinstance(due, Deadline) else Deadline.final(due)
    lead = rules.reminder_lead[deadline_rule.duration.unit]
    for candidate in (lead.lead, lead.short_lead):
        if candidate is None:
            continue
        at = subtract_duration(target.due_at, candidate, calendar, tz)
        if at.due_at.astimezone(UTC) > start.astimezone(UTC):
            return at.depending_on(target.provisional_years)
    span = target.due_at.astimezone(UTC) - start.astimezone(UTC)
    at_fraction = elapsed(start, span * (1 - rules.reminder_fraction), tz)
    return Deadline(at_fraction, target.provisional, target.provisional_years)


def extended_due(
    profile: Profile,
    source: str,
    level: str | None,
    start: datetime,
    current_due: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
    *,
    approved_at: datetime | None = None,
    requested: datetime | None = None,
) -> Deadline:
    """The resolve due after one ordinary extension (延期), capped at ``max_total`` from
    ``start``. With a ``step`` rule the new due is step after the current due (or after
    ``approved_at``); without one the handler's ``requested`` date is used. Special extensions
    (30/60/90 days) are leader decisions: add them with add_duration."""
    rule = level_rule(profile, source, level).extension
    if not rule.allowed:
        raise ValueError(f"profile {profile.name!r}: {source}/{level} orders cannot be extended")
    if rule.step is not None:
        base = current_due
        if rule.counted_from == "approval":
            if approved_at is None:
                raise ValueError("approved_at is required: this extension counts from approval")
            base = approved_at
        proposed = add_duration(base, rule.step, calendar, tz)
    elif requested is not None:
        proposed = Deadline.final(requested.astimezone(tz))
    else:
        raise ValueError("requested is required: this profile has no fixed extension step")
    if rule.max_total is None:
        return proposed
    cap = add_duration(start, rule.max_total, calendar, tz)
    chosen = proposed if proposed.due_at.astimezone(UTC) <= cap.due_at.astimezone(UTC) else cap
    return chosen.depending_on(proposed.provisional_years | cap.provisional_years)
