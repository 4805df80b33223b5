"""Member quota numbers per policy profile, read from YAML into frozen models (pure).

``data/quotas.yaml`` names every profile and says whether its seed sets member quotas; the
numbers of a profile that does are checked here. Unknown or missing keys fail with the file and
the key path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from backend.scoring.scheme_data import Frozen, load_model_file
from backend.sla.profiles import PROFILE_NAMES

QUOTAS_FILE = Path(__file__).parent / "data" / "quotas.yaml"

Count = Annotated[int, Field(ge=0, le=1000)]


class ProRata(Frozen):
    """The quota is for ``working_days`` working days; a week with fewer (or more) gets
    quota × its working days / ``working_days``, rounded by ``rounding``; with ``cap_at_base``
    a week with more working days (调休) is not asked for more than the base quota."""

    working_days: Annotated[int, Field(ge=1, le=7)]
    rounding: Literal["half_up", "up", "down"]
    cap_at_base: bool


class Streak(Frozen):
    """Consecutive weeks without a find before each action."""

    warning_after_empty_weeks: Annotated[int, Field(ge=1)]
    replacement_after_empty_weeks: Annotated[int, Field(ge=1)]
    warn: tuple[Literal["member", "grid_chief"], ...]
    recommend_replacement_to: tuple[Literal["grid_chief"], ...]

    @model_validator(mode="after")
    def _order(self) -> Streak:
        if self.replacement_after_empty_weeks < self.warning_after_empty_weeks:
            raise ValueError("replacement_after_empty_weeks must not be below the warning's")
        return self


class TimelinePenalties(Frozen):
    """Points taken off for facts on the timeline (positive numbers)."""

    passive_discovery: Count
    citizen_reports_threshold: Annotated[int, Field(ge=1)]
    untrue_result: Count
    buck_passing: Count
    second_or_overdue: Count


class MemberQuota(Frozen):
    minimum: Count
    target: Count
    pro_rata: ProRata
    bonus_per_find_on_day_off: Count
    penalty_per_missing_find: Count
    exempt_weeks_without_quota: bool
    streak: Streak
    timeline_penalties: TimelinePenalties

    @model_validator(mode="after")
    def _target_not_below_minimum(self) -> MemberQuota:
        if self.target < self.minimum:
            raise ValueError("target must not be below minimum")
        return self


class ProfileQuotas(Frozen):
    seed: str
    note: str
    quota: MemberQuota | None  # None: the seed sets no member quota


class QuotasFile(Frozen):
    profiles: dict[str, ProfileQuotas]

    @model_validator(mode="after")
    def _every_profile(self) -> QuotasFile:
        missing = [name for name in PROFILE_NAMES if name not in self.profiles]
        unknown = [name for name in self.profiles if name not in PROFILE_NAMES]
        if missing or unknown:
            raise ValueError(
                f"profiles must list exactly {', '.join(PROFILE_NAMES)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        return self


def load_quotas(path: Path | str = QUOTAS_FILE) -> QuotasFile:
    return load_model_file(path, QuotasFile)


@lru_cache(maxsize=1)
def shipped_quotas() -> QuotasFile:
    return load_quotas(QUOTAS_FILE)


def member_quota(profile: str, quotas: QuotasFile) -> MemberQuota:
    """The quota of ``profile``; ValueError when the profile is unknown or sets none."""
    if profile not in quotas.profiles:
        raise ValueError(f"未知的配置 {profile!r}（可选：{'、'.join(quotas.profiles)}）")
    entry = quotas.profiles[profile]
    if entry.quota is None:
        raise ValueError(f"配置 {profile} 不考核网格员发现问题数：{entry.note}")
    return entry.quota
