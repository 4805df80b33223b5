"""Extensions (延期): how far a resolve deadline may move, and who approves (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar
from backend.sla.deadlines import add_duration, extended_due, subtract_duration
from backend.sla.profiles import Duration, Profile, level_rule
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import duration_zh, moment_zh


class Approver(StrEnum):
    command_center = "command_center"
    leader = "leader"


@dataclass(frozen=True)
class ExtensionAssessment:
    new_due: Deadline
    approver: Approver
    special: bool  # a 30/60/90-day special extension
    capped: bool  # the requested date was beyond the cap; new_due is the cap


def check_extension_request(
    *,
    profile: Profile,
    source: str,
    level: str | None,
    start: datetime,
    current_due: datetime,
    now: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
    requested: datetime | None = None,
    special: Duration | None = None,
    approved_extensions: int = 0,
    reason: str = "",
    plan: str = "",
    has_scene: bool = False,
    has_watermark_photo: bool = False,
    approved_at: datetime | None = None,
) -> ExtensionAssessment:
    """An extension request on the resolve clock (started at ``start``, due ``current_due``).

    Ordinary: the level's ExtensionRule — the command center approves up to ``max_total`` and
    ``max_count``; past them a leader may (``leader_beyond``) or nobody may. ``special``: one of
    the rule's 30/60/90-natural-day durations, added to the current due, always a leader's
    (seed 003: "由街道办事处主任同意后方可进行系统操作延期"). ``approved_extensions``: ordinary
    extensions already approved. ``approved_at`` (default ``now``) matters for rules counted
    from the approval; call again at decision time for the final due.
    """
    rule = level_rule(profile, source, level).extension
    if special is None and not rule.allowed:
        raise RuleViolation("extension_not_allowed", "该类工单不可延期", "extension")
    if not reason.strip():
        raise RuleViolation("reason_required", "申请延期须写明延期原因", "reason")
    if not plan.strip():
        raise RuleViolation("plan_required", "申请延期须写明处置计划及时间节点", "plan")
    if has_scene and not has_watermark_photo:
        raise RuleViolation(
            "scene_photo_required",
            "有实际现场的工单须先上传现场照片（水印相机）方可申请延期",
            "photos",
        )
    if now >= current_due:
        raise RuleViolation("extension_too_late", "工单已超期，不能再申请延期", "extension")
    if special is not None:
        if special not in rule.special:
            allowed = "/".join(str(d.amount) for d in rule.special)
            message = (
                f"特殊延期只能为{allowed}个自然日" if rule.special else "该类工单不能申请特殊延期"
            )
            raise RuleViolation("special_extension_not_allowed", message, "special")
        new_due = add_duration(current_due, special, calendar, tz)
        return ExtensionAssessment(new_due, Approver.leader, special=True, capped=False)
    return _ordinary(
        profile, source, level, rule_start=start, current_due=current_due, now=now,
        calendar=calendar, tz=tz, requested=requested, approved_extensions=approved_extensions,
        approved_at=approved_at or now,
    )  # fmt: skip


def _ordinary(
    profile: Profile,
    source: str,
    level: str | None,
    *,
    rule_start: datetime,
    current_due: datetime,
    now: datetime,
    calendar: WorkCalendar,
    tz: tzinfo,
    requested: datetime | None,
    approved_extensions: int,
    approved_at: datetime,
) -> ExtensionAssessment:
    rule = level_rule(profile, source, level).extension
    if rule.request_lead is not None:
        latest = subtract_duration(current_due, rule.request_lead, calendar, tz).due_at
        if now > latest:
            raise RuleViolation(
                "extension_too_late",
                f"须在到期前{duration_zh(rule.request_lead)}申请延期"
                f"（最迟 {moment_zh(latest, tz)}）",
                "extension",
            )
    if rule.step is None:
        if requested is None:
            raise RuleViolation("requested_date_required", "请填写申请延期至的日期", "requested")
        if requested <= current_due:
            raise RuleViolation("invalid_extension_date", "延期后的期限须晚于当前期限", "requested")
        proposed = Deadline.final(requested.astimezone(tz))
    else:
        base = approved_at if rule.counted_from == "approval" else current_due
        proposed = add_duration(base, rule.step, calendar, tz)
    cap = add_duration(rule_start, rule.max_total, calendar, tz) if rule.max_total else None
    beyond_cap = cap is not None and proposed.due_at > cap.due_at
    over_count = rule.max_count is not None and approved_extensions >= rule.max_count
    if rule.leader_beyond and (beyond_cap or over_count):
        return ExtensionAssessment(proposed, Approver.leader, special=False, capped=False)
    if (
        rule.max_total is not None
        and cap is not None
        and beyond_cap
        and requested is not None
        and cap.due_at > current_due
    ):
        # The department asked for a date: cutting it to the cap silently would promise the
        # caller a date nobody asked for. Say how far it may go instead.
        raise RuleViolation(
            "extension_beyond_cap",
            f"申请延期至的日期超过最长办理期限（{duration_zh(rule.max_total)}），"
            f"最迟可延期至 {moment_zh(cap.due_at, tz)}",
            "requested",
        )
    if over_count:
        raise RuleViolation(
            "extension_limit_reached", f"该工单最多可延期{rule.max_count}次", "extension"
        )
    new_due = extended_due(
        profile, source, level, rule_start, current_due, calendar, tz,
        approved_at=approved_at, requested=requested,
    )  # fmt: skip
    if new_due.due_at <= current_due:
        assert rule.max_total is not None  # only a cap keeps the due from moving
        more = "，如确需延长请申请特殊延期" if rule.special else ""
        raise RuleViolation(
            "extension_cap_reached",
            f"已达最长办理期限（{duration_zh(rule.max_total)}），不能再延期{more}",
            "extension",
        )
    return ExtensionAssessment(new_due, Approver.command_center, special=False, capped=beyond_cap)


def check_milestones(milestones: list[date], requested: datetime, tz: tzinfo) -> None:
    """A plan's milestones fall on or before the date asked for (seed 002: 时间节点)."""
    last_day = requested.astimezone(tz).date()
    late = [d for d in milestones if d > last_day]
    if late:
        raise RuleViolation(
            "milestone_after_due",
            f"时间节点 {late[0].isoformat()} 晚于申请延期至的日期 {last_day.isoformat()}",
            "milestones",
        )
