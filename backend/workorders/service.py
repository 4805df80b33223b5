"""Reading work orders: the detail with its next steps, the timeline check, who may download
its evidence, and the open supervision notices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from sqlmodel import Session

from backend.auth.models import Role, User
from backend.auth.permissions import may_see_report, sees_street
from backend.auth.schemas import DepartmentRef
from backend.config import Settings
from backend.db import row_id
from backend.errors import NotFound
from backend.evidence import repository as evidence_repo
from backend.evidence.media import Blob, hidden, photo_blob, recording_blob
from backend.evidence.schemas import PhotoOut, RecordingOut
from backend.evidence.service import photo_out, recording_out
from backend.org import repository as org_repo
from backend.reports import repository as report_repo
from backend.sla.calendar import SHANGHAI
from backend.workorders import repository as repo
from backend.workorders.callers import Caller, CallerView, shown, view_of
from backend.workorders.machine import NextStep, Relation, next_steps
from backend.workorders.models import Supervision
from backend.workorders.pipeline import Gathered, gather
from backend.workorders.schemas import (
    CallerOut,
    CandidateOut,
    ChainOut,
    ClockOut,
    DepartmentCount,
    EventOut,
    EvidenceOut,
    ExtensionOut,
    NextStepOut,
    ReportEvidenceOut,
    ReturnOut,
    SupervisionOut,
    UnrepliedItem,
    UnrepliedOut,
    WarningOut,
    WorkOrderOut,
)
from backend.workorders.states import STATUS_LABELS, Status
from backend.workorders.timeline import EventContent, verify
from backend.workorders.warnings import order_warnings


def caller_out(gathered: Gathered, *, in_list: bool) -> CallerOut | None:
    order = gathered.bundle.order
    if not (order.caller_name or order.caller_phone):
        return None
    caller = Caller(
        order.caller_name, order.caller_phone, order.caller_anonymous, order.caller_confidential
    )
    view = view_of(
        caller,
        command_center=gathered.user is not None and sees_street(gathered.user),
        handling=gathered.actor.relation in (Relation.lead, Relation.assist),
        in_list=in_list,
    )
    name, phone = shown(caller, view)
    return CallerOut(
        name=name,
        phone=phone,
        anonymous=caller.anonymous,
        confidential=caller.confidential,
        masked=view is not CallerView.full,
    )


def sees_warnings(gathered: Gathered) -> bool:
    """The command center reviews the order, the handling departments did the work."""
    return gathered.user is not None and (
        sees_street(gathered.user) or gathered.actor.relation in (Relation.lead, Relation.assist)
    )


def warnings_out(gathered: Gathered, tz: tzinfo) -> list[WarningOut]:
    if not sees_warnings(gathered):
        return []
    found = order_warnings(gathered.facts, gathered.bundle.photos, gathered.bundle.events, tz)
    return [WarningOut(code=w.code, message=w.message) for w in found]


def order_out(gathered: Gathered, now: datetime, tz: tzinfo = SHANGHAI) -> WorkOrderOut:
    bundle, order = gathered.bundle, gathered.bundle.order

    def ref(department_id: int | None) -> DepartmentRef | None:
        d = bundle.departments.get(department_id) if department_id else None
        return DepartmentRef(id=d.id, name=d.name, kind=d.kind) if d and d.id else None

    report_photos: dict[int, list[PhotoOut]] = {}
    report_voice: dict[int, RecordingOut] = {}
    order_photos, order_recordings = [], []
    for photo in bundle.photos:
        if photo.report_id is not None:
            report_photos.setdefault(photo.report_id, []).append(photo_out(photo))
        else:
            order_photos.append(photo_out(photo))
    for recording in bundle.recordings:
        if recording.report_id is not None:
            if recording.kind == "voice":
                report_voice[recording.report_id] = recording_out(recording)
        else:
            order_recordings.append(recording_out(recording))
    steps = (
        next_steps(gathered.facts, gathered.actor, gathered.rules, now)
        if gathered.user is not None
        else ()
    )
    return WorkOrderOut(
        external_no=order.external_no,
        appeal_type=order.appeal_type,
        received_at=order.received_at,
        platform_due_at=order.platform_due_at,
        caller=caller_out(gathered, in_list=False),
        id=row_id(order),
        number=order.number,
        version=order.version,
        status=order.status,
        status_label=STATUS_LABELS[Status(order.status)],
        source=order.source,
        level=order.level,
        profile=order.profile,
        description=order.description,
        address=order.address,
        lat=order.lat,
        lng=order.lng,
        category_number=order.category_number,
        category_name=bundle.category_name,
        grid_id=order.grid_id,
        out_of_jurisdiction=order.out_of_jurisdiction,
        lead_department=ref(order.lead_department_id),
        assist_departments=[r for r in (ref(i) for i in bundle.assist_ids) if r],
        suggestions=[CandidateOut(**s) for s in order.suggestions],
        confident=order.confident,
        routing_reason=order.routing_reason,
        dispatch_mode=order.dispatch_mode,
        dispatched_at=order.dispatched_at,
        duplicate_of_id=order.duplicate_of_id,
        repeat_count=order.repeat_count,
        stored_matter_id=order.stored_matter_id,
        satisfaction_exempt=order.satisfaction_exempt,
        created_at=order.created_at,
        clocks=[
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
            for c in bundle.clocks
        ],
        events=[
            EventOut(
                seq=e.seq, kind=e.kind, actor_id=e.actor_id, at=e.at, payload=e.payload, hash=e.hash
            )
            for e in bundle.events
        ],
        evidence=EvidenceOut(
            reports=[
                ReportEvidenceOut(
                    report_id=row_id(r),
                    photos=report_photos.get(row_id(r), []),
                    voice=report_voice.get(row_id(r)),
                )
                for r in bundle.reports
            ],
            photos=order_photos,
            recordings=order_recordings,
        ),
        supervisions=[supervision_out(s, now) for s in bundle.supervisions],
        returns=[ReturnOut.model_validate(r, from_attributes=True) for r in bundle.returns],
        extensions=[
            ExtensionOut.model_validate(e, from_attributes=True) for e in bundle.extensions
        ],
        failed_checks=order.failed_checks,
        warning_order=order.warning_order,
        first_contact_at=order.first_contact_at,
        satisfaction=order.satisfaction,
        resolution=order.resolution,
        closed_at=order.closed_at,
        next_steps=next_step_outs(steps),
        warnings=warnings_out(gathered, tz),
    )


def next_step_outs(steps: Iterable[NextStep]) -> list[NextStepOut]:
    return [
        NextStepOut(step=s.step.value, label=s.label, ready=s.ready, needs=list(s.needs))
        for s in steps
    ]


def supervision_out(row: Supervision, now: datetime) -> SupervisionOut:
    return SupervisionOut(
        id=row_id(row),
        kind=row.kind,
        level=row.level,
        notice=row.notice,
        issued_at=row.issued_at,
        reply_due_at=row.reply_due_at,
        reply=row.reply,
        replied_at=row.replied_at,
        overdue=row.replied_at is None and row.reply_due_at <= now,
    )


def get_order(
    session: Session, user: User, order_id: int, settings: Settings, now: datetime
) -> WorkOrderOut:
    return order_out(gather(session, user, order_id, settings), now, settings.tz)


def answer(
    session: Session, user: User, order_id: int, settings: Settings, now: datetime
) -> WorkOrderOut:
    """What a step answers: the order as it is now, read after the step's writes."""
    session.flush()
    return get_order(session, user, order_id, settings, now)


def chain(session: Session, user: User, order_id: int, settings: Settings) -> ChainOut:
    events = gather(session, user, order_id, settings).bundle.events
    contents = [
        (EventContent(e.seq, e.kind, e.actor_id, e.at, e.payload), e.prev_hash, e.hash)
        for e in events
    ]
    return ChainOut(valid=verify(contents), events=len(events))


# -- evidence downloads --------------------------------------------------------------------


def _visible_evidence(
    session: Session,
    user: User,
    report_id: int | None,
    work_order_id: int | None,
    settings: Settings,
) -> None:
    """Whoever may see an order may see the photos and recordings of its reports and its own
    evidence; a report not (yet) in an order is its reporter's and the street's."""
    try:
        if work_order_id is None and report_id is not None:
            report = report_repo.by_id(session, report_id)
            if report is None:
                raise hidden()
            if report.work_order_id is None:
                if not may_see_report(user, report.reporter_id):
                    raise hidden()
                return
            work_order_id = report.work_order_id
        if work_order_id is None:
            raise hidden()
        gather(session, user, work_order_id, settings)
    except NotFound:
        raise hidden() from None


def photo_download(
    session: Session, user: User, photo_id: int, variant: str, settings: Settings
) -> Blob:
    photo = evidence_repo.photo_by_id(session, photo_id)
    if photo is None:
        raise hidden()
    _visible_evidence(session, user, photo.report_id, photo.work_order_id, settings)
    return photo_blob(photo, variant)


def recording_download(session: Session, user: User, recording_id: int, settings: Settings) -> Blob:
    recording = evidence_repo.recording_by_id(session, recording_id)
    if recording is None:
        raise hidden()
    _visible_evidence(session, user, recording.report_id, recording.work_order_id, settings)
    return recording_blob(recording)


# -- supervision notices -------------------------------------------------------------------


def unreplied_supervisions(session: Session, user: User, now: datetime) -> UnrepliedOut:
    """Notices still waiting for a reply, counted per lead department (handlers: their own)."""
    department = user.department_id if user.role == Role.handler else None
    rows = repo.unreplied_supervisions(session, department)
    counts: dict[int | None, int] = {}
    items = []
    for row, number, lead in rows:
        counts[lead] = counts.get(lead, 0) + 1
        items.append(
            UnrepliedItem(
                work_order_id=row.work_order_id,
                number=number,
                supervision=supervision_out(row, now),
            )
        )
    names = org_repo.departments_by_ids(session, {d for d in counts if d is not None})
    by_department = [
        DepartmentCount(department_id=d, name=names[d].name if d in names else "未派单", count=n)
        for d, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return UnrepliedOut(total=len(rows), by_department=by_department, items=items)
