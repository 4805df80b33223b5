"""The handling department's steps: accept, first contact, check-in, evidence.

Each is gather → decide → apply (backend.workorders.pipeline).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from backend.auth.models import Role, User
from backend.config import Settings
from backend.db import row_id
from backend.errors import InvalidInput
from backend.evidence import service as evidence
from backend.evidence.service import OrderPlace, Upload
from backend.geo import to_wgs84
from backend.org import repository as org_repo
from backend.seams.storage import Storage
from backend.sla import service as sla
from backend.timefmt import parse_client_time
from backend.workorders.handling import rules
from backend.workorders.handling.schemas import CheckInIn, FirstContactIn
from backend.workorders.machine import Step
from backend.workorders.models import ContactAttempt
from backend.workorders.pipeline import Apply, decide, enforce, gather
from backend.workorders.step_body import Versioned


def accept(
    session: Session, user: User, order_id: int, body: Versioned, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.accept, now, version=body.version)
    apply = Apply.begin(session, gathered, body.version, change, now)
    sla.meet(session, order_id, "accept", now)
    apply.event("accepted")


def first_contact(
    session: Session,
    user: User,
    order_id: int,
    body: FirstContactIn,
    settings: Settings,
    now: datetime,
) -> None:
    gathered = gather(session, user, order_id, settings)
    facts = gathered.facts
    if (body.level == "command_center") != (user.role == Role.dispatcher):
        raise InvalidInput(
            "城运中心层级由指挥中心记录，部门层级由承办人记录", code="wrong_level", field="level"
        )
    contacted_at = parse_client_time(body.contacted_at) if body.contacted_at else now
    if contacted_at > now + timedelta(minutes=5):
        raise InvalidInput("联系时间不能晚于当前时间", code="future_time", field="contacted_at")
    change = decide(
        gathered, Step.first_contact, now, f"{body.level}.{body.outcome}", version=body.version
    )
    rule = gathered.rules.first_contact
    complete = False
    if body.outcome == "reached":
        outcome = enforce(
            rules.check_first_contact,
            level=body.level,
            rule=rule,
            done_levels=facts.contacted_levels,
            method=body.method,
            has_recording=body.recording_id is not None
            and facts.recording(body.recording_id) is not None,
            has_sms_screenshot=body.sms_photo_id is not None
            and facts.photo(body.sms_photo_id) is not None,
            has_visit_photo=body.visit_photo_id is not None
            and facts.photo(body.visit_photo_id) is not None,
            landline_with_address=facts.caller_landline and bool((facts.address or "").strip()),
            failed_attempts=facts.failed_attempts(body.level),
            min_gap=timedelta(minutes=settings.first_contact_attempt_gap_minutes),
        )
        complete = outcome.complete
    values: dict[str, object] = {}
    if body.outcome == "reached":
        levels = [lv for lv in rule.levels if lv in facts.contacted_levels | {body.level}]
        values["contacted_levels"] = ",".join(levels)
        if complete and facts.first_contact_at is None:
            # Every level of the profile reached the caller: the first-contact clock is met.
            values["first_contact_at"] = contacted_at
    apply = Apply.begin(session, gathered, body.version, change, now, **values)
    session.add(
        ContactAttempt(
            work_order_id=order_id,
            level=body.level,
            reached=body.outcome == "reached",
            method=body.method,
            contacted_at=contacted_at,
            recording_id=body.recording_id if body.outcome == "reached" else None,
            # The attempt's one photo: the SMS screenshot or the visit's photo.
            sms_photo_id=(body.sms_photo_id or body.visit_photo_id)
            if body.outcome == "reached"
            else None,
            actor_id=user.id,
            note=body.note,
        )
    )
    if body.outcome == "reached" and body.level == "command_center":
        sla.meet(session, order_id, "first_contact_center", now)
    if complete:
        sla.meet(session, order_id, "first_contact", now)
    common: dict[str, Any] = {
        "level": body.level,
        "method": body.method,
        "contacted_at": contacted_at.isoformat(),
        "note": body.note,
    }
    if body.outcome == "failed":
        apply.event("first_contact_attempt", **common)
    else:
        apply.event(
            "first_contact",
            **common,
            recording_id=body.recording_id,
            sms_photo_id=body.sms_photo_id,
            visit_photo_id=body.visit_photo_id,
        )


def check_in(
    session: Session, user: User, order_id: int, body: CheckInIn, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.check_in, now, version=body.version)
    lat, lng = to_wgs84(body.lat, body.lng, body.crs)
    facts = gathered.facts
    place = rules.check_in_at(lat, lng, facts.lat, facts.lng, settings.photo_far_m)
    apply = Apply.begin(session, gathered, body.version, change, now)
    sla.meet(session, order_id, "check_in", now)
    apply.event(
        "checked_in",
        lat=lat,
        lng=lng,
        accuracy_m=body.accuracy_m,
        distance_m=place.distance_m,
        far=place.far,
    )


def add_evidence(
    session: Session,
    storage: Storage,
    user: User,
    order_id: int,
    *,
    version: int,
    phase: str | None,
    photos: list[Upload],
    recording: Upload | None,
    recording_kind: str,
    settings: Settings,
    now: datetime,
) -> tuple[list[int], list[int]]:
    """Stores photos (by phase) and a recording; answers the new photo and recording ids."""
    if not photos and recording is None:
        raise InvalidInput("请上传照片或录音", code="evidence_required", field="photos")
    if photos and phase is None:
        raise InvalidInput(
            "请选择照片的阶段（处置前、处置后……）", code="phase_required", field="phase"
        )
    if len(photos) > settings.max_photos_per_report:
        raise InvalidInput(
            f"每次最多上传 {settings.max_photos_per_report} 张照片",
            code="too_many_photos",
            field="photos",
        )
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.evidence, now, version=version)
    order = gathered.bundle.order
    grid = org_repo.grid_by_id(session, order.grid_id) if order.grid_id else None
    # The CPU-heavy part happens before the write lock is taken.
    prepared = evidence.prepare_order_evidence(
        uploader=user,
        order=OrderPlace(
            number=order.number,
            address=order.address,
            lat=order.lat,
            lng=order.lng,
            grid_name=grid.name if grid else None,
        ),
        photos=photos,
        recording=recording,
        settings=settings,
        now=now,
    )
    apply = Apply.begin(session, gathered, version, change, now)
    rows, stored = evidence.store_order_evidence(
        session,
        storage,
        prepared,
        uploader_id=row_id(user),
        order_id=order_id,
        phase=phase or "document",
        recording_kind=recording_kind,
        now=now,
    )
    photo_ids = [row_id(p) for p in rows]
    recording_ids = [row_id(stored)] if stored else []
    apply.event(
        "evidence_added",
        phase=phase,
        photo_ids=photo_ids,
        recording_id=recording_ids[0] if recording_ids else None,
        flags=sorted({f for p in rows for f in p.flags}),
    )
    return photo_ids, recording_ids
