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

Assumptions: where the seed gives no number (or must be read one way), the file marks the guess
with ``assumed`` on the mapping that holds it, and the reason:
- ``assumed: "<reason>"`` — the whole mapping is a guess (a clock duration, a rule section);
- ``assumed: {<key>: "<reason>", ...}`` — those keys of the mapping are guesses (for scalars,
  e.g. ``return_window: {max_redispatch: 1, assumed: {max_redispatch: "seed 002's"}}``).
The marks are read and removed before validation, so the typed rules never see them and every
other unknown key is still refused. Only the shipped file may carry marks: a deployment's
overrides are the street's decisions, and an ``assumed`` key in them is refused. Each mark
becomes an Assumption on the Profile, with the value in force and whether the street's
overrides set it (then it is no longer a guess).
"""

from __future__ import annotations

import copy
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
# limit inside the platform's resolve clock (seed 002: 随身拍 2 working days within 3 days);
# work_plan: a difficult case's plan (seed 000: 疑难案件必须在15日内确定工作方案).
ClockName = Literal[
    "dispatch",
    "accept",
    "check_in",
    "first_contact",
    "first_contact_center",
    "handle",
    "resolve",
    "work_plan",
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
    # From this return of the order on, the signed statement is needed (seed 004: 再次回退，
    # 须上传有承办部门主管领导签署意见的说明); None: only ``requires_signoff_photo`` applies.
    signoff_photo_from_return: Count | None = None
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
    # Every result reply carries the department leader's signature and stamp (seed 001).
    leader_signoff_always: StrictBool = False
    # A closure of an order sent back is signed again (seed 003: 责任人签字, 分管领导2次确认).
    signoff_on_resubmission: StrictBool = False


@dataclass(frozen=True, config=_CONFIG)
class VerificationRule:
    """More than ``max_failed_checks`` failed checks (核查) → overdue supervision (seed 000).
    ``callback_record_required``: a callback carries its photo or recording (seed 001)."""

    max_failed_checks: Count
    callback_record_required: StrictBool = False


@dataclass(frozen=True, config=_CONFIG)
class SupervisionRule:
    """A supervision notice (督办) is answered within ``reply_within`` of issue.
    ``on_comeback``: an order that comes back at the place of a closed one of its category
    (回潮) is supervised as a repeat (seed 000 二(二)5 重复交办事项督办: "反复回潮 … 在该案件再次
    办理过程中，启动督办程序"); the other seeds are silent, and a command center wants a problem
    that returns after closure followed up anyway, so it is on unless a profile turns it off."""

    reply_within: Duration
    on_comeback: StrictBool = True


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
class EscalationRule:
    """Seed 003's escalations of platform orders (None: the street has none).
    ``warn_after_similar``: that many complaints of one category at one place within
    ``similar_window`` send the departments a 预警信息推送单 to answer within
    ``feedback_within``; an order re-assigned (重新交办) ``leader_after_reassignments`` times goes
    to the leader in charge, ``principal_after_reassignments`` times to the principal leader."""

    warn_after_similar: Count | None = None
    similar_window: Duration | None = None
    feedback_within: Duration | None = None
    leader_after_reassignments: Count | None = None
    principal_after_reassignments: Count | None = None


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
    escalation: EscalationRule = EscalationRule()
    # A department late to accept this many times in a two-month period is called to an
    # interview (seed 002 五1: 每双月 … 同一部门未按时先行接单三次的由街道纪工委进行约谈).
    late_accepts_before_interview: Count | None = None

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
    # clock name → the dotted path in the file it was read from (after layering)
    origins: Mapping[str, str] = dataclasses.field(default_factory=dict)


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
class Assumption:
    """A value the seed does not give, marked ``assumed`` in the file."""

    path: str  # dotted path in the file, e.g. "rules.return_window.max_redispatch"
    reason: str
    assumed: Any  # the file's value, as plain YAML data
    value: Any  # the value in force: ``assumed`` unless the overrides set it
    overridden: bool  # the street's overrides set this value (or part of it): not a guess


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    label: str
    seed: str
    rules: Rules
    sources: Mapping[str, SourceRule]
    aliases: Mapping[str, str]
    assumptions: tuple[Assumption, ...] = ()

    def guesses(self, path: str) -> tuple[Assumption, ...]:
        """Assumptions still in force at, above or below ``path`` (not overridden)."""
        return tuple(a for a in self.assumptions if not a.overridden and _related(a.path, path))


def _related(one: str, other: str) -> bool:
    return one == other or one.startswith(f"{other}.") or other.startswith(f"{one}.")


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


def level_labels(profile: Profile, source: str) -> dict[str, str]:
    """The source's levels (an alias: its target's) with their labels, in the file's order."""
    return {name: rule.label for name, rule in source_rule(profile, source).levels.items()}


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


ASSUMED = "assumed"
_Marks = tuple[tuple[str, str], ...]  # (dotted path, reason), in file order


def _unmarked(
    node: Mapping[str, Any], profile: str, path: str = ""
) -> tuple[dict[str, Any], _Marks]:
    """``node`` without its ``assumed`` keys, and the marks they carried."""

    def at(key: object) -> str:
        return f"{path}.{key}" if path else str(key)

    def reason(text: object, where: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise _fail(profile, where, f"expected a non-empty reason (got {reprlib.repr(text)})")
        return text.strip()

    marks: list[tuple[str, str]] = []
    mark = node.get(ASSUMED)
    if ASSUMED in node and path and isinstance(mark, str):
        marks.append((path, reason(mark, at(ASSUMED))))
    elif ASSUMED in node and isinstance(mark, Mapping) and mark:
        for key, text in mark.items():
            if key == ASSUMED or key not in node:
                raise _fail(profile, at(f"{ASSUMED}.{key}"), "names no key of this mapping")
            marks.append((at(key), reason(text, at(f"{ASSUMED}.{key}"))))
    elif ASSUMED in node:
        raise _fail(profile, at(ASSUMED), "expected a reason or a mapping of keys to reasons")
    clean: dict[str, Any] = {}
    for key, value in node.items():
        if key == ASSUMED:
            continue
        if isinstance(value, Mapping):
            value, inner = _unmarked(value, profile, at(key))
            marks.extend(inner)
        clean[key] = value
    return clean, tuple(marks)


@lru_cache(maxsize=len(PROFILE_NAMES))
def _raw(name: str) -> tuple[Mapping[str, Any], _Marks]:
    data = yaml.safe_load((PROFILES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"profile {name!r}: the file is not a mapping")
    return _unmarked(data, name)  # never mutated: deep_merge copies


_MISSING = object()


def _at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _sets(overrides: Mapping[str, Any], path: str) -> bool:
    """Whether deep-merging ``overrides`` changes anything at or below ``path``."""
    node: Any = overrides
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return True  # an enclosing mapping was replaced whole
        if part not in node:
            return False
        node = node[part]
    return True


def _assumptions(
    marks: _Marks, file: Mapping[str, Any], merged: Mapping[str, Any], overrides: Mapping[str, Any]
) -> tuple[Assumption, ...]:
    found = []
    for path, reason in marks:
        value = _at(merged, path)
        found.append(
            Assumption(
                path=path,
                reason=reason,
                assumed=copy.deepcopy(_at(file, path)),
                value=None if value is _MISSING else copy.deepcopy(value),
                overridden=_sets(overrides, path),
            )
        )
    return tuple(found)


def load_profile(name: str, overrides: Mapping[str, Any] | None = None) -> Profile:
    """Load a shipped profile, deep-merge ``overrides`` and validate.

    Raises ValueError naming the profile and the path of the bad value.
    """
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILE_NAMES)}")
    file, marks = _raw(name)
    data = deep_merge(file, overrides or {})
    profile = _layered(name, _validated(_ProfileFile, data, name))
    return dataclasses.replace(
        profile, assumptions=_assumptions(marks, file, data, overrides or {})
    )


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
        dispatch_at = f"{at}.rules" if "dispatch_target" in raw.rules else "rules"
        shared_at: dict[str, str] = {
            "dispatch": f"{dispatch_at}.dispatch_target",
            **{clock: f"{at}.clocks.{clock}" for clock in raw.clocks},
        }
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
            origins = shared_at | {c: f"{at}.levels.{level}.clocks.{c}" for c in spec.clocks}
            levels[level] = LevelRule(
                level, spec.label, dict([*shared, *spec.clocks.items()]), extension, origins
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
