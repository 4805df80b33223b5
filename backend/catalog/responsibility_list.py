"""The responsibility list (事项办理责任清单, 附件4) as validated, immutable data.

Pure on purpose: no database or web imports, so dispatch rules and tests can read the list
without an app, and the DB loader can build on top of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).parent / "data" / "responsibility_list.yaml"

# Not a department: the area team of whichever grid the report falls in.
AREA_TEAM = "片区"

# Mirrors backend.org.models.DepartmentKind (and its DB check constraint); copied rather than
# imported to keep this module free of SQLModel.
DEPARTMENT_KINDS = frozenset(
    {
        "functional_office",
        "area_team",
        "neighbourhood_committee",
        "property_company",
        "enforcement_team",
        "command_center",
    }
)
ROLES = frozenset({"assist", "guide", "enforce"})

# Lead kind -> the extra keys it requires; any other key is an error, so typos surface.
LEAD_KINDS: dict[str, tuple[str, ...]] = {
    "area_team": (),
    "department": ("department",),
    "repeat": ("first", "repeat"),
    "time_of_day": ("department", "workday_daytime"),
    "by_aspect": ("department", "aspect", "aspect_lead"),
    "unassigned": (),
}
# Lead keys that name a department (or 片区); "aspect" is free text.
_LEAD_DEPARTMENT_KEYS = ("department", "first", "repeat", "workday_daytime", "aspect_lead")


@dataclass(frozen=True)
class Department:
    name: str
    kind: str


@dataclass(frozen=True)
class LeadRule:
    text: str  # the 主办 cell, verbatim
    kind: str
    department: str | None = None
    first: str | None = None
    repeat: str | None = None
    workday_daytime: str | None = None
    aspect: str | None = None
    aspect_lead: str | None = None


@dataclass(frozen=True)
class AssistEntry:
    role: str
    department: str
    qualifier: str | None = None


@dataclass(frozen=True)
class CatalogItem:
    number: int
    name: str
    scope: str
    lead: LeadRule
    assists: tuple[AssistEntry, ...]
    must_solve: str | None


@dataclass(frozen=True)
class ResponsibilityList:
    departments: tuple[Department, ...]
    items: tuple[CatalogItem, ...]


def load_responsibility_list(path: Path | str = DEFAULT_PATH) -> ResponsibilityList:
    """Read and validate the list; raise ValueError naming the offending row."""
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: expected a mapping with 'departments' and 'items'")
    departments = _parse_departments(raw.get("departments"))
    known = {d.name for d in departments}
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValueError("'items' must be a non-empty list")
    items = tuple(_parse_item(i, entry, known) for i, entry in enumerate(raw_items))
    _check_numbers(items)
    return ResponsibilityList(departments=departments, items=items)


def _parse_departments(raw: Any) -> tuple[Department, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("'departments' must be a non-empty list")
    seen: set[str] = set()
    result = []
    for i, entry in enumerate(raw):
        where = f"departments[{i}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a mapping")
        name = _text(entry.get("name"), f"{where}.name")
        kind = entry.get("kind")
        if name == AREA_TEAM:
            raise ValueError(f"{where}: {AREA_TEAM} is not a department")
        if kind not in DEPARTMENT_KINDS:
            raise ValueError(f"department {name}: unknown kind {kind!r}")
        if name in seen:
            raise ValueError(f"department {name}: listed twice")
        seen.add(name)
        result.append(Department(name=name, kind=kind))
    return tuple(result)


def _parse_item(index: int, raw: Any, known: set[str]) -> CatalogItem:
    if not isinstance(raw, Mapping):
        raise ValueError(f"items[{index}]: expected a mapping")
    number = raw.get("number")
    # bool is an int subclass; reject it so `number: yes` cannot pass.
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValueError(f"items[{index}]: number must be an integer, got {number!r}")
    name = _text(raw.get("name"), f"item {number}: name")
    row = f"item {number} ({name})"
    scope = raw.get("scope")
    if not isinstance(scope, str):
        raise ValueError(f"{row}: scope must be a string")
    must_solve = raw.get("must_solve")
    if must_solve is not None:
        must_solve = _text(must_solve, f"{row}: must_solve")
    raw_assists = raw.get("assists")
    if not isinstance(raw_assists, list):
        raise ValueError(f"{row}: assists must be a list")
    return CatalogItem(
        number=number,
        name=name,
        scope=scope,
        lead=_parse_lead(raw.get("lead"), known, row),
        assists=tuple(_parse_assist(a, known, row) for a in raw_assists),
        must_solve=must_solve,
    )


def _parse_lead(raw: Any, known: set[str], row: str) -> LeadRule:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{row}: lead must be a mapping")
    kind = raw.get("kind")
    if kind not in LEAD_KINDS:
        raise ValueError(f"{row}: unknown lead kind {kind!r}")
    text = raw.get("text")
    if not isinstance(text, str):
        raise ValueError(f"{row}: lead.text must be a string")
    required = LEAD_KINDS[kind]
    extra = set(raw) - {"text", "kind", *required}
    if extra:
        raise ValueError(f"{row}: lead kind {kind} does not take {sorted(extra)}")
    fields = {key: _text(raw.get(key), f"{row}: lead.{key}") for key in required}
    for key in _LEAD_DEPARTMENT_KEYS:
        if key in fields:
            _check_department(fields[key], known, f"{row}: lead.{key}")
    return LeadRule(text=text, kind=kind, **fields)


def _parse_assist(raw: Any, known: set[str], row: str) -> AssistEntry:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{row}: each assist must be a mapping")
    role = raw.get("role")
    if role not in ROLES:
        raise ValueError(f"{row}: unknown assist role {role!r}")
    department = _text(raw.get("department"), f"{row}: assist department")
    _check_department(department, known, f"{row}: {role}")
    qualifier = raw.get("qualifier")
    if qualifier is not None:
        qualifier = _text(qualifier, f"{row}: assist qualifier")
    return AssistEntry(role=role, department=department, qualifier=qualifier)


def _check_department(name: str, known: set[str], where: str) -> None:
    if name != AREA_TEAM and name not in known:
        raise ValueError(f"{where}: unknown department {name!r}")


def _check_numbers(items: tuple[CatalogItem, ...]) -> None:
    seen: set[int] = set()
    for item in items:
        if item.number in seen:
            raise ValueError(f"item {item.number} ({item.name}): duplicate number")
        seen.add(item.number)
    # Dispatch and reports cite rows by 序号, so a gap means a row was lost.
    missing = sorted(set(range(1, len(items) + 1)) - seen)
    if missing:
        raise ValueError(f"numbers must run 1..{len(items)}; missing item {missing[0]}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a non-empty string, got {value!r}")
    return value
