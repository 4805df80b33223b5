"""The weights of the department scoring schemes, read from YAML into frozen models (pure).

``data/schemes.yaml`` holds every number of the three schemes; this module only checks its
shape. Any unknown key, missing key or bad value fails with the file and the key path, so a bad
edit fails at start-up instead of silently changing scores.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SCHEMES_FILE = Path(__file__).parent / "data" / "schemes.yaml"

Points = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JiangningResolution(Frozen):
    """Points per order by outcome of 诉求解决情况 (未解决 is 0 by definition)."""

    resolved: Points
    explained: Points
    filed_for_reference: Points


class JiangningWeights(Frozen):
    label: str
    seed: str
    first_contact_points: Points
    on_time_points: Points
    resolution_points: JiangningResolution


class ZhenruDeductions(Frozen):
    """Points taken off the total per counted item."""

    missed_first_contact: Points
    late: Points
    supervision_street: Points
    supervision_district: Points
    supervision_city: Points
    copied_reports: Points
    unjustified_returns: Points


class ZhenruDeductionOverrides(Frozen):
    missed_first_contact: Points | None = None
    late: Points | None = None
    supervision_street: Points | None = None
    supervision_district: Points | None = None
    supervision_city: Points | None = None
    copied_reports: Points | None = None
    unjustified_returns: Points | None = None


class ZhenruUntrue(Frozen):
    """``points`` off when untrue/total_orders is strictly above ``threshold``."""

    threshold: Share
    points: Points


class ZhenruSatisfaction(Frozen):
    satisfied: Share
    basic_satisfied: Share
    neutral: Share


class ZhenruVariant(Frozen):
    note: str
    deductions: ZhenruDeductionOverrides


class ZhenruWeights(Frozen):
    label: str
    seed: str
    acceptance_points: Points
    resolution_points: Points
    explained_accepted_weight: Share
    satisfaction_points: Points
    satisfaction_weights: ZhenruSatisfaction
    deductions: ZhenruDeductions
    untrue: ZhenruUntrue
    variant: str
    variants: dict[str, ZhenruVariant]

    @model_validator(mode="after")
    def _known_variant(self) -> ZhenruWeights:
        if self.variant != "sheet" and self.variant not in self.variants:
            known = ", ".join(["sheet", *self.variants])
            raise ValueError(f"variant {self.variant!r} is not defined (known: {known})")
        if "sheet" in self.variants:
            raise ValueError("'sheet' is the base values; do not redefine it under variants")
        return self

    def with_variant(self, name: str) -> ZhenruWeights:
        """These weights with variant ``name`` chosen ("sheet": the 计分表's own values)."""
        if name != "sheet" and name not in self.variants:
            known = "、".join(["sheet", *self.variants])
            raise ValueError(f"真如镇评分没有 {name!r} 这一套扣分值（可选：{known}）")
        return self.model_copy(update={"variant": name})

    def active_deductions(self) -> ZhenruDeductions:
        """The per-item deductions of the chosen variant."""
        if self.variant == "sheet":
            return self.deductions
        changed = self.variants[self.variant].deductions.model_dump(exclude_none=True)
        return self.deductions.model_copy(update=changed)


class Grade(Frozen):
    grade: str
    min: Decimal | None  # None: every lower total (the last grade)


class DongchengSupervision(Frozen):
    per_item: Points
    cap: Points


class DongchengWeights(Frozen):
    label: str
    seed: str
    evasion_points: Points
    handling_points: Points
    interim_weight: Share
    feedback_points: Points
    satisfaction_points: Points
    supervision_unreplied: DongchengSupervision
    grades: tuple[Grade, ...]

    @model_validator(mode="after")
    def _grades_descend(self) -> DongchengWeights:
        bounds = [g.min for g in self.grades]
        if not bounds or bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("grades: every grade but the last needs a min; the last has min: null")
        numbers = [b for b in bounds if b is not None]
        if numbers != sorted(numbers, reverse=True) or len(set(numbers)) != len(numbers):
            raise ValueError("grades: min must strictly decrease from the first grade to the last")
        return self


class NoDataRule(Frozen):
    """How a part whose rate has a zero denominator enters the total (see the YAML)."""

    parts: Literal["rescale"]


class SchemesFile(Frozen):
    no_data: NoDataRule
    jiangning: JiangningWeights
    zhenru: ZhenruWeights
    dongcheng: DongchengWeights


Model = TypeVar("Model", bound=BaseModel)


def load_model_file(path: Path | str, model: type[Model]) -> Model:
    """Read a YAML file into ``model``; ValueError naming the file and the key path."""
    where = str(path)
    try:
        raw: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{where}: cannot read: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ValueError(f"{where}: {key}: {first['msg']}{more}") from None


def load_schemes(path: Path | str = SCHEMES_FILE) -> SchemesFile:
    return load_model_file(path, SchemesFile)


@lru_cache(maxsize=1)
def shipped_schemes() -> SchemesFile:
    """The weights shipped with Gridline."""
    return load_schemes(SCHEMES_FILE)
