"""Rules for orders from the district platform. Pure.

A platform order is known by (channel, external_no). Re-sending it updates what the platform
may change (the content, the caller, the address, its due time); once the order is finished
at the street (closed, archived, rejected, merged) a resend that changes anything is refused,
because the street's answer was given on what it had — the platform must open a new order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sla.profiles import EscalationRule
from backend.workorders.states import Source, Status
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import choices_zh

CHANNEL_SOURCES = {
    "hotline": Source.hotline,
    "snapshot": Source.snapshot,
    "leader": Source.leader,
    "media": Source.media,
}
# Seed 004: 咨询、建议、求助、投诉.
APPEAL_TYPES: dict[str, str] = {
    "consult": "咨询",
    "suggest": "建议",
    "request": "求助",
    "complain": "投诉",
}
FINISHED = frozenset({Status.closed, Status.archived, Status.rejected, Status.merged})
# Columns a resend may change, by the order's column name.
UPDATABLE = (
    "description",
    "address",
    "lat",
    "lng",
    "caller_name",
    "caller_phone",
    "caller_anonymous",
    "caller_confidential",
    "appeal_type",
    "marked_repeat",
    "platform_due_at",
)
# Seed 004 sorts appeals into 咨询/建议/求助/投诉; zhenru's profile has a 咨询类 level of its own.
CONSULT_LEVEL = "consult"


def check_place(lat: float | None, lng: float | None, address: str | None) -> None:
    if (lat is None) != (lng is None):
        raise RuleViolation(
            "point_incomplete", "lat 和 lng 须同时提供", "lng" if lng is None else "lat"
        )
    if lat is None and not (address or "").strip():
        raise RuleViolation("place_required", "须提供地址或坐标", "address")


def level_for(
    requested: str | None,
    appeal_type: str | None,
    levels: Mapping[str, str],
    default: str,
) -> str:
    """The profile's level for the order (``levels``: code → label): the platform's, else
    咨询类 for a consultation where the profile has such a level, else the source's default."""
    if requested:
        if requested not in levels:
            raise RuleViolation("unknown_level", f"办理等级只能是：{choices_zh(levels)}", "level")
        return requested
    if appeal_type == "consult" and CONSULT_LEVEL in levels:
        return CONSULT_LEVEL
    return default


def changes(current: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The updatable columns whose value the resend changes."""
    return {
        name: incoming[name]
        for name in UPDATABLE
        if name in incoming and _normal(incoming[name]) != _normal(current.get(name))
    }


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        return round(value, 7)
    return value


def check_update(status: Status, changed: Mapping[str, Any]) -> None:
    if changed and status in FINISHED:
        raise RuleViolation(
            "platform_order_finished",
            "该工单已办结，不能再修改；如有新诉求请以新工单号派发",
            "external_no",
        )


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是", "t"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "否", "f"})


def parse_flag(text: str, field: str) -> bool:
    """A yes/no cell of an exported sheet (是/否, 1/0, true/false)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RuleViolation("invalid_flag", f"{field} 须为 是/否、1/0 或 true/false", field)


def decode_sheet(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without the BOM Excel writes) or GB18030, what
    Excel saves on a Chinese Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def escalations(similar: int, reassigned: int, rule: EscalationRule) -> list[str]:
    """What a new platform order sets off (seed 003): ``similar`` complaints of its category
    at its place in the window (itself included), ``reassigned`` times the matter came back
    as a 复/重 re-assignment (itself included). Each threshold fires when it is reached, once
    per crossing, not again on every later order."""
    fired = []
    if rule.warn_after_similar is not None and similar == rule.warn_after_similar:
        fired.append("warning")
    if rule.principal_after_reassignments is not None and (
        reassigned == rule.principal_after_reassignments
    ):
        fired.append("principal_leader")
    elif rule.leader_after_reassignments is not None and (
        reassigned == rule.leader_after_reassignments
    ):
        fired.append("leader_in_charge")
    return fired
