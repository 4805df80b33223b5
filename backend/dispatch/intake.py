"""The one intake: every order comes in here, is classified, located, routed, and dispatched
at once when nothing is unclear — or waits in the dispatcher queue with its countdown.

The 30-minute rule (seed 001) is met by the machine for clear reports; the rest wait for a
dispatcher, who is warned at 20 and 30 minutes by the dispatch clock (see backend.sla).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.auth.models import Role, User
from backend.config import Settings
from backend.db import begin_write, row_id
from backend.dispatch import service as dispatching
from backend.dispatch.classifier import Classification
from backend.evidence import service as evidence
from backend.notify import service as notify
from backend.reports import service as reports
from backend.reports.models import Report
from backend.reports.schemas import ReportOut
from backend.reports.service import ReportSubmission
from backend.seams.storage import Storage
from backend.sla import service as sla
from backend.workorders import assignment, opening
from backend.workorders.assignment import Assignment
from backend.workorders.machine import Step
from backend.workorders.models import WorkOrder
from backend.workorders.opening import NewOrder
from backend.workorders.pipeline import Apply, decide, gather
from backend.workorders.states import Source


def submit_report(
    session: Session,
    storage: Storage,
    user: User,
    sub: ReportSubmission,
    settings: Settings,
    now: datetime,
) -> tuple[ReportOut, bool]:
    """Files a report and opens its order in one transaction. Returns (report, created); a
    resent client_uuid answers the first report, unchanged."""
    existing = reports.resent(session, user, sub.client_uuid)
    if existing is not None:
        return reports.report_out(session, existing), False
    # Everything CPU-heavy before the write lock: photos, the recording, the classifier.
    prepared = reports.prepare(session, user, sub, settings, now)
    classification = dispatching.classify(sub.description, sub.category_number, settings)
    grid_id = dispatching.grid_index(session).locate(prepared.lat, prepared.lng)
    begin_write(session)
    reports.lock_submission(session, user, sub.client_uuid)
    existing = reports.resent(session, user, sub.client_uuid)
    if existing is not None:
        return reports.report_out(session, existing), False
    try:
        with evidence.blobs_for(session, storage) as writer:
            report = reports.store(session, user, prepared, writer, now)
            order = open_for_report(session, report, user, classification, grid_id, settings, now)
            if not route_new_order(session, order, classification, settings, now):
                _tell_reporter_queued(session, user, order, now)
    except IntegrityError:
        # Lost a race on (reporter, client_uuid) that the lock did not cover: answer the winner.
        winner = reports.resent(session, user, sub.client_uuid)
        if winner is None:
            raise
        return reports.report_out(session, winner), False
    return reports.report_out(session, report), True


def open_for_report(
    session: Session,
    report: Report,
    reporter: User,
    classification: Classification,
    grid_id: int | None,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    source = Source.inspector if reporter.role == Role.inspector else Source.patrol
    top = classification.candidates[0] if classification.candidates else None
    order = opening.open_order(
        session,
        NewOrder(
            source=source,
            level=sla.default_level(sla.profile_for(settings), source.value),
            description=report.description,
            address=report.address,
            lat=report.lat,
            lng=report.lng,
            category_number=top.number if top else report.category_number,
            grid_id=grid_id,
            suggestions=[
                {"number": c.number, "name": c.name, "score": c.score}
                for c in classification.candidates
            ],
            confident=classification.confident,
        ),
        actor_id=reporter.id,
        first_event={"report_id": report.id, "source": source.value, "grid_id": grid_id},
        settings=settings,
        now=now,
    )
    report.grid_id, report.work_order_id = grid_id, order.id
    session.add(report)
    return order


def _tell_reporter_queued(session: Session, user: User, order: WorkOrder, now: datetime) -> None:
    notify.notify(
        session,
        [row_id(user)],
        kind="report_received",
        title=f"您上报的问题已受理：{order.number}",
        body="指挥中心将尽快派单处理，派单后会通知您。",
        work_order_id=row_id(order),
        order_number=order.number,
        dedupe_key=f"reporter:report_received:{row_id(order)}",
        now=now,
    )


def route_new_order(
    session: Session,
    order: WorkOrder,
    classification: Classification,
    settings: Settings,
    now: datetime,
) -> bool:
    """Dispatches a new order at once when it is clear (a confident category inside a grid,
    a lead department, no open duplicate nearby); else queues it for a dispatcher. Answers
    whether it was dispatched."""
    order_id = row_id(order)
    chosen = (
        dispatching.route_for(session, order, order.category_number, settings, now)
        if order.category_number
        else None
    )
    duplicates = dispatching.possible_duplicates(session, order, settings)
    if (
        classification.confident
        and order.grid_id is not None
        and chosen is not None
        and chosen.lead
        and not duplicates
    ):
        gathered = gather(session, None, order_id, settings)
        change = decide(gathered, Step.dispatch, now)
        assigned = Assignment(
            lead_id=dispatching.department_id(session, chosen.lead),
            assist_ids=dispatching.department_ids(session, chosen.assists),
            category_number=order.category_number,
            level=order.level,
            mode="auto",
            reason=chosen.reason,
        )
        apply = assignment.dispatch(
            session, gathered, order.version, change, assigned, settings, now
        )
        dispatching.supervise_comeback(session, apply, gathered, assigned, settings, now)
        return True
    why = dispatching.why_queued(
        classification.confident, order.grid_id, chosen, duplicates, located=order.lat is not None
    )
    apply = Apply.system(session, order_id, now)
    apply.update(routing_reason=why)
    apply.event("queued", by=None, reason=why)
    notify.notify(
        session,
        notify.command_center(session),
        kind="dispatch_needed",
        title=f"待派单：{order.number}",
        body=f"{why}。{order.description[:60]}",
        work_order_id=order_id,
        order_number=order.number,
        dedupe_key=f"order:{order_id}:queued",
        now=now,
        action=Step.dispatch.value,
    )
    return False
