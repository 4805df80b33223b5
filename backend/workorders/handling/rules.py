"""First contact (先行联系) and check-in rules (pure): which level contacts the caller first,
how, and what an SMS needs after failed calls."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from backend.geo import haversine_m
from backend.sla.profiles import FirstContactRule
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import choices_zh


class ContactMethod(StrEnum):
    call = "call"  # reached by phone, with the recording
    sms = "sms"  # after the failed calls, an SMS (screenshot)
    # 上门面访: after the failed calls, a caller who left only a landline and an address is
    # visited, with a photo of the visit (seed 003 附件6: 若为固定电话，市民有详细联系地址的应
    # 上门面访的形式进行先行联系，并留好现场工作照片).
    visit = "visit"


@dataclass(frozen=True)
class FirstContactOutcome:
    complete: bool  # every level of the profile has now contacted the caller
    next_level: str | None


# Who contacts the caller (the profile says which levels, in what order), how, and whether
# the caller was reached: the code lists of the first-contact step.
CONTACT_LEVELS: dict[str, str] = {"command_center": "城运中心", "department": "处置部门"}
CONTACT_METHODS: dict[str, str] = {
    ContactMethod.call: "电话",
    ContactMethod.sms: "短信",
    ContactMethod.visit: "上门面访",
}
CONTACT_OUTCOMES: dict[str, str] = {"reached": "已联系上", "failed": "未联系上"}


def check_first_contact(
    *,
    level: str,
    rule: FirstContactRule,
    done_levels: Collection[str],
    method: ContactMethod | str,
    has_recording: bool = False,
    has_sms_screenshot: bool = False,
    has_visit_photo: bool = False,
    landline_with_address: bool = False,
    failed_attempts: Sequence[datetime] = (),
    min_gap: timedelta = timedelta(minutes=30),
) -> FirstContactOutcome:
    """One level's first contact. Seed 003: command center first, then the department (two
    levels); a call with its recording, or — after ``failed_attempts_before_sms`` calls "at
    different times" (here: at least ``min_gap`` apart) — an SMS with a screenshot."""
    if level not in rule.levels:
        levels = choices_zh({lv: CONTACT_LEVELS.get(lv, lv) for lv in rule.levels})
        raise RuleViolation("invalid_first_contact_level", f"先行联系由{levels}进行", "level")
    if level in done_levels:
        raise RuleViolation("first_contact_done", "本级先行联系已完成", "level")
    earlier = rule.levels[: rule.levels.index(level)]
    pending = [lv for lv in earlier if lv not in done_levels]
    if pending:
        raise RuleViolation(
            "first_contact_order",
            f"须先由{CONTACT_LEVELS.get(pending[0], pending[0])}先行联系",
            "level",
        )
    if method not in tuple(ContactMethod):
        raise RuleViolation(
            "invalid_contact_method",
            f"先行联系方式只能是：{choices_zh(CONTACT_METHODS)}",
            "method",
        )
    if ContactMethod(method) is ContactMethod.call:
        if not has_recording:
            raise RuleViolation("recording_required", "先行联系须上传通话录音", "recording")
    else:
        if _distinct_attempts(failed_attempts, min_gap) < rule.failed_attempts_before_sms:
            raise RuleViolation(
                "failed_attempts_required",
                f"须在不同时间段拨打{rule.failed_attempts_before_sms}次均未接通，方可改为短信先行联系",
                "failed_attempts",
            )
        if ContactMethod(method) is ContactMethod.sms and not has_sms_screenshot:
            raise RuleViolation(
                "sms_screenshot_required", "短信先行联系须上传通话记录和短信截图", "sms_screenshot"
            )
        if ContactMethod(method) is ContactMethod.visit:
            if not landline_with_address:
                raise RuleViolation(
                    "visit_not_applicable",
                    "上门面访仅适用于只留固定电话且有详细地址的来电人",
                    "method",
                )
            if not has_visit_photo:
                raise RuleViolation(
                    "visit_photo_required", "上门面访须上传现场工作照片", "visit_photo"
                )
    done = {*done_levels, level}
    remaining = [lv for lv in rule.levels if lv not in done]
    return FirstContactOutcome(not remaining, remaining[0] if remaining else None)


def _distinct_attempts(attempts: Sequence[datetime], min_gap: timedelta) -> int:
    counted: list[datetime] = []
    for moment in sorted(attempts):
        if not counted or moment - counted[-1] >= min_gap:
            counted.append(moment)
    return len(counted)


# -- check-in (到场) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    distance_m: float | None  # from the order's location; None when the order has none
    far: bool  # farther than the setting: shown to whoever reviews the order


def check_in_at(
    lat: float, lng: float, order_lat: float | None, order_lng: float | None, far_m: float
) -> CheckIn:
    if order_lat is None or order_lng is None:
        return CheckIn(None, False)
    distance = haversine_m(lat, lng, order_lat, order_lng)
    return CheckIn(round(distance, 1), distance > far_m)
