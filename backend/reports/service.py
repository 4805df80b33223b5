"""Filing a report: validate, convert coordinates, process evidence, store once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import User
from backend.catalog import repository as catalog_repo
from backend.config import Settings
from backend.db import row_id
from backend.errors import InvalidInput, NotFound
from backend.evidence import repository as evidence_repo
from backend.evidence import service as evidence
from backend.evidence.audio import AudioInfo
from backend.evidence.imaging import ProcessedPhoto
from backend.evidence.watermark import WatermarkInfo
from backend.geo import to_wgs84
from backend.reports import repository as repo
from backend.reports.models import Report
from backend.reports.schemas import ReportOut


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


def report_outs(session: Session, reports: list[Report]) -> list[ReportOut]:
    """Reports as clients see them, with their photos and voice notes: three statements in
    all, however many reports."""
    ids = [row_id(r) for r in reports]
    photos: dict[int, list] = {}
    for photo in evidence_repo.photos_of(session, report_ids=ids):
        if photo.report_id is not None:
            photos.setdefault(photo.report_id, []).append(evidence.photo_out(photo))
    voices = {
        r.report_id: evidence.recording_out(r)
        for r in evidence_repo.recordings_of(session, report_ids=ids)
        if r.kind == "voice" and r.report_id is not None
    }
    return [
        ReportOut(
            id=row_id(report),
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
            photos=photos.get(row_id(report), []),
            voice=voices.get(row_id(report)),
        )
        for report in reports
    ]


def report_out(session: Session, report: Report) -> ReportOut:
    return report_outs(session, [report])[0]


def resent(session: Session, user: User, client_uuid: str) -> Report | None:
    """The report this client_uuid already filed (phones resend), if any."""
    return repo.by_client_uuid(session, row_id(user), client_uuid)


@dataclass(frozen=True)
class PreparedReport:
    """A submission checked and its evidence derived (the CPU-heavy part), ready to store."""

    submission: ReportSubmission
    lat: float  # WGS-84
    lng: float
    photos: list[ProcessedPhoto]
    voice: AudioInfo | None


def prepare(
    session: Session, user: User, sub: ReportSubmission, settings: Settings, now: datetime
) -> PreparedReport:
    """Validates and derives everything; writes nothing, so it runs before any lock."""
    _validate(session, sub, settings)
    lat, lng = to_wgs84(sub.lat, sub.lng, sub.crs)
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
    voice = evidence.inspect_recording(sub.voice, settings) if sub.voice else None
    return PreparedReport(sub, lat, lng, processed, voice)


def lock_submission(session: Session, user: User, client_uuid: str) -> None:
    repo.lock_submission(session, row_id(user), client_uuid)


def store(
    session: Session,
    user: User,
    prepared: PreparedReport,
    writer: evidence.BlobWriter,
    now: datetime,
) -> Report:
    """Writes the report and its evidence (the caller holds the write transaction and the
    blob writer that cleans up after a failure)."""
    sub = prepared.submission
    reporter_id = row_id(user)
    report = Report(
        client_uuid=sub.client_uuid,
        reporter_id=reporter_id,
        description=sub.description.strip(),
        lat=prepared.lat,
        lng=prepared.lng,
        crs=sub.crs,
        submitted_lat=sub.lat,
        submitted_lng=sub.lng,
        accuracy_m=sub.accuracy_m,
        address=sub.address,
        category_number=sub.category_number,
        captured_at=sub.captured_at,
        received_at=now,
    )
    session.add(report)
    session.flush()
    for position, (upload, photo) in enumerate(zip(sub.photos, prepared.photos, strict=True)):
        row = evidence.store_photo(
            writer, photo, upload.data, uploaded_by=reporter_id, position=position, now=now
        )
        row.report_id = report.id
        session.add(row)
    if sub.voice and prepared.voice:
        recording = evidence.store_recording(
            writer, prepared.voice, sub.voice.data, kind="voice", uploaded_by=reporter_id, now=now
        )
        recording.report_id = report.id
        session.add(recording)
    session.flush()
    return report


def visible_report(session: Session, viewer: User, report_id: int) -> Report:
    report = repo.by_id(session, report_id)
    if report is None or not permissions.may_see_report(viewer, report.reporter_id):
        raise NotFound("找不到该上报", code="report_not_found")
    return report


def get_report(session: Session, viewer: User, report_id: int) -> ReportOut:
    return report_out(session, visible_report(session, viewer, report_id))
