"""Reading work orders: the order, its clocks, evidence and timeline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import User
from backend.auth.schemas import DepartmentRef
from backend.catalog import repository as catalog_repo
from backend.dispatch import repository as dispatch_repo
from backend.dispatch.schemas import CandidateOut
from backend.errors import NotFound
from backend.evidence.media import Blob, hidden, photo_blob, recording_blob
from backend.evidence.service import photo_out, recording_out
from backend.org import repository as org_repo
from backend.reports import repository as report_repo
from backend.reports.models import Report
from backend.reports.service import report_out
from backend.sla import repository as sla_repo
from backend.workorders import events
from backend.workorders import repository as repo
from backend.workorders.models import Supervision, WorkOrder
from backend.workorders.schemas import (
    ChainOut,
    ClockOut,
    EventOut,
    EvidenceOut,
    ReportEvidenceOut,
    WorkOrderOut,
)
from backend.workorders.step_schemas import (
    DepartmentCount,
    ExtensionOut,
    ReturnOut,
    SupervisionOut,
    UnrepliedItem,
    UnrepliedOut,
)


def visible_order(session: Session, user: User, order_id: int) -> WorkOrder:
    order = repo.by_id(session, order_id)
    if order is None or not permissions.may_see_order(
        user,
        order.lead_department_id,
        repo.assist_ids(session, order_id),
        [r.reporter_id for r in _reports(session, order_id)],
        order.grid_id,
        org_repo.grid_ids_of_user(session, user.id)
        if user.role == "inspector" and user.id
        else None,
    ):
        raise NotFound("找不到该工单", code="work_order_not_found")
    return order


def visible_evidence(
    session: Session, user: User, report_id: int | None, work_order_id: int | None
) -> None:
    """Whoever may see an order may see the photos and recordings of its reports and its own
    evidence; a report not (yet) in an order is its reporter's and the street's."""
    try:
        if work_order_id is None and report_id is not None:
            report = report_repo.by_id(session, report_id)
            work_order_id = report.work_order_id if report else None
            if report is not None and work_order_id is None:
                if not permissions.may_see_report(user, report.reporter_id):
                    raise hidden()
                return
        if work_order_id is None:
            raise hidden()
        visible_order(session, user, work_order_id)
    except NotFound:
        raise hidden() from None


def photo_download(session: Session, user: User, photo_id: int, variant: str) -> Blob:
    photo = report_repo.photo_by_id(session, photo_id)
    if photo is None:
        raise hidden()
    visible_evidence(session, user, photo.report_id, photo.work_order_id)
    return photo_blob(photo, variant)


def recording_download(session: Session, user: User, recording_id: int) -> Blob:
    recording = report_repo.recording_by_id(session, recording_id)
    if recording is None:
        raise hidden()
    visible_evidence(session, user, recording.report_id, recording.work_order_id)
    return recording_blob(recording)


def _reports(session: Session, order_id: int) -> list[Report]:
    return [
        r
        for r in (
            report_repo.by_id(session, i) for i in dispatch_repo.report_ids_of(session, order_id)
        )
        if r
    ]


def order_out(session: Session, order: WorkOrder, now: datetime) -> WorkOrderOut:
    assert order.id is not None
    assist_ids = repo.assist_ids(session, order.id)
    departments = org_repo.departments_by_ids(
        session, {*assist_ids, *([order.lead_department_id] if order.lead_department_id else [])}
    )

    def ref(department_id: int | None) -> DepartmentRef | None:
        d = departments.get(department_id) if department_id else None
        return DepartmentRef(id=d.id, name=d.name, kind=d.kind) if d and d.id else None

    category = (
        catalog_repo.category_by_number(session, order.category_number)
        if order.category_number
        else None
    )
    clocks = [
        ClockOut(
            name=c.name,
            due_at=c.due_at,
            remaining_s=None
            if (c.met_at or c.breached_at)
            else int((c.due_at - now).total_seconds()),
            provisional=c.provisional,
            remind_at=c.remind_at,
            met_at=c.met_at,
            breached_at=c.breached_at,
        )
        for c in sla_repo.clocks_of(session, order.id)
    ]
    reports = []
    for report in _reports(session, order.id):
        out = report_out(session, report)
        reports.append(ReportEvidenceOut(report_id=out.id, photos=out.photos, voice=out.voice))
    evidence = EvidenceOut(
        reports=reports,
        photos=[photo_out(p) for p in repo.photos_of_order(session, order.id)],
        recordings=[recording_out(r) for r in repo.recordings_of_order(session, order.id)],
    )
    return WorkOrderOut(
        id=order.id,
        number=order.number,
        version=order.version,
        status=order.status,
        source=order.source,
        level=order.level,
        profile=order.profile,
        description=order.description,
        address=order.address,
        lat=order.lat,
        lng=order.lng,
        category_number=order.category_number,
        category_name=category.name if category else None,
        grid_id=order.grid_id,
        out_of_jurisdiction=order.out_of_jurisdiction,
        lead_department=ref(order.lead_department_id),
        assist_departments=[r for r in (ref(i) for i in assist_ids) if r],
        suggestions=[CandidateOut(**s) for s in order.suggestions],
        confident=order.confident,
        routing_reason=order.routing_reason,
        dispatch_mode=order.dispatch_mode,
        dispatched_at=order.dispatched_at,
        duplicate_of_id=order.duplicate_of_id,
        repeat_count=order.repeat_count,
        created_at=order.created_at,
        clocks=clocks,
        events=[
            EventOut(
                seq=e.seq, kind=e.kind, actor_id=e.actor_id, at=e.at, payload=e.payload, hash=e.hash
            )
            for e in repo.events_of(session, order.id)
        ],
        evidence=evidence,
        supervisions=[supervision_out(s, now) for s in repo.supervisions_of(session, order.id)],
        returns=[
            ReturnOut.model_validate(r, from_attributes=True)
            for r in repo.returns_of(session, order.id)
        ],
        extensions=[
            ExtensionOut.model_validate(e, from_attributes=True)
            for e in repo.extensions_of(session, order.id)
        ],
        failed_checks=order.failed_checks,
        warning_order=order.warning_order,
        first_contact_at=order.first_contact_at,
        satisfaction=order.satisfaction,
        resolution=order.resolution,
        closed_at=order.closed_at,
    )


def supervision_out(row: Supervision, now: datetime) -> SupervisionOut:
    assert row.id is not None
    return SupervisionOut(
        id=row.id,
        kind=row.kind,
        level=row.level,
        notice=row.notice,
        issued_at=row.issued_at,
        reply_due_at=row.reply_due_at,
        reply=row.reply,
        replied_at=row.replied_at,
        overdue=row.replied_at is None and row.reply_due_at <= now,
    )


def get_order(session: Session, user: User, order_id: int, now: datetime) -> WorkOrderOut:
    return order_out(session, visible_order(session, user, order_id), now)


def chain(session: Session, user: User, order_id: int) -> ChainOut:
    visible_order(session, user, order_id)
    valid, count = events.chain_is_valid(session, order_id)
    return ChainOut(valid=valid, events=count)


def unreplied_supervisions(session: Session, user: User, now: datetime) -> UnrepliedOut:
    """Notices still waiting for a reply, counted per lead department (handlers: their own)."""
    department = user.department_id if user.role == "handler" else None
    rows = repo.unreplied_supervisions(session, department)
    counts: dict[int | None, int] = {}
    items = []
    for row in rows:
        order = repo.by_id(session, row.work_order_id)
        lead = order.lead_department_id if order else None
        counts[lead] = counts.get(lead, 0) + 1
        items.append(
            UnrepliedItem(
                work_order_id=row.work_order_id,
                number=order.number if order else "",
                supervision=supervision_out(row, now),
            )
        )
    names = org_repo.departments_by_ids(session, {d for d in counts if d is not None})
    by_department = [
        DepartmentCount(department_id=d, name=names[d].name if d in names else "未派单", count=n)
        for d, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return UnrepliedOut(total=len(rows), by_department=by_department, items=items)
