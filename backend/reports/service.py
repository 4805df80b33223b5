"""Filing a report: validate, convert coordinates, process evidence, store once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import User
from backend.catalog import repository as catalog_repo
from backend.config import Settings
from backend.dispatch import service as dispatch
from backend.errors import InvalidInput, NotFound
from backend.evidence import service as evidence
from backend.evidence.watermark import WatermarkInfo
from backend.pagination import Page, last_id, page_by_id
from backend.reports import repository as repo
from backend.reports.coords import to_wgs84
from backend.reports.models import Report
from backend.reports.schemas import ReportOut
from backend.seams.storage import Storage


@dataclass(frozen=True)
class ReportSubmission:
    client_uuid: str
    description: str
    lat: float
    lng: float
    crs: str
    accuracy_m: float | None
    address: str | None
    category_number: int | None
    captured_at: datetime | None
    photos: list[evidence.Upload]
    voice: evidence.Upload | None


def _validate(session: Session, sub: ReportSubmission, settings: Settings) -> None:
    if not sub.description.strip():
        raise InvalidInput("请填写问题描述", code="description_required", field="description")
    if not sub.photos:
        raise InvalidInput("请至少上传一张照片", code="photos_required", field="photos")
    if len(sub.photos) > settings.max_photos_per_report:
        raise InvalidInput(
            f"每次最多上传 {settings.max_photos_per_report} 张照片",
            code="too_many_photos",
            field="photos",
        )
    if sub.category_number is not None and not catalog_repo.category_by_number(
        session, sub.category_number
    ):
        raise InvalidInput("事项清单中没有该序号", code="unknown_category", field="category_number")


def report_out(session: Session, report: Report) -> ReportOut:
    assert report.id is not None
    voice = repo.voice_of(session, report.id)
    return ReportOut(
        id=report.id,
        client_uuid=report.client_uuid,
        reporter_id=report.reporter_id,
        description=report.description,
        lat=report.lat,
        lng=report.lng,
        crs=report.crs,
        accuracy_m=report.accuracy_m,
        address=report.address,
        category_number=report.category_number,
        captured_at=report.captured_at,
        received_at=report.received_at,
        grid_id=report.grid_id,
        work_order_id=report.work_order_id,
        photos=[evidence.photo_out(p) for p in repo.photos_of(session, report.id)],
        voice=evidence.recording_out(voice) if voice else None,
    )


def submit(
    session: Session,
    storage: Storage,
    user: User,
    sub: ReportSubmission,
    settings: Settings,
    now: datetime,
) -> tuple[ReportOut, bool]:
    """Returns (report, created). A resent client_uuid answers the first report, unchanged."""
    assert user.id is not None
    existing = repo.by_client_uuid(session, user.id, sub.client_uuid)
    if existing is not None:
        return report_out(session, existing), False
    _validate(session, sub, settings)
    lat, lng = to_wgs84(sub.lat, sub.lng, sub.crs)
    # End the read transaction before the CPU-heavy part: on SQLite it holds the write lock.
    session.commit()

    watermark = WatermarkInfo(reporter=user.display_name, address=sub.address or "")
    processed = [
        evidence.process_photo(
            upload,
            settings,
            watermark=watermark,
            uploaded_at=now,
            report_lat=lat,
            report_lng=lng,
            claimed_taken_at=sub.captured_at,
        )
        for upload in sub.photos
    ]
    voice_info = evidence.inspect_recording(sub.voice, settings) if sub.voice else None

    repo.lock_submission(session, user.id, sub.client_uuid)
    existing = repo.by_client_uuid(session, user.id, sub.client_uuid)
    if existing is not None:
        return report_out(session, existing), False
    report = Report(
        client_uuid=sub.client_uuid,
        reporter_id=user.id,
        description=sub.description.strip(),
        lat=lat,
        lng=lng,
        crs=sub.crs,
        submitted_lat=sub.lat,
        submitted_lng=sub.lng,
        accuracy_m=sub.accuracy_m,
        address=sub.address,
        category_number=sub.category_number,
        captured_at=sub.captured_at,
        received_at=now,
    )
    try:
        with evidence.blobs_for(session, storage) as writer:
            session.add(report)
            session.flush()
            for position, (upload, photo) in enumerate(zip(sub.photos, processed, strict=True)):
                row = evidence.store_photo(
                    writer, photo, upload.data, uploaded_by=user.id, position=position, now=now
                )
                row.report_id = report.id
                session.add(row)
            if sub.voice and voice_info:
                recording = evidence.store_recording(
                    writer, voice_info, sub.voice.data, kind="voice", uploaded_by=user.id, now=now
                )
                recording.report_id = report.id
                session.add(recording)
            session.flush()
            # The order is made in the same transaction: a report never exists without one.
            dispatch.intake(session, report, user, settings, now)
    except IntegrityError:
        # Lost a race on (reporter, client_uuid) that the lock did not cover: answer the winner.
        existing = repo.by_client_uuid(session, user.id, sub.client_uuid)
        if existing is None:
            raise
        return report_out(session, existing), False
    return report_out(session, report), True


def visible_report(session: Session, viewer: User, report_id: int) -> Report:
    report = repo.by_id(session, report_id)
    if report is None or not permissions.may_see_report(viewer, report.reporter_id):
        raise NotFound("找不到该上报", code="report_not_found")
    return report


def get_report(session: Session, viewer: User, report_id: int) -> ReportOut:
    return report_out(session, visible_report(session, viewer, report_id))


def list_reports(
    session: Session, viewer: User, *, cursor: str | None, limit: int
) -> Page[ReportOut]:
    before_id = last_id(cursor)
    # Members and inspectors see their own reports; the street-wide roles see all.
    reporter_id = None if permissions.sees_street(viewer) else viewer.id
    rows = repo.list_reports(session, reporter_id=reporter_id, before_id=before_id, limit=limit + 1)
    return page_by_id(rows, limit, [report_out(session, r) for r in rows[:limit]])
