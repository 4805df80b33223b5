"""Policy profiles: the deadline rules of one seed regulation, loaded from YAML (pure).

A profile is data (``data/profiles/<name>.yaml``); a deployment picks one and may override any
number with a nested mapping deep-merged over the YAML before validation, e.g.
``{"sources": {"patrol": {"levels": {"general": {"clocks": {"resolve": {"amount": 4}}}}}}}``.

Layering inside one file, so each number is written once:
- ``rules`` (profile-wide) ← ``sources.<s>.rules`` (partial, per source) ← ``levels.<l>.extension``;
- a level's clocks = ``dispatch`` from ``rules.dispatch_target`` ← ``sources.<s>.clocks``
  (shared by its levels) ← ``levels.<l>.clocks``;
- ``aliases`` map a source the seed does not name to the source whose clocks it shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

PROFILES_DIR = Path(__file__).parent / "data" / "profiles"
PROFILE_NAMES: tuple[str, ...] = ("jiangning", "heyang", "xiayang", "zhenru", "dongcheng")
SOURCES: tuple[str, ...] = (
    "patrol", "inspector", "hotline", "snapshot", "leader", "media", "open311"
)  # fmt: skip
CLOCKS: tuple[str, ...] = ("dispatch", "accept", "check_in", "first_contact", "resolve")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        words = self.unit.value.replace("_", " ")
        return f"{self.amount} {words[:-1] if self.amount == 1 else words}"


@dataclass(frozen=True)
class ReminderLead:
    """Remind ``lead`` before due; if that is not after the start, ``short_lead`` before due."""

    lead: Duration
    short_lead: Duration | None = None


@dataclass(frozen=True)
class ReturnRule:
    """A department may ask to return (退单) within ``window`` of dispatch; ``late_window`` is the
    outer limit for a return with a written reason (None: no late returns). The command center
    re-dispatches ``max_redispatch`` times on its own; the ``leader_after_returns``-th return of
    an order needs a leader; ``coordination_after_departments`` distinct departments returning
    call for coordination (会商). ``requires_signoff_photo``: every return carries a photo of the
    department leader's signed confirmation (seed 003)."""

    window: Duration
    late_window: Duration | None = None
    requires_signoff_photo: bool = False
    max_redispatch: int = 1
    leader_after_returns: int = 2
    coordination_after_departments: int = 3


@dataclass(frozen=True)
class ExtensionRule:
    """延期. ``step``: what one extension adds (None: the handler proposes a date), counted from
    the current due or from the approval; ``max_total``: latest due, counted from the clock's
    start; ``request_lead``: ask at least this long before due; ``special``: leader-approved
    long extensions (natural days), beyond ``max_total``. ``max_count``: ordinary extensions the
    command center may approve per order (None: any number up to ``max_total``);
    ``leader_beyond``: past ``max_count`` or ``max_total`` a leader may still approve a date
    (False: the cap is hard and only ``special`` goes beyond it)."""

    allowed: bool
    step: Duration | None = None
    counted_from: Literal["due", "approval"] = "due"
    max_total: Duration | None = None
    request_lead: Duration | None = None
    special: tuple[Duration, ...] = ()
    max_count: int | None = None
    leader_beyond: bool = False


@dataclass(frozen=True)
class ClosureLimits:
    """Attachments on a closure report (None: no limit)."""

    max_attachments: int | None = None
    max_attachment_bytes: int | None = None


@dataclass(frozen=True)
class VerificationRule:
    """More than ``max_failed_checks`` failed checks (核查) → overdue supervision (seed 000)."""

    max_failed_checks: int = 5


@dataclass(frozen=True)
class SupervisionRule:
    """A supervision notice (督办) is answered within ``reply_within`` of issue."""

    reply_within: Duration = Duration(5, Unit.WORKING_DAYS)


FIRST_CONTACT_LEVELS: tuple[str, ...] = ("command_center", "department")


@dataclass(frozen=True)
class FirstContactRule:
    """Who contacts the caller first, in order (seed 003: command center, then department);
    an SMS replaces the call after ``failed_attempts_before_sms`` unanswered calls."""

    levels: tuple[str, ...] = ("department",)
    failed_attempts_before_sms: int = 3


@dataclass(frozen=True)
class StoreRule:
    """存电: a repeat caller's order stored after ``min_calls`` calls on the same matter."""

    allowed: bool = False
    min_calls: int | None = None


@dataclass(frozen=True)
class Rules:
    dispatch_target: Duration
    reminder_lead: Mapping[Unit, ReminderLead]
    reminder_fraction: float  # last resort: remind when this share of the clock is left
    return_window: ReturnRule
    extension: ExtensionRule
    # Time for the redo after an unsatisfied callback; None: the level's own clocks run again.
    redo_after_unsatisfied: Duration | None
    closure: ClosureLimits = ClosureLimits()
    verification: VerificationRule = VerificationRule()
    supervision: SupervisionRule = SupervisionRule()
    first_contact: FirstContactRule = FirstContactRule()
    store: StoreRule = StoreRule()

    @property
    def first_contact_levels(self) -> tuple[str, ...]:
        """Shorthand for ``first_contact.levels``."""
        return self.first_contact.levels


@dataclass(frozen=True)
class LevelRule:
    name: str
    label: str
    clocks: Mapping[str, Duration]
    extension: ExtensionRule


@dataclass(frozen=True)
class SourceRule:
    name: str
    label: str
    default_level: str
    levels: Mapping[str, LevelRule]
    rules: Rules


@dataclass(frozen=True)
class ClockRule:
    """One resolved clock: what deadlines.due computes and reminder_at reads."""

    source: str  # the source asked for (an alias stays as asked)
    level: str
    clock: str
    duration: Duration


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    seed: str
    rules: Rules
    sources: Mapping[str, SourceRule]
    aliases: Mapping[str, str]


# -- lookups -------------------------------------------------------------------------------


def source_names(profile: Profile) -> tuple[str, ...]:
    """Every source the profile answers for: its own, then the aliases."""
    return (*profile.sources, *(a for a in profile.aliases if a not in profile.sources))


def source_rule(profile: Profile, source: str) -> SourceRule:
    target = profile.aliases.get(source, source)
    if target not in profile.sources:
        raise ValueError(
            f"unknown source {source!r} for profile {profile.name!r}; "
            f"choose one of: {', '.join(source_names(profile))}"
        )
    return profile.sources[target]


def level_rule(profile: Profile, source: str, level: str | None) -> LevelRule:
    rule = source_rule(profile, source)
    name = rule.default_level if level is None else level
    if name not in rule.levels:
        raise ValueError(
            f"unknown level {name!r} for source {source!r} in profile {profile.name!r}; "
            f"choose one of: {', '.join(rule.levels)}"
        )
    return rule.levels[name]


def levels(profile: Profile, source: str) -> tuple[str, ...]:
    return tuple(source_rule(profile, source).levels)


def clocks(profile: Profile, source: str, level: str | None) -> dict[str, Duration]:
    return dict(level_rule(profile, source, level).clocks)


def clock_rule(profile: Profile, source: str, level: str | None, clock: str) -> ClockRule:
    rule = level_rule(profile, source, level)
    if clock not in rule.clocks:
        raise ValueError(
            f"unknown clock {clock!r} for {source}/{rule.name} in profile {profile.name!r}; "
            f"choose one of: {', '.join(rule.clocks)}"
        )
    return ClockRule(source, rule.name, clock, rule.clocks[clock])


def rules_for(profile: Profile, source: str) -> Rules:
    return source_rule(profile, source).rules


# -- loading -------------------------------------------------------------------------------


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new mapping: ``override`` over ``base``; nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@lru_cache(maxsize=len(PROFILE_NAMES))
def _raw(name: str) -> Mapping[str, Any]:
    data = yaml.safe_load((PROFILES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"profile {name!r}: the file is not a mapping")
    return data  # never mutated: deep_merge and the readers copy


def load_profile(name: str, overrides: Mapping[str, Any] | None = None) -> Profile:
    """Load a shipped profile, deep-merge ``overrides`` and validate.

    Raises ValueError naming the profile and the path of the bad value.
    """
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILE_NAMES)}")
    data = deep_merge(_raw(name), overrides or {})
    return _Reader(name).profile(data)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """Validates the merged mapping; every error says profile and dotted path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, path: str, message: str) -> ValueError:
        return ValueError(f"profile {self.name!r}: {path or '(top level)'}: {message}")

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, Mapping):
            raise self.fail(path, "expected a mapping")
        unknown = set(value) - allowed
        if unknown:
            raise self.fail(_join(path, sorted(map(str, unknown))[0]), "unknown key")
        missing = required - set(value)
        if missing:
            raise self.fail(_join(path, sorted(missing)[0]), "missing")
        return dict(value)

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "expected a non-empty string")
        return value

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _NAME.match(value):
            raise self.fail(path, f"expected a snake_case name, got {value!r}")
        return value

    def duration(self, value: Any, path: str) -> Duration:
        data = self.mapping(value, path, {"amount", "unit"}, {"amount", "unit"})
        amount = data["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise self.fail(f"{path}.amount", f"expected a positive integer, got {amount!r}")
        try:
            unit = Unit(data["unit"])
        except ValueError:
            units = ", ".join(u.value for u in Unit)
            raise self.fail(
                f"{path}.unit", f"expected one of {units}, got {data['unit']!r}"
            ) from None
        return Duration(amount, unit)

    def optional_duration(self, value: Any, path: str) -> Duration | None:
        return None if value is None else self.duration(value, path)

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "expected true or false")
        return value

    def count(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(path, f"expected a positive integer, got {value!r}")
        return value

    def optional_count(self, value: Any, path: str) -> int | None:
        return None if value is None else self.count(value, path)

    def extension(self, value: Any, path: str) -> ExtensionRule:
        keys = {
            "allowed", "step", "counted_from", "max_total", "request_lead", "special",
            "max_count", "leader_beyond",
        }  # fmt: skip
        data = self.mapping(value, path, keys, {"allowed"})
        self.flag(data["allowed"], f"{path}.allowed")
        counted_from = data.get("counted_from", "due")
        if counted_from not in ("due", "approval"):
            raise self.fail(f"{path}.counted_from", "expected 'due' or 'approval'")
        special = data.get("special") or []
        if not isinstance(special, list):
            raise self.fail(f"{path}.special", "expected a list of durations")
        return ExtensionRule(
            allowed=data["allowed"],
            step=self.optional_duration(data.get("step"), f"{path}.step"),
            counted_from=counted_from,
            max_total=self.optional_duration(data.get("max_total"), f"{path}.max_total"),
            request_lead=self.optional_duration(data.get("request_lead"), f"{path}.request_lead"),
            special=tuple(self.duration(d, f"{path}.special[{i}]") for i, d in enumerate(special)),
            max_count=self.optional_count(data.get("max_count"), f"{path}.max_count"),
            leader_beyond=self.flag(data.get("leader_beyond", False), f"{path}.leader_beyond"),
        )

    def return_rule(self, value: Any, path: str) -> ReturnRule:
        keys = {
            "window", "late_window", "requires_signoff_photo", "max_redispatch",
            "leader_after_returns", "coordination_after_departments",
        }  # fmt: skip
        data = self.mapping(value, path, keys, {"window"})
        default = ReturnRule(Duration(1, Unit.WORKING_DAYS))
        return ReturnRule(
            window=self.duration(data["window"], f"{path}.window"),
            late_window=self.optional_duration(data.get("late_window"), f"{path}.late_window"),
            requires_signoff_photo=self.flag(
                data.get("requires_signoff_photo", default.requires_signoff_photo),
                f"{path}.requires_signoff_photo",
            ),
            max_redispatch=self.count(
                data.get("max_redispatch", default.max_redispatch), f"{path}.max_redispatch"
            ),
            leader_after_returns=self.count(
                data.get("leader_after_returns", default.leader_after_returns),
                f"{path}.leader_after_returns",
            ),
            coordination_after_departments=self.count(
                data.get("coordination_after_departments", default.coordination_after_departments),
                f"{path}.coordination_after_departments",
            ),
        )

    def closure(self, value: Any, path: str) -> ClosureLimits:
        keys = {"max_attachments", "max_attachment_bytes"}
        data = self.mapping(value, path, keys, keys)
        return ClosureLimits(
            self.optional_count(data["max_attachments"], f"{path}.max_attachments"),
            self.optional_count(data["max_attachment_bytes"], f"{path}.max_attachment_bytes"),
        )

    def first_contact(self, value: Any, path: str) -> FirstContactRule:
        data = self.mapping(value, path, {"levels", "failed_attempts_before_sms"}, {"levels"})
        levels = data["levels"]
        if (
            not isinstance(levels, list)
            or not levels
            or any(level not in FIRST_CONTACT_LEVELS for level in levels)
            or list(levels) != [lv for lv in FIRST_CONTACT_LEVELS if lv in levels]
        ):
            raise self.fail(
                f"{path}.levels",
                f"expected a non-empty list in the order {', '.join(FIRST_CONTACT_LEVELS)}",
            )
        attempts = data.get("failed_attempts_before_sms", 3)
        return FirstContactRule(
            tuple(levels), self.count(attempts, f"{path}.failed_attempts_before_sms")
        )

    def store(self, value: Any, path: str) -> StoreRule:
        data = self.mapping(value, path, {"allowed", "min_calls"}, {"allowed"})
        return StoreRule(
            self.flag(data["allowed"], f"{path}.allowed"),
            self.optional_count(data.get("min_calls"), f"{path}.min_calls"),
        )

    def rules(self, value: Any, path: str) -> Rules:
        keys = {
            "dispatch_target", "reminder_lead", "reminder_fraction", "return_window",
            "extension", "redo_after_unsatisfied", "closure", "verification", "supervision",
            "first_contact", "store",
        }  # fmt: skip
        data = self.mapping(value, path, keys, keys - {"redo_after_unsatisfied"})
        leads_raw = self.mapping(
            data["reminder_lead"], f"{path}.reminder_lead", {u.value for u in Unit},
            {u.value for u in Unit},
        )  # fmt: skip
        leads: dict[Unit, ReminderLead] = {}
        for unit in Unit:
            at = f"{path}.reminder_lead.{unit.value}"
            entry = self.mapping(leads_raw[unit.value], at, {"lead", "short_lead"}, {"lead"})
            leads[unit] = ReminderLead(
                self.duration(entry["lead"], f"{at}.lead"),
                self.optional_duration(entry.get("short_lead"), f"{at}.short_lead"),
            )
        fraction = data["reminder_fraction"]
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise self.fail(f"{path}.reminder_fraction", "expected a number")
        if not 0 < fraction < 1:
            raise self.fail(f"{path}.reminder_fraction", "expected a number between 0 and 1")
        verification = self.mapping(
            data["verification"], f"{path}.verification", {"max_failed_checks"},
            {"max_failed_checks"},
        )  # fmt: skip
        supervision = self.mapping(
            data["supervision"], f"{path}.supervision", {"reply_within"}, {"reply_within"}
        )
        return Rules(
            dispatch_target=self.duration(data["dispatch_target"], f"{path}.dispatch_target"),
            reminder_lead=leads,
            reminder_fraction=float(fraction),
            return_window=self.return_rule(data["return_window"], f"{path}.return_window"),
            extension=self.extension(data["extension"], f"{path}.extension"),
            redo_after_unsatisfied=self.optional_duration(
                data.get("redo_after_unsatisfied"), f"{path}.redo_after_unsatisfied"
            ),
            closure=self.closure(data["closure"], f"{path}.closure"),
            verification=VerificationRule(
                self.count(
                    verification["max_failed_checks"], f"{path}.verification.max_failed_checks"
                )
            ),
            supervision=SupervisionRule(
                self.duration(supervision["reply_within"], f"{path}.supervision.reply_within")
            ),
            first_contact=self.first_contact(data["first_contact"], f"{path}.first_contact"),
            store=self.store(data["store"], f"{path}.store"),
        )

    def clock_map(self, value: Any, path: str) -> dict[str, Duration]:
        data = self.mapping(value or {}, path, set(CLOCKS), set())
        return {clock: self.duration(data[clock], f"{path}.{clock}") for clock in data}

    def source(self, name: str, value: Any, raw_rules: Mapping[str, Any]) -> SourceRule:
        path = f"sources.{name}"
        data = self.mapping(
            value, path, {"label", "default_level", "rules", "clocks", "levels"},
            {"label", "default_level", "levels"},
        )  # fmt: skip
        own_rules = data.get("rules") or {}
        if not isinstance(own_rules, Mapping):
            raise self.fail(f"{path}.rules", "expected a mapping")
        merged_rules = deep_merge(raw_rules, own_rules)
        rules = self.rules(merged_rules, f"{path}.rules")
        shared = {
            "dispatch": rules.dispatch_target,
            **self.clock_map(data.get("clocks"), f"{path}.clocks"),
        }
        levels_raw = data["levels"]
        if not isinstance(levels_raw, Mapping) or not levels_raw:
            raise self.fail(f"{path}.levels", "expected a non-empty mapping")
        levels: dict[str, LevelRule] = {}
        for level_name, level_value in levels_raw.items():
            at = f"{path}.levels.{level_name}"
            self.ident(level_name, at)
            level = self.mapping(level_value, at, {"label", "clocks", "extension"}, {"label"})
            extension = rules.extension
            if level.get("extension") is not None:
                if not isinstance(level["extension"], Mapping):
                    raise self.fail(f"{at}.extension", "expected a mapping")
                extension = self.extension(
                    deep_merge(merged_rules["extension"], level["extension"]), f"{at}.extension"
                )
            levels[level_name] = LevelRule(
                name=level_name,
                label=self.text(level["label"], f"{at}.label"),
                clocks={**shared, **self.clock_map(level.get("clocks"), f"{at}.clocks")},
                extension=extension,
            )
        default = data["default_level"]
        if default not in levels:
            raise self.fail(
                f"{path}.default_level", f"{default!r} is not one of: {', '.join(levels)}"
            )
        return SourceRule(name, self.text(data["label"], f"{path}.label"), default, levels, rules)

    def profile(self, data: Mapping[str, Any]) -> Profile:
        top = self.mapping(
            data, "", {"name", "label", "seed", "rules", "aliases", "sources"},
            {"name", "label", "seed", "rules", "sources"},
        )  # fmt: skip
        if top["name"] != self.name:
            raise self.fail("name", f"expected {self.name!r}, got {top['name']!r}")
        rules = self.rules(top["rules"], "rules")
        sources_raw = top["sources"]
        if not isinstance(sources_raw, Mapping) or not sources_raw:
            raise self.fail("sources", "expected a non-empty mapping")
        sources: dict[str, SourceRule] = {}
        for name, value in sources_raw.items():
            if name not in SOURCES:
                raise self.fail(f"sources.{name}", f"unknown source; known: {', '.join(SOURCES)}")
            sources[name] = self.source(name, value, top["rules"])
        aliases_raw = top.get("aliases") or {}
        if not isinstance(aliases_raw, Mapping):
            raise self.fail("aliases", "expected a mapping")
        aliases: dict[str, str] = {}
        for alias, target in aliases_raw.items():
            if alias not in SOURCES:
                raise self.fail(f"aliases.{alias}", f"unknown source; known: {', '.join(SOURCES)}")
            if alias in sources:
                raise self.fail(f"aliases.{alias}", "is also defined under sources")
            if target not in sources:
                raise self.fail(
                    f"aliases.{alias}", f"{target!r} is not one of: {', '.join(sources)}"
                )
            aliases[alias] = target
        return Profile(
            name=self.name,
            label=self.text(top["label"], "label"),
            seed=self.text(top["seed"], "seed"),
            rules=rules,
            sources=sources,
            aliases=aliases,
        )
