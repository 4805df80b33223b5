"""Escalations a new platform order sets off (seed 003): a 预警信息推送单 to the departments
when complaints of one category pile up at one place, and the leaders told when a matter keeps
being re-assigned (重新交办). Thresholds are the profile's (``rules.escalation``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.config import Settings
from backend.db import row_id
from backend.dispatch import service as dispatching
from backend.hotline import rules
from backend.notify import service as notify
from backend.sla import deadlines
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.sla.profiles import EscalationRule
from backend.workorders.models import WorkOrder
from backend.workorders.pipeline import Apply, Gathered, gather
from backend.workorders.review.service import issue_supervision

_LEADER_TITLES = {
    "leader_in_charge": "重新交办{n}次，请处置部门分管领导关注",
    "principal_leader": "重新交办{n}次，请街道主要领导关注",
}


def escalate(session: Session, order: WorkOrder, settings: Settings, now: datetime) -> None:
    rule = profile_rules.rules_for(sla.profile_for(settings), order.source).escalation
    if order.category_number is None or rule.similar_window is None:
        return
    since = deadlines.subtract_duration(
        now, rule.similar_window, sla.calendar_for(session), settings.tz
    ).due_at
    nearby = dispatching.earlier_at_place(
        session, order, order.category_number, since, settings.repeat_radius_m
    )
    similar = len(nearby) + 1
    reassigned = sum(e.marked_repeat for e in nearby) + int(order.marked_repeat)
    fired = rules.escalations(similar, reassigned, rule)
    if not fired:
        return
    gathered = gather(session, None, row_id(order), settings)
    apply = Apply.system(session, row_id(order), now)
    for kind in fired:
        if kind == "warning":
            _warn(session, apply, gathered, similar, rule, settings, now)
        else:
            apply.event("escalated", by=None, to=kind, reassigned=reassigned)
            notify.notify(
                session,
                notify.leaders(session),
                kind="reassignment_escalated",
                title=f"{_LEADER_TITLES[kind].format(n=reassigned)}：{order.number}",
                body=order.description[:100],
                work_order_id=row_id(order),
                order_number=order.number,
                dedupe_key=f"order:{row_id(order)}:escalated:{kind}",
                now=now,
                data={"to": kind, "reassigned": reassigned},
            )


def _warn(
    session: Session,
    apply: Apply,
    gathered: Gathered,
    similar: int,
    rule: EscalationRule,
    settings: Settings,
    now: datetime,
) -> None:
    facts = gathered.facts
    place = facts.address or "同一地点"
    category = gathered.bundle.category_name or "同类事项"
    issue_supervision(
        session,
        apply,
        facts,
        gathered.rules,
        kind="warning",
        level="street",
        notice=(
            f"预警信息推送单：{place}近期收到“{category}”集中投诉{similar}件"
            f"（来源：{facts.source.value}），请主办、协办部门在规定时间内反馈情况说明"
        ),
        issued_by=None,
        settings=settings,
        now=now,
        reply_within=rule.feedback_within,
    )
