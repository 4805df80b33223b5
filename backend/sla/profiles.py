"""Policy profiles: the deadline rules of one seed regulation, loaded from YAML (pure).

A profile is data (``data/profiles/<name>.yaml``); a deployment picks one and may override any
number with a nested mapping deep-merged over the YAML before validation, e.g.
``{"sources": {"patrol": {"levels": {"general": {"clocks": {"resolve": {"amount": 4}}}}}}}``.

Layering inside one file, so each number is written once:
- ``rules`` (profile-wide) ← ``sources.<s>.rules`` (partial, per source) ← ``levels.<l>.extension``;
- a level's clocks = ``dispatch`` from ``rules.dispatch_target`` ← ``sources.<s>.clocks``
  (shared by its levels) ← ``levels.<l>.clocks``;
- ``aliases`` map a source the seed does not name to the source whose clocks it shares.

Pydantic checks the shape (unknown keys refused); load_profile then spells out the layering. A bad
file or override raises ValueError naming the profile and the dotted path of the bad key.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

PROFILES_DIR = Path(__file__).parent / "data" / "profiles"
PROFILE_NAMES: tuple[str, ...] = ("jiangning", "heyang", "xiayang", "zhenru", "dongcheng")
SourceName = Literal["patrol", "inspector", "hotline", "snapshot", "leader", "media", "open311"]
# first_contact is the handling department's; first_contact_center the command center's own
# first level where a street has two (seed 003: 二级先行联系). handle: the department's own
# limit inside the platform's resolve clock (seed 002: 随身拍 2 working days within 3 days).
ClockName = Literal[
    "dispatch", "accept", "check_in", "first_contact", "first_contact_center", "handle", "resolve"
]
FirstContactLevel = Literal["command_center", "department"]
SOURCES: tuple[str, ...] = get_args(SourceName)
CLOCKS: tuple[str, ...] = get_args(ClockName)
FIRST_CONTACT_LEVELS: tuple[str, ...] = get_args(FirstContactLevel)

# The types read from YAML are pydantic dataclasses: validated like pydantic models, and still
# dataclasses for callers (positional Duration(4, Unit.HOURS), dataclasses.replace).
_CONFIG = ConfigDict(extra="forbid")
Count = Annotated[int, Field(strict=True, gt=0)]  # strict: neither true nor 1.5 is a count
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SnakeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True, config=_CONFIG)
class Duration:
    amount: Count
    unit: Unit

    def __str__(self) -> str:
        words = self.unit.value.replace("_", " ")
        return f"{self.amount} {words[:-1] if self.amount == 1 else words}"


@dataclass(frozen=True, config=_CONFIG)
class ReminderLead:
    """Remind ``lead`` before due; if that is not after the start, ``short_lead`` before due."""

    lead: Duration
    short_lead: Duration | None = None


@dataclass(frozen=True, config=_CONFIG)
class ReturnRule:
    """A department may ask to return (退单) within ``window`` of dispatch; ``late_window`` is the
    outer limit for a return with a written reason (None: no late returns). The command center
    re-dispatches ``max_redispatch`` times on its own; the ``leader_after_returns``-th return of
    an order needs a leader; ``coordination_after_departments`` distinct departments returning
    call for coordination (会商). ``requires_signoff_photo``: every return carries a photo of the
    department leader's signed confirmation (seed 003). ``first_contact_before``: a department
    returns an order with a caller only after its own first contact (seed 003: 给予来电人先行
    联系后 … 上传先行联系录音 … 方可申请退单); elsewhere a return may come before or after."""

    window: Duration
    late_window: Duration | None = None
    requires_signoff_photo: StrictBool = False
    first_contact_before: StrictBool = False
    max_redispatch: Count = 1
    leader_after_returns: Count = 2
    coordination_after_departments: Count = 3


@dataclass(frozen=True, config=_CONFIG)
class ExtensionRule:
    """延期. ``step``: what one extension adds (None: the handler proposes a date), counted from
    the current due or from the approval; ``max_total``: latest due, counted from the clock's
    start; ``request_lead``: ask at least this long before due; ``special``: leader-approved
    long extensions (natural days), beyond ``max_total``. ``max_count``: ordinary extensions the
    command center may approve per order (None: any number up to ``max_total``);
    ``leader_beyond``: past ``max_count`` or ``max_total`` a leader may still approve a date
    (False: the cap is hard and only ``special`` goes beyond it)."""

    allowed: StrictBool
    step: Duration | None = None
    counted_from: Literal["due", "approval"] = "due"
    max_total: Duration | None = None
    request_lead: Duration | None = None
    special: tuple[Duration, ...] = ()
    max_count: Count | None = None
    leader_beyond: StrictBool = False


@dataclass(frozen=True, config=_CONFIG)
class ClosureLimits:
    """Attachments on a closure report (None: no limit). ``required_recordings``: the kinds
    of call recording a closure of an order with a caller must have on the order (seed 003's
    七要素: 先行联系和回复录音); ``reply_points_required``: the closure carries the 答复要点
    read back to the caller."""

    max_attachments: Count | None
    max_attachment_bytes: Count | None
    required_recordings: tuple[Literal["first_contact", "reply"], ...] = ()
    reply_points_required: StrictBool = False


@dataclass(frozen=True, config=_CONFIG)
class VerificationRule:
    """More than ``max_failed_checks`` failed checks (核查) → overdue supervision (seed 000)."""

    max_failed_checks: Count


@dataclass(frozen=True, config=_CONFIG)
class SupervisionRule:
    """A supervision notice (督办) is answered within ``reply_within`` of issue."""

    reply_within: Duration


def _in_seed_order(levels: tuple[str, ...]) -> tuple[str, ...]:
    if not levels or list(levels) != [lv for lv in FIRST_CONTACT_LEVELS if lv in levels]:
        raise PydanticCustomError(
            "first_contact_order",
            "expected a non-empty list in the order {order}",
            {"order": ", ".join(FIRST_CONTACT_LEVELS)},
        )
    return levels


@dataclass(frozen=True, config=_CONFIG)
class FirstContactRule:
    """Who contacts the caller first, in order (seed 003: command center, then department);
    an SMS replaces the call after ``failed_attempts_before_sms`` unanswered calls."""

    levels: Annotated[tuple[FirstContactLevel, ...], AfterValidator(_in_seed_order)]
    failed_attempts_before_sms: Count = 3


@dataclass(frozen=True, config=_CONFIG)
class StoreRule:
    """存电: a repeat caller's order stored after ``min_calls`` calls on the same matter."""

    allowed: StrictBool
    min_calls: Count | None = None


def _every_unit(leads: Mapping[Unit, ReminderLead]) -> Mapping[Unit, ReminderLead]:
    if missing := [unit.value for unit in Unit if unit not in leads]:
        raise PydanticCustomError(
            "units_missing", "missing a lead for {units}", {"units": ", ".join(missing)}
        )
    return leads


@dataclass(frozen=True, config=_CONFIG)
class Rules:
    dispatch_target: Duration
    reminder_lead: Annotated[Mapping[Unit, ReminderLead], AfterValidator(_every_unit)]
    # Last resort: remind when this share of the clock is left.
    reminder_fraction: Annotated[float, Field(strict=True, gt=0, lt=1)]
    return_window: ReturnRule
    extension: ExtensionRule
    closure: ClosureLimits
    verification: VerificationRule
    supervision: SupervisionRule
    first_contact: FirstContactRule
    store: StoreRule
    # Time for the redo after an unsatisfied callback; None: the level's own clocks run again.
    redo_after_unsatisfied: Duration | None = None
    # The platform's own hard limit from the order's arrival (seed 003 随申拍: 5 natural days,
    # no extension): no redo runs past it. None: the platform sets none.
    platform_limit: Duration | None = None

    @property
    def first_contact_levels(self) -> tuple[str, ...]:
        """Shorthand for ``first_contact.levels``."""
        return self.first_contact.levels


# The resolved profile: built by load_profile from the validated file, not read directly.


@dataclasses.dataclass(frozen=True)
class LevelRule:
    name: str
    label: str
    clocks: Mapping[str, Duration]
    extension: ExtensionRule


@dataclasses.dataclass(frozen=True)
class SourceRule:
    name: str
    label: str
    default_level: str
    levels: Mapping[str, LevelRule]
    rules: Rules


@dataclasses.dataclass(frozen=True)
class ClockRule:
    """One resolved clock: what deadlines.due computes and reminder_at reads."""

    source: str  # the source asked for (an alias stays as asked)
    level: str
    clock: str
    duration: Duration


@dataclasses.dataclass(frozen=True)
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


# The file as written: a source's ``rules`` and a level's ``extension`` are partial mappings,
# validated as Rules / ExtensionRule once merged over what they inherit.


@dataclass(frozen=True, config=_CONFIG)
class _LevelFile:
    label: Text
    clocks: dict[ClockName, Duration] = Field(default_factory=dict)
    extension: dict[str, Any] | None = None


@dataclass(frozen=True, config=_CONFIG)
class _SourceFile:
    label: Text
    default_level: str
    levels: Annotated[dict[SnakeName, _LevelFile], Field(min_length=1)]
    clocks: dict[ClockName, Duration] = Field(default_factory=dict)
    rules: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True, config=_CONFIG)
class _ProfileFile:
    name: str
    label: Text
    seed: Text
    rules: dict[str, Any]
    sources: Annotated[dict[SourceName, _SourceFile], Field(min_length=1)]
    aliases: dict[SourceName, str] = Field(default_factory=dict)  # targets: checked when layered


def first_error(error: ValidationError, under: str = "") -> str:
    """``<dotted path>: <message>`` for the first problem pydantic found; ``under`` is where the
    validated value sits in its file."""
    first = error.errors()[0]
    path = under
    for part in first["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # a bad key: the path already ends with it
            path = f"{path}.{part}" if path else part
    if first["type"] == "missing":
        message = "missing"
    elif first["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
        message = "unknown key"
    elif first["loc"][-1:] == ("[key]",) and first["type"] == "literal_error":
        message = f"unknown key (expected {first.get('ctx', {}).get('expected')})"
    elif isinstance(first["input"], Mapping):  # a whole section: the path says which
        message = first["msg"]
    else:
        message = f"{first['msg']} (got {reprlib.repr(first['input'])})"
    return f"{path or '(top level)'}: {message}"


_T = TypeVar("_T")


def _validated(kind: type[_T], data: Any, profile: str, under: str = "") -> _T:
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as error:
        raise ValueError(f"profile {profile!r}: {first_error(error, under)}") from None


def _fail(profile: str, path: str, message: str) -> ValueError:
    return ValueError(f"profile {profile!r}: {path}: {message}")


@lru_cache(maxsize=len(PROFILE_NAMES))
def _raw(name: str) -> Mapping[str, Any]:
    data = yaml.safe_load((PROFILES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"profile {name!r}: the file is not a mapping")
    return data  # never mutated: deep_merge copies


def load_profile(name: str, overrides: Mapping[str, Any] | None = None) -> Profile:
    """Load a shipped profile, deep-merge ``overrides`` and validate.

    Raises ValueError naming the profile and the path of the bad value.
    """
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILE_NAMES)}")
    data = deep_merge(_raw(name), overrides or {})
    return _layered(name, _validated(_ProfileFile, data, name))


def _layered(name: str, file: _ProfileFile) -> Profile:
    """The profile with every source's and level's inherited rules and clocks spelled out."""
    if file.name != name:
        raise _fail(name, "name", f"expected {name!r}, got {file.name!r}")
    profile_rules = _validated(Rules, file.rules, name, "rules")
    sources: dict[str, SourceRule] = {}
    for source, raw in file.sources.items():
        at = f"sources.{source}"
        merged = deep_merge(file.rules, raw.rules)
        rules = _validated(Rules, merged, name, f"{at}.rules")
        if raw.default_level not in raw.levels:
            choices = ", ".join(raw.levels)
            raise _fail(
                name, f"{at}.default_level", f"{raw.default_level!r} is not one of: {choices}"
            )
        # dispatch, then the source's clocks, then the level's: a later one of a name wins.
        shared = [("dispatch", rules.dispatch_target), *raw.clocks.items()]
        levels: dict[str, LevelRule] = {}
        for level, spec in raw.levels.items():
            extension = rules.extension
            if spec.extension is not None:
                extension = _validated(
                    ExtensionRule,
                    deep_merge(merged["extension"], spec.extension),
                    name,
                    f"{at}.levels.{level}.extension",
                )
            levels[level] = LevelRule(
                level, spec.label, dict([*shared, *spec.clocks.items()]), extension
            )
        sources[source] = SourceRule(source, raw.label, raw.default_level, levels, rules)
    for alias, target in file.aliases.items():
        if alias in sources:
            raise _fail(name, f"aliases.{alias}", "is also defined under sources")
        if target not in sources:
            raise _fail(name, f"aliases.{alias}", f"{target!r} is not one of: {', '.join(sources)}")
    return Profile(
        name=name,
        label=file.label,
        seed=file.seed,
        rules=profile_rules,
        sources=sources,
        aliases={alias: target for alias, target in file.aliases.items()},
    )
