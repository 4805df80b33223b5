"""Business rules of a work order's life after dispatch (pure): first contact, returns (退单),
extensions (延期), verification (核查), callback (回访), supervision (督办) and 存电.

"now", the profile's rules, the calendar and the time zone are arguments; the lead's state
machine and services decide *whether* a step may happen in a status and by whom, these functions
decide whether its content satisfies the seeds. Every refusal is a RuleViolation with a stable
code and a Chinese message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar
from backend.sla.deadlines import add_duration, extended_due, subtract_duration
from backend.sla.profiles import (
    Duration,
    FirstContactRule,
    Profile,
    ReturnRule,
    StoreRule,
    Unit,
    level_rule,
)
from backend.workorders.closure_rules import ClosureRules, RuleViolation, load_closure_rules

__all__ = [
    "RESOLUTIONS",
    "SATISFACTIONS",
    "SUPERVISION_KINDS",
    "SUPERVISION_LEVELS",
    "Approver",
    "CallbackOutcome",
    "ContactMethod",
    "ExtensionAssessment",
    "FirstContactOutcome",
    "ReturnAssessment",
    "ReturnDecision",
    "ReturnFact",
    "RuleViolation",
    "StoreRequest",
    "VerificationOutcome",
    "callback_outcome",
    "check_extension_request",
    "check_first_contact",
    "check_return_decision",
    "check_return_request",
    "check_store_request",
    "check_supervision",
    "duration_zh",
    "supervision_reply_due",
    "verification_outcome",
]

_UNIT_ZH = {
    Unit.MINUTES: "分钟",
    Unit.HOURS: "小时",
    Unit.NATURAL_DAYS: "个自然日",
    Unit.WORKING_DAYS: "个工作日",
}


def duration_zh(duration: Duration) -> str:
    return f"{duration.amount}{_UNIT_ZH[duration.unit]}"


def _moment_zh(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# -- first contact (先行联系) ----------------------------------------------------------------


class ContactMethod(StrEnum):
    call = "call"  # reached by phone, with the recording
    sms = "sms"  # after the failed calls, an SMS (screenshot)


@dataclass(frozen=True)
class FirstContactOutcome:
    complete: bool  # every level of the profile has now contacted the caller
    next_level: str | None


_LEVEL_ZH = {"command_center": "指挥中心（城运中心）", "department": "处置部门"}


def check_first_contact(
    *,
    level: str,
    rule: FirstContactRule,
    done_levels: Collection[str],
    method: ContactMethod | str,
    has_recording: bool = False,
    has_sms_screenshot: bool = False,
    failed_attempts: Sequence[datetime] = (),
    min_gap: timedelta = timedelta(minutes=30),
) -> FirstContactOutcome:
    """One level's first contact. Seed 003: command center first, then the department (two
    levels); a call with its recording, or — after ``failed_attempts_before_sms`` calls "at
    different times" (here: at least ``min_gap`` apart) — an SMS with a screenshot."""
    if level not in rule.levels:
        levels = "、".join(_LEVEL_ZH.get(lv, lv) for lv in rule.levels)
        raise RuleViolation("invalid_first_contact_level", f"先行联系由{levels}进行", "level")
    if level in done_levels:
        raise RuleViolation("first_contact_done", "本级先行联系已完成", "level")
    earlier = rule.levels[: rule.levels.index(level)]
    pending = [lv for lv in earlier if lv not in done_levels]
    if pending:
        raise RuleViolation(
            "first_contact_order", f"须先由{_LEVEL_ZH.get(pending[0], pending[0])}先行联系", "level"
        )
    if method not in tuple(ContactMethod):
        raise RuleViolation("invalid_contact_method", "先行联系方式只能是电话或短信", "method")
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
        if not has_sms_screenshot:
            raise RuleViolation(
                "sms_screenshot_required", "短信先行联系须上传通话记录和短信截图", "sms_screenshot"
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


# -- returns (退单) ----------------------------------------------------------------------------


class ReturnDecision(StrEnum):
    pending = "pending"
    approved = "approved"  # the command center re-dispatched
    refused = "refused"  # the department keeps the order


@dataclass(frozen=True)
class ReturnFact:
    department_id: int
    decision: ReturnDecision | str


@dataclass(frozen=True)
class ReturnAssessment:
    needs_leader: bool  # the decision is a leader's, not the command center's
    coordination_needed: bool  # open a coordination record (会商表)
    late: bool  # after the window, inside the late window, with a written reason
    departments: int  # distinct departments that returned the order, this one included
    leader_reasons: tuple[str, ...]  # "repeat_return", "marked_repeat"
    window_ends_at: datetime


def check_return_request(
    *,
    dispatched_at: datetime,
    now: datetime,
    rule: ReturnRule,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
    prior_returns: Sequence[ReturnFact],
    department_id: int,
    marked_repeat: bool = False,
    has_leader_signoff_photo: bool = False,
    late_reason: str = "",
) -> ReturnAssessment:
    """A department's return request (reason and suggested department checked by the caller).

    ``dispatched_at``: when the order reached this department (a re-dispatch restarts the
    window). ``rule``: ``rules_for(profile, source).return_window``. The
    ``leader_after_returns``-th return of the order needs a leader — a second department
    returning (seed 002: "两个部门以上退单 … 报街道主要领导") or the same one again (seed 004: "再次
    回退 … 主管领导签署意见"); so do orders marked 复/重 (seed 003: the command center does not
    accept their return, only a leader can judge "前件确属我街道处置范围").
    """
    if any(ReturnDecision(r.decision) is ReturnDecision.pending for r in prior_returns):
        raise RuleViolation("return_pending", "该工单已有待审核的退单申请", "returns")
    window_end = add_duration(dispatched_at, rule.window, calendar, tz).due_at
    late = now > window_end
    if late:
        limit, end = rule.window, window_end
        if rule.late_window is not None:  # seed 003: up to 72 h with a detailed reason
            limit = rule.late_window
            end = add_duration(dispatched_at, limit, calendar, tz).due_at
        if now > end:
            raise RuleViolation(
                "return_window_expired",
                f"退单须在派单后{duration_zh(limit)}内申请（截止 {_moment_zh(end, tz)}），"
                "已逾期，不予退单，请由本部门办结",
                "returns",
            )
        if not late_reason.strip():
            raise RuleViolation(
                "late_reason_required",
                f"派单已超过{duration_zh(rule.window)}，申请退单须详细说明原因",
                "late_reason",
            )
    if rule.requires_signoff_photo and not has_leader_signoff_photo:
        raise RuleViolation(
            "signoff_photo_required",
            "退单须经处置部门负责人（分管领导）签字确认，并上传签字确认照片",
            "signoff_photo",
        )
    reasons: list[str] = []
    if len(prior_returns) + 1 >= rule.leader_after_returns:
        reasons.append("repeat_return")
    if marked_repeat:
        reasons.append("marked_repeat")
    departments = len({r.department_id for r in prior_returns} | {department_id})
    return ReturnAssessment(
        needs_leader=bool(reasons),
        coordination_needed=departments >= rule.coordination_after_departments,
        late=late,
        departments=departments,
        leader_reasons=tuple(reasons),
        window_ends_at=window_end,
    )


def check_return_decision(
    *,
    approve: bool,
    needs_leader: bool,
    by_leader: bool,
    prior_returns: Sequence[ReturnFact],
    rule: ReturnRule,
) -> None:
    """The command center (or a leader) decides a pending return. ``prior_returns``: the
    order's earlier, decided returns. The command center re-dispatches ``max_redispatch`` times
    on its own (seed 002: "重新派单一次"); beyond that, and whenever the request needed a leader,
    only a leader decides (签派)."""
    if needs_leader and not by_leader:
        raise RuleViolation("leader_required", "该退单须由分管领导审批", "decision")
    approved = sum(ReturnDecision(r.decision) is ReturnDecision.approved for r in prior_returns)
    if approve and approved >= rule.max_redispatch and not by_leader:
        raise RuleViolation(
            "redispatch_limit_reached",
            f"城运中心只能重新派单{rule.max_redispatch}次，再次改派须报分管领导批办",
            "decision",
        )


# -- extensions (延期) -------------------------------------------------------------------------


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
                f"（最迟 {_moment_zh(latest, tz)}）",
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


# -- verification (核查) -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationOutcome:
    failed_checks: int
    overdue_supervision: bool  # more than the profile's limit of failed checks
    start_supervision: bool  # this failure crossed the limit: issue the overdue notice now


def verification_outcome(
    failed_checks_before: int, passed: bool, max_failed_checks: int
) -> VerificationOutcome:
    """Seed 000: "超过5次核查未通过的 … 启动逾期督办程序" — the 6th failure (with 5) starts it."""
    if failed_checks_before < 0:
        raise ValueError("failed_checks_before must be >= 0")
    failed = failed_checks_before + (0 if passed else 1)
    overdue = not passed and failed > max_failed_checks
    return VerificationOutcome(
        failed, overdue, overdue and failed_checks_before <= max_failed_checks
    )


# -- callback (回访) ---------------------------------------------------------------------------

SATISFACTIONS: dict[str, str] = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "neutral": "一般",
    "unsatisfied": "不满意",
}
RESOLUTIONS: dict[str, str] = {
    "resolved": "实际解决",
    "explained": "解释说明",
    "filed_for_reference": "参考备案",
    "unresolved": "未解决",
}


@dataclass(frozen=True)
class CallbackOutcome:
    unsatisfied: bool
    warning_order: bool  # back to the department as a warning order (预警工单), redo clock
    reason: str | None  # Chinese, for the timeline and the department


def callback_outcome(satisfaction: str, resolution: str) -> CallbackOutcome:
    """Which callbacks send the order back.

    - 不满意, whatever the resolution: seeds 001 ("群众不满意的打回承办单位"), 002 (预警工单,
      再次处置) and 003 ("不满意：… 再次转交相关处置部门").
    - 一般 with 未解决 too: seed 002 sends back every call with "不满倾向", and a citizen who is
      only lukewarm about an unsolved problem is the case it means; 一般 after a real solution or
      an accepted explanation is not.
    - 满意/基本满意 with 未解决 are not sent back: the citizen accepted why it cannot be solved
      (seed 003 "征得市民的理解和认可").
    """
    if satisfaction not in SATISFACTIONS:
        allowed = "、".join(SATISFACTIONS.values())
        raise RuleViolation("invalid_satisfaction", f"满意度只能是：{allowed}", "satisfaction")
    if resolution not in RESOLUTIONS:
        allowed = "、".join(RESOLUTIONS.values())
        raise RuleViolation("invalid_resolution", f"解决情况只能是：{allowed}", "resolution")
    unsatisfied = satisfaction == "unsatisfied"
    lukewarm = satisfaction == "neutral" and resolution == "unresolved"
    reason = None
    if unsatisfied or lukewarm:
        reason = (
            f"回访{SATISFACTIONS[satisfaction]}（{RESOLUTIONS[resolution]}），"
            "列为预警工单，退回处置部门再次处置"
        )
    return CallbackOutcome(unsatisfied, unsatisfied or lukewarm, reason)


# -- supervision (督办) ------------------------------------------------------------------------

# Seed 000 二 督办类型: 上级领导交办、批示事项; 新闻媒体披露事项; 在办事项督办; 逾期事项督办;
# 重复交办事项督办; and 二(一)2, after a callback: "仍反映办理不到位或者对办结不满意的 …
# 实施督办程序".
SUPERVISION_KINDS: dict[str, str] = {
    "leader_assigned": "领导交办",
    "media": "媒体披露",
    "in_progress": "在办督办",
    "overdue": "逾期督办",
    "repeated": "重复交办督办",
    "callback": "回访督办",
}
SUPERVISION_LEVELS: dict[str, str] = {"street": "街道", "district": "区", "city": "市"}


def check_supervision(kind: str, level: str) -> None:
    if kind not in SUPERVISION_KINDS:
        allowed = "、".join(SUPERVISION_KINDS.values())
        raise RuleViolation("invalid_supervision_kind", f"督办类型只能是：{allowed}", "kind")
    if level not in SUPERVISION_LEVELS:
        allowed = "、".join(SUPERVISION_LEVELS.values())
        raise RuleViolation("invalid_supervision_level", f"督办级别只能是：{allowed}", "level")


def supervision_reply_due(
    issued_at: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
    within: Duration = Duration(5, Unit.WORKING_DAYS),
) -> Deadline:
    """When the department's reply to a notice is due (profile: ``supervision.reply_within``;
    seed 000: "收到该督办单后，应于5个工作日内 … 回寄")."""
    return add_duration(issued_at, within, calendar, tz)


# -- 存电 (stored calls) -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRequest:
    """存电备案单 (seed 003 三(四)): category, the caller's count on this matter, the five
    elements, and the double sign-off (双审签)."""

    category: str
    calls_same_matter: int
    main_claim: str
    handling: str
    conclusion: str
    reply_points: str
    evidence_count: int
    department_head_signoff: bool  # 处置部门主要负责同志
    hotline_head_signoff: bool  # 街道城运中心热线部门负责人


def check_store_request(
    request: StoreRequest, *, rule: StoreRule, rules: ClosureRules | None = None
) -> None:
    rules = rules or load_closure_rules()
    if not rule.allowed:
        raise RuleViolation("store_not_allowed", "本街道未实行存电机制", "store")
    if request.category not in rules.stored_call_categories:
        allowed = "、".join(c.label for c in rules.stored_call_categories.values())
        raise RuleViolation("invalid_store_category", f"存电事项须属于：{allowed}", "category")
    if rule.min_calls is not None and request.calls_same_matter < rule.min_calls:
        raise RuleViolation(
            "not_repeat_caller",
            f"同人同事来电{rule.min_calls}次以上方可报备存电（现{request.calls_same_matter}次）",
            "calls_same_matter",
        )
    texts = {
        "main_claim": request.main_claim,
        "handling": request.handling,
        "conclusion": request.conclusion,
        "reply_points": request.reply_points,
    }
    for field, label in rules.stored_call_elements.items():
        empty = request.evidence_count <= 0 if field == "evidence" else not texts[field].strip()
        if empty:
            raise RuleViolation("missing_element", f"存电备案单缺少“{label}”", field)
    if not request.department_head_signoff:
        raise RuleViolation(
            "department_signoff_required", "存电须由处置部门主要负责同志审签", "signoff"
        )
    if not request.hotline_head_signoff:
        raise RuleViolation(
            "hotline_signoff_required", "存电须由街道城运中心热线部门负责人审签", "signoff"
        )
