"""What happens to an order when one of its clocks is due for a reminder or breached: an
event on its timeline and a notice to whoever must act (called by the worker's sweep)."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session

from backend.config import Settings
from backend.notify import service as notify
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.sla.models import Clock
from backend.workorders import repository as repo
from backend.workorders.actions import CLOCK_ACTIONS
from backend.workorders.models import WorkOrder
from backend.workorders.pipeline import Apply, gather
from backend.workorders.review.rules import two_month_period
from backend.workorders.review.service import issue_supervision
from backend.workorders.states import PLATFORM_SOURCES
from backend.workorders.wording import CLOCK_LABELS as CLOCK_LABELS  # re-exported

# The command center's own clocks: its reminders go to the command center, not a department.
COMMAND_CENTER_CLOCKS = frozenset({"dispatch", "first_contact_center"})
# Orders whose breached resolve clock raises an 逾期督办 by itself (seeds 000, 001, 004): those
# the district platform sent (states.PLATFORM_SOURCES), and the street's difficult (疑难) cases.
DIFFICULT_LEVEL = "difficult"


def _recipients(session: Session, clock: Clock, lead_department_id: int | None) -> list[int]:
    # The dispatch and first-level contact clocks are the command center's own; other clocks
    # belong to the handling department, and the command center is told too when one is
    # breached.
    if clock.name in COMMAND_CENTER_CLOCKS or lead_department_id is None:
        return notify.command_center(session)
    handlers = notify.department_handlers(session, lead_department_id)
    if not clock.breached_at:
        return handlers
    # An unanswered supervision or warning goes up to the leaders (seed 003: 未及时反馈 … 上报
    # 街道主要领导).
    leaders = notify.leaders(session) if clock.name == "supervision_reply" else []
    return handlers + notify.command_center(session) + leaders


def clock_due(session: Session, clock: Clock, now: datetime, settings: Settings) -> str:
    """Records a reminder or a breach of ``clock``; answers which ("clock_reminder" or
    "clock_breached")."""
    order = repo.lock_order(session, clock.work_order_id)
    if order is None:  # the order is gone; nothing to tell anyone
        clock.met_at = now
        session.add(clock)
        return "clock_reminder"
    label = CLOCK_LABELS.get(clock.name, clock.name)
    if clock.due_at <= now:
        clock.breached_at = now
        kind, title = "clock_breached", f"已超时（{label}）：{order.number}"
    else:
        clock.reminded_at = now
        minutes = max(0, int((clock.due_at - now).total_seconds() // 60))
        kind, title = "clock_reminder", f"即将超时（{label}，剩余 {minutes} 分钟）：{order.number}"
    session.add(clock)
    details = {"clock": clock.name, "due_at": clock.due_at.isoformat()}
    apply = Apply.system(session, clock.work_order_id, now)
    apply.event(kind, by=None, **details)
    supervised = order.source in PLATFORM_SOURCES or order.level == DIFFICULT_LEVEL
    if kind == "clock_breached" and clock.name == "resolve" and supervised:
        _overdue_supervision(session, apply, clock, settings, now)
    if kind == "clock_breached" and clock.name == "accept" and order.lead_department_id:
        _interview_if_repeatedly_late(session, apply, order, settings, now)
    notify.notify(
        session,
        _recipients(session, clock, order.lead_department_id),
        kind=kind,
        title=title,
        body=order.description[:100],
        work_order_id=order.id,
        order_number=order.number,
        dedupe_key=f"clock:{clock.id}:{kind}",
        now=now,
        data=details,
        action=_clock_action(clock.name),
    )
    return kind


def _clock_action(name: str) -> str | None:
    action = CLOCK_ACTIONS.get(name)
    return action.value if action else None


def _interview_if_repeatedly_late(
    session: Session, apply: Apply, order: WorkOrder, settings: Settings, now: datetime
) -> None:
    """约谈 (seed 002): the department's Nth late acceptance in a two-month period is put on
    record for the leaders, once per department and period."""
    limit = profile_rules.rules_for(sla.profile_for(settings), order.source)
    threshold = limit.late_accepts_before_interview
    department_id = order.lead_department_id
    if threshold is None or department_id is None:
        return
    first, after = two_month_period(now.astimezone(settings.tz).date())
    since = datetime.combine(first, time(), settings.tz)
    until = datetime.combine(after, time(), settings.tz)
    if repo.late_accepts(session, department_id, since, until) != threshold:
        return
    apply.event("interview_required", by=None, department_id=department_id, late=threshold)
    notify.notify(
        session,
        notify.leaders(session) + notify.command_center(session),
        kind="interview_required",
        title=f"约谈提醒：承办部门{first:%Y年%m月}起的双月内第{threshold}次未按时先行接单",
        body=f"工单 {order.number} 未按时接单；按规定由街道纪工委进行约谈",
        work_order_id=order.id,
        order_number=order.number,
        dedupe_key=f"interview:{department_id}:{first.isoformat()}",
        now=now,
        data={"department_id": department_id, "period_start": first.isoformat()},
    )


def _overdue_supervision(
    session: Session, apply: Apply, clock: Clock, settings: Settings, now: datetime
) -> None:
    """逾期督办, issued by the system once per breach: not again while one is unanswered."""
    gathered = gather(session, None, clock.work_order_id, settings)
    facts = gathered.facts
    if any(s.kind == "overdue" and s.replied_at is None for s in facts.supervisions):
        return
    issue_supervision(
        session,
        apply,
        facts,
        gathered.rules,
        kind="overdue",
        level="street",
        notice=f"工单 {facts.number} 已超过办结时限，请说明原因并尽快办结（系统自动督办）",
        issued_by=None,
        settings=settings,
        now=now,
    )
