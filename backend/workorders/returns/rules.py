"""Returns (退单): when a department may hand an order back, and who decides (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from backend.sla.calendar import SHANGHAI, WorkCalendar
from backend.sla.deadlines import add_duration
from backend.sla.profiles import ReturnRule
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import duration_zh, moment_zh


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
                f"退单须在派单后{duration_zh(limit)}内申请（截止 {moment_zh(end, tz)}），"
                "已逾期，不予退单，请由本部门办结",
                "returns",
            )
        if not late_reason.strip():
            raise RuleViolation(
                "late_reason_required",
                f"派单已超过{duration_zh(rule.window)}，申请退单须详细说明原因",
                "late_reason",
            )
    nth = len(prior_returns) + 1
    from_nth = rule.signoff_photo_from_return
    needs_signoff = rule.requires_signoff_photo or (from_nth is not None and nth >= from_nth)
    if needs_signoff and not has_leader_signoff_photo:
        raise RuleViolation(
            "signoff_photo_required",
            "退单须经处置部门负责人（分管领导）签字确认，并上传签字确认照片"
            if rule.requires_signoff_photo
            else "再次退单须上传承办部门主管领导签署意见的说明",
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
