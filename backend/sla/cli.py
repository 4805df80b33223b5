"""`gridline due` and `gridline workdays`: argparse sub-commands for deadline questions.

backend/cli.py registers them with add_due_parser / add_workdays_parser; each handler is
``args.func(args)``. The answer instant is always the last line of stdout (ISO 8601, +08:00);
a provisional answer also prints a warning naming the year(s) on stderr. Bad arguments exit 2
with an argparse-style message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar
from backend.sla.calendar_data import default_calendar
from backend.sla.deadlines import due
from backend.sla.profiles import (
    PROFILE_NAMES,
    Assumption,
    Duration,
    ExtensionRule,
    Profile,
    ReturnRule,
    load_profile,
    source_names,
    source_rule,
)

CalendarFactory = Callable[[], WorkCalendar]
ProfileFactory = Callable[[str], Profile]


def parse_start(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is read as Asia/Shanghai."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date-time: {text!r} (e.g. 2026-09-30T16:00+08:00)"
        ) from None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def provisional_warning(deadline: Deadline) -> str:
    years = sorted(deadline.provisional_years)
    names = ", ".join(map(str, years))
    verb = "has" if len(years) == 1 else "have"
    return f"warning: {names} {verb} no official holiday schedule yet; this deadline is provisional"


def _answer(deadline: Deadline) -> None:
    if deadline.provisional:
        print(provisional_warning(deadline), file=sys.stderr)
    print(deadline.due_at.astimezone(SHANGHAI).isoformat())


def add_due_parser(
    subparsers: Any,
    calendar_factory: CalendarFactory = default_calendar,
    *,
    profile_factory: ProfileFactory = load_profile,
) -> argparse.ArgumentParser:
    """Register `due`. ``profile_factory`` lets the caller apply a deployment's overrides."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "due",
        help="when a clock of a work order falls due",
        description="Compute a work-order deadline from a policy profile, or --list the "
        "profile's sources, levels and clocks.",
    )
    parser.add_argument("--profile", required=True, choices=PROFILE_NAMES)
    parser.add_argument("--list", action="store_true", help="list sources, levels and clocks")
    parser.add_argument("--source", help="e.g. patrol, hotline, snapshot")
    parser.add_argument("--level", help="the profile's level name (default: the source's)")
    parser.add_argument("--clock", help="dispatch, accept, check_in, first_contact or resolve")
    parser.add_argument("--start", type=parse_start, help="ISO 8601 date-time (naive = +08:00)")

    def run(args: argparse.Namespace) -> None:
        try:
            profile = profile_factory(args.profile)
        except ValueError as exc:
            parser.error(str(exc))
        if args.list:
            for line in describe_profile(profile):
                print(line)
            return
        missing = [f"--{n}" for n in ("source", "clock", "start") if getattr(args, n) is None]
        if missing:
            parser.error(f"the following arguments are required: {', '.join(missing)}")
        try:
            deadline = due(
                profile, args.source, args.level, args.clock, args.start, calendar_factory()
            )
        except ValueError as exc:
            parser.error(str(exc))
        _answer(deadline)

    parser.set_defaults(func=run)
    return parser


def add_workdays_parser(
    subparsers: Any, calendar_factory: CalendarFactory = default_calendar
) -> argparse.ArgumentParser:
    """Register `workdays add` (and `workdays check`)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "workdays", help="working-day arithmetic on the Chinese calendar"
    )
    commands = parser.add_subparsers(dest="workdays_command", required=True)
    add = commands.add_parser(
        "add",
        help="add N working days to an instant",
        description="N working days counted from receipt (negative N counts back).",
    )
    add.add_argument("--start", type=parse_start, required=True)
    add.add_argument("--days", type=int, required=True)
    check = commands.add_parser("check", help="is a date a working day?")
    check.add_argument("--date", type=parse_start, required=True)

    def run_add(args: argparse.Namespace) -> None:
        calendar = calendar_factory()
        if args.days >= 0:
            _answer(calendar.add_working_days(args.start, args.days))
        else:
            _answer(calendar.subtract_working_days(args.start, -args.days))

    def run_check(args: argparse.Namespace) -> None:
        calendar = calendar_factory()
        day = args.date.astimezone(SHANGHAI).date()
        kind = "working day" if calendar.is_workday(day) else "day off"
        note = (
            "" if calendar.is_certain(day) else f" (provisional: {day.year} has no official data)"
        )
        print(f"{day.isoformat()} {kind}{note}")

    add.set_defaults(func=run_add)
    check.set_defaults(func=run_check)
    return parser


GUESS = "（推定）"  # the seed does not give this value: the profile guessed it
SET = "（街道设定）"  # an assumption the deployment's overrides replaced


def describe_profile(profile: Profile) -> Iterable[str]:
    """The --list text: sources, their levels and each level's clocks, then the rules, then the
    assumptions. A line whose value is (partly) a guess still in force ends with GUESS."""

    def mark(*paths: str) -> str:
        return f" {GUESS}" if any(profile.guesses(path) for path in paths) else ""

    yield f"profile {profile.name} — {profile.label} (seed {profile.seed})"
    for name in source_names(profile):
        rule = source_rule(profile, name)
        if rule.name != name:
            yield f"source {name}: same levels and clocks as {rule.name}"
            continue
        at = f"sources.{name}"
        yield f"source {name} — {rule.label} (default level: {rule.default_level})"
        for level in rule.levels.values():
            yield f"  level {level.name} — {level.label}"
            for clock, duration in level.clocks.items():
                origin = level.origins.get(clock)
                yield f"    {clock:<14} {duration}" + (mark(origin) if origin else "")
            ext = level.extension
            if ext != rule.rules.extension:
                paths = ("rules.extension", f"{at}.rules.extension")
                where = f"{at}.levels.{level.name}.extension"
                yield f"    extension      {_extension_text(ext)}" + mark(*paths, where)
        rules = rule.rules
        for title, key, text in (
            ("return window   ", "return_window", _return_text(rules.return_window)),
            ("extension       ", "extension", _extension_text(rules.extension)),
            (
                "redo after unsatisfied callback:",
                "redo_after_unsatisfied",
                str(rules.redo_after_unsatisfied or "the level clocks run again"),
            ),
        ):
            yield f"  {title} {text}" + mark(f"rules.{key}", f"{at}.rules.{key}")
    yield f"dispatch target: {profile.rules.dispatch_target}" + mark("rules.dispatch_target")
    leads = ", ".join(
        f"{unit.value}: {lead.lead}"
        + (f" (short clocks: {lead.short_lead})" if lead.short_lead else "")
        for unit, lead in profile.rules.reminder_lead.items()
    )
    yield (
        f"reminder lead: {leads}; else when {profile.rules.reminder_fraction:.0%} is left"
        + mark("rules.reminder_lead", "rules.reminder_fraction")
    )
    yield from describe_assumptions(profile.assumptions)


def describe_assumptions(assumptions: Iterable[Assumption]) -> Iterable[str]:
    """Each value the seed does not give, with its reason; a street confirms or changes one
    with policy_overrides (then it is shown as set, with the guess it replaced)."""
    items = list(assumptions)
    if not items:
        return
    yield f"assumptions {GUESS}: the seed does not give these; confirm or change them with " + (
        "policy_overrides"
    )
    for item in items:
        if item.overridden:
            value = f"{_value_text(item.value)} (guessed: {_value_text(item.assumed)})"
            yield f"  {SET} {item.path} = {value} — {item.reason}"
        else:
            yield f"  {GUESS} {item.path} = {_value_text(item.value)} — {item.reason}"


def _value_text(value: Any) -> str:
    if isinstance(value, dict) and value.keys() == {"amount", "unit"}:
        try:
            return str(Duration(value["amount"], value["unit"]))
        except ValueError:
            pass  # not a valid duration: shown as data
    if value is None:
        return "none"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _return_text(rule: ReturnRule) -> str:
    late = f", late with reason up to {rule.late_window}" if rule.late_window else ""
    return f"{rule.window}{late}"


def _extension_text(rule: ExtensionRule) -> str:
    if not rule.allowed:
        return "not allowed" + (f" (hard limit {rule.max_total})" if rule.max_total else "")
    parts = [f"+{rule.step} from the {rule.counted_from}" if rule.step else "date proposed"]
    if rule.max_total:
        parts.append(f"at most {rule.max_total} from the start")
    if rule.request_lead:
        parts.append(f"ask {rule.request_lead} before due")
    if rule.special:
        parts.append("special " + "/".join(str(d) for d in rule.special))
    return "; ".join(parts)
