"""The command center's review (pure): verification (核查), callback (回访) and supervision
(督办)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar
from backend.sla.deadlines import add_duration
from backend.sla.profiles import Duration, Unit
from backend.workorders.violations import RuleViolation
from backend.workorders.wording import choices_zh


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


# -- callback (回访) ----------------------------------------------------------------

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
        raise RuleViolation(
            "invalid_satisfaction", f"满意度只能是：{choices_zh(SATISFACTIONS)}", "satisfaction"
        )
    if resolution not in RESOLUTIONS:
        raise RuleViolation(
            "invalid_resolution", f"解决情况只能是：{choices_zh(RESOLUTIONS)}", "resolution"
        )
    unsatisfied = satisfaction == "unsatisfied"
    lukewarm = satisfaction == "neutral" and resolution == "unresolved"
    reason = None
    if unsatisfied or lukewarm:
        reason = (
            f"回访{SATISFACTIONS[satisfaction]}（{RESOLUTIONS[resolution]}），"
            "列为预警工单，退回处置部门再次处置"
        )
    return CallbackOutcome(unsatisfied, unsatisfied or lukewarm, reason)


# -- supervision (督办) ---------------------------------------------------------------

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
    "warning": "预警信息推送",  # seed 003 三(五): 集中性投诉满10件及以上
}
SUPERVISION_LEVELS: dict[str, str] = {"street": "街道", "district": "区", "city": "市"}


def check_supervision(kind: str, level: str) -> None:
    if kind not in SUPERVISION_KINDS:
        raise RuleViolation(
            "invalid_supervision_kind", f"督办类型只能是：{choices_zh(SUPERVISION_KINDS)}", "kind"
        )
    if level not in SUPERVISION_LEVELS:
        raise RuleViolation(
            "invalid_supervision_level",
            f"督办级别只能是：{choices_zh(SUPERVISION_LEVELS)}",
            "level",
        )


COMEBACK_KIND = "repeated"
COMEBACK_NUMBERS_SHOWN = 3


def comeback_notice(
    enabled: bool,
    supervised_kinds: Iterable[str],
    category_name: str | None,
    earlier: Sequence[tuple[str, date]],
) -> str | None:
    """回潮 (seed 000 二(二)5): an order at the place of closed orders of its category (newest
    first: their numbers and closure days) is supervised as a repeat — once per order, so a
    re-dispatch after a return does not issue a second notice. None: no notice."""
    if not enabled or not earlier or COMEBACK_KIND in set(supervised_kinds):
        return None
    numbers = "、".join(number for number, _ in earlier[:COMEBACK_NUMBERS_SHOWN])
    more = f"等{len(earlier)}件" if len(earlier) > COMEBACK_NUMBERS_SHOWN else ""
    closed_on = earlier[0][1]
    return (
        f"回潮：此处“{category_name or '同类'}”问题已于{closed_on:%Y年%m月%d日}办结"
        f"（{numbers}{more}），现再次出现。请承办部门查明反复原因，彻底整改，"
        "并在规定时间内回复办理情况（重复交办事项督办，系统自动）"
    )


def supervision_reply_due(
    issued_at: datetime,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
    within: Duration = Duration(5, Unit.WORKING_DAYS),
) -> Deadline:
    """When the department's reply to a notice is due (profile: ``supervision.reply_within``;
    seed 000: "收到该督办单后，应于5个工作日内 … 回寄")."""
    return add_duration(issued_at, within, calendar, tz)


def two_month_period(day: date) -> tuple[date, date]:
    """The 双月 a day falls in (Jan–Feb, Mar–Apr, …): [first day, first day of the next)."""
    first_month = day.month - (day.month - 1) % 2
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 11 else date(day.year, first_month + 2, 1)
    return start, end
