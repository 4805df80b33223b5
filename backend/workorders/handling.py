"""The handling department's steps: accept, first contact, check-in, evidence."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.errors import InvalidInput
from backend.evidence import service as evidence
from backend.org import repository as org_repo
from backend.reports.coords import haversine_m, to_wgs84
from backend.seams.storage import Storage
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.timefmt import parse_client_time
from backend.workorders import lifecycle_rules as rules
from backend.workorders import repository as repo
from backend.workorders.models import Status, WorkOrder
from backend.workorders.rule_errors import enforce
from backend.workorders.state_machine import Step, next_status
from backend.workorders.step_schemas import CheckInIn, FirstContactIn, Versioned
from backend.workorders.steps import allowed, begin, record

PHASES = ("before", "after", "scene", "document", "signoff", "sms")
RECORDING_KINDS = ("first_contact", "reply", "callback")


def accept(
    session: Session, user: User, order_id: int, body: Versioned, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.accept)
    order.status = next_status(Step.accept, order.status)
    sla.meet(session, order_id, "accept", now)
    record(session, order, "accepted", user, now)
    return order


def first_contact(
    session: Session,
    user: User,
    order_id: int,
    body: FirstContactIn,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.first_contact)
    rule = profile_rules.rules_for(sla.profile_for(settings), order.source).first_contact
    if (body.level == "command_center") != (user.role == "dispatcher"):
        raise InvalidInput(
            "城运中心层级由指挥中心记录，部门层级由承办人记录", code="wrong_level", field="level"
        )
    if body.level == "department" and order.status == Status.dispatched:
        raise InvalidInput("请先接单", code="accept_first", field="level")
    contacted_at = parse_client_time(body.contacted_at) if body.contacted_at else now
    if contacted_at > now + timedelta(minutes=5):
        raise InvalidInput("联系时间不能晚于当前时间", code="future_time", field="contacted_at")
    history = repo.events_of(session, order_id)
    done = {e.payload.get("level") for e in history if e.kind == "first_contact"}
    if body.outcome == "failed":
        if body.level in done:
            raise InvalidInput("本级先行联系已完成", code="first_contact_done", field="level")
        record(
            session,
            order,
            "first_contact_attempt",
            user,
            now,
            level=body.level,
            contacted_at=contacted_at.isoformat(),
            method=body.method,
            note=body.note,
        )
        return order
    attempts = [
        datetime.fromisoformat(e.payload["contacted_at"])
        for e in history
        if e.kind == "first_contact_attempt" and e.payload.get("level") == body.level
    ]
    has_recording = (
        body.recording_id is not None
        and repo.recording_of_order(session, order_id, body.recording_id) is not None
    )
    has_sms = (
        body.sms_photo_id is not None
        and repo.photo_of_order(session, order_id, body.sms_photo_id) is not None
    )
    outcome = enforce(
        rules.check_first_contact,
        level=body.level,
        rule=rule,
        done_levels={str(level) for level in done if level},
        method=body.method,
        has_recording=has_recording,
        has_sms_screenshot=has_sms,
        failed_attempts=attempts,
        min_gap=timedelta(minutes=settings.first_contact_attempt_gap_minutes),
    )
    record(
        session,
        order,
        "first_contact",
        user,
        now,
        level=body.level,
        method=body.method,
        contacted_at=contacted_at.isoformat(),
        recording_id=body.recording_id,
        sms_photo_id=body.sms_photo_id,
        note=body.note,
    )
    if outcome.complete:
        # Every level of the profile reached the caller: the first-contact clock is met.
        order.first_contact_at = order.first_contact_at or contacted_at
        sla.meet(session, order_id, "first_contact", now)
    if body.level == "department":
        order.status = next_status(Step.first_contact, order.status, "reached")
    session.add(order)
    return order


def check_in(
    session: Session, user: User, order_id: int, body: CheckInIn, settings: Settings, now: datetime
) -> WorkOrder:
    order = begin(session, user, order_id, body.version, Step.check_in)
    lat, lng = to_wgs84(body.lat, body.lng, body.crs)
    distance = (
        haversine_m(lat, lng, order.lat, order.lng)
        if order.lat is not None and order.lng is not None
        else None
    )
    far = distance is not None and distance > settings.photo_far_m
    order.status = next_status(Step.check_in, order.status)
    sla.meet(session, order_id, "check_in", now)
    record(
        session,
        order,
        "checked_in",
        user,
        now,
        lat=lat,
        lng=lng,
        accuracy_m=body.accuracy_m,
        distance_m=round(distance, 1) if distance is not None else None,
        far=far,
    )
    return order


def add_evidence(
    session: Session,
    storage: Storage,
    user: User,
    order_id: int,
    *,
    version: int,
    phase: str,
    photos: list[evidence.Upload],
    recording: evidence.Upload | None,
    recording_kind: str,
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    if phase not in PHASES:
        raise InvalidInput(f"阶段只能是：{'、'.join(PHASES)}", code="invalid_phase", field="phase")
    if recording is not None and recording_kind not in RECORDING_KINDS:
        raise InvalidInput("录音类型无效", code="invalid_recording_kind", field="recording_kind")
    if not photos and recording is None:
        raise InvalidInput("请上传照片或录音", code="evidence_required", field="photos")
    if len(photos) > settings.max_photos_per_report:
        raise InvalidInput(
            f"每次最多上传 {settings.max_photos_per_report} 张照片",
            code="too_many_photos",
            field="photos",
        )
    # Derive the photos before taking the order's version: the CPU-heavy part must not hold
    # the order (or, on SQLite, the database write lock).
    order = allowed(session, user, order_id, Step.evidence)
    grid = org_repo.grid_by_id(session, order.grid_id) if order.grid_id else None
    prepared = evidence.prepare_order_evidence(
        uploader=user,
        order=order,
        grid_name=grid.name if grid else None,
        photos=photos,
        recording=recording,
        settings=settings,
        now=now,
    )
    session.commit()  # nothing written yet; ends the read transaction
    order = begin(session, user, order_id, version, Step.evidence)
    rows, stored = evidence.store_order_evidence(
        session,
        storage,
        prepared,
        uploader=user,
        order=order,
        phase=phase,
        recording_kind=recording_kind,
        now=now,
    )
    record(
        session,
        order,
        "evidence_added",
        user,
        now,
        phase=phase,
        photo_ids=[p.id for p in rows],
        recording_id=stored.id if stored else None,
        flags=sorted({f for p in rows for f in p.flags}),
    )
    return order
