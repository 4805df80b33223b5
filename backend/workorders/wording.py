"""Wording shared by the lifecycle rules: durations, moments, distances and code lists in
Chinese (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType

from backend.sla.profiles import Duration, Unit

# An order's clocks (the profile's, and those a step starts: redo, supervision_reply).
CLOCK_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "dispatch": "派单",
        "accept": "接单",
        "check_in": "到场",
        "first_contact": "先行联系",
        "first_contact_center": "一级先行联系（城运中心）",
        "handle": "部门处置",
        "resolve": "办结",
        "redo": "整改",
        "supervision_reply": "督办回复",
        "work_plan": "确定工作方案",
    }
)
_UNIT_ZH = {
    Unit.MINUTES: "分钟",
    Unit.HOURS: "小时",
    Unit.NATURAL_DAYS: "个自然日",
    Unit.WORKING_DAYS: "个工作日",
}


def duration_zh(duration: Duration) -> str:
    return f"{duration.amount}{_UNIT_ZH[duration.unit]}"


def moment_zh(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def distance_zh(metres: float) -> str:
    """ "850 米" below a kilometre, "11.2 公里" from there on, "9051 公里" far away."""
    if metres < 1000:
        return f"{metres:.0f} 米"
    km = metres / 1000
    return f"{km:.1f} 公里" if km < 100 else f"{km:.0f} 公里"


def choices_zh(labels: Mapping[str, str]) -> str:
    """Every choice of a code list as a refusal lists it: 标签（code）、…, so a client that
    sent the label learns the code to send."""
    return "、".join(f"{label}（{code}）" for code, label in labels.items())
