"""Turning uploaded bytes into stored evidence: checks, derived copies, blobs and rows.

Everything CPU-heavy happens before anything is written; blobs are written before rows, and
blobs this request created are removed again if its rows do not make it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.db import row_id
from backend.errors import DomainError
from backend.evidence import audio, imaging
from backend.evidence import repository as repo
from backend.evidence.audio import AudioInfo
from backend.evidence.imaging import ProcessedPhoto
from backend.evidence.models import Photo, Recording
from backend.evidence.schemas import LatLng, PhotoOut, PhotoUrls, RecordingOut
from backend.evidence.watermark import WatermarkInfo, find_cjk_font
from backend.geo import haversine_m
from backend.seams.storage import Storage, content_key

IMAGE_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heif": "image/heic"}
IMAGE_EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp", "heif": "heic"}


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the route read it."""

    field: str  # the form field it came in, for error messages ("photos[2]")
    filename: str
    data: bytes

    @property
    def label(self) -> str:
        """How messages name the file: by position, never by the client's filename, which
        is the client's text and is not repeated back."""
        kind, _, index = self.field.partition("[")
        if kind == "photos" and index.rstrip("]").isdigit():
            return f"第 {int(index.rstrip(']')) + 1} 张照片"
        return {"voice": "语音", "recording": "录音"}.get(kind, "文件")


@lru_cache(maxsize=4)
def _font_for(configured: Path | None) -> str | None:
    if configured is not None:
        return str(configured)
    return find_cjk_font()


def font_path(settings: Settings) -> str | None:
    return _font_for(settings.watermark_font)


def process_photo(
    upload: Upload,
    settings: Settings,
    *,
    watermark: WatermarkInfo,
    uploaded_at: datetime,
    report_lat: float | None,
    report_lng: float | None,
    claimed_taken_at: datetime | None = None,
) -> imaging.ProcessedPhoto:
    try:
        return imaging.process_photo(
            upload.data,
            max_bytes=settings.max_photo_bytes,
            max_pixels=settings.max_photo_pixels,
            watermark=watermark,
            font_path=_font_for(settings.watermark_font),
            uploaded_at=uploaded_at,
            report_lat=report_lat,
            report_lng=report_lng,
            stale_hours=settings.photo_stale_hours,
            far_m=settings.photo_far_m,
            claimed_taken_at=claimed_taken_at,
            future_minutes=settings.photo_future_minutes,
            local_tz=settings.tz,
            distance_m=haversine_m,
        )
    except imaging.ImagingError as exc:
        raise DomainError(
            f"{upload.label}：{exc.message}",
            code=exc.code,
            field=upload.field,
            status_code=exc.status_code,
        ) from exc


def inspect_recording(upload: Upload, settings: Settings) -> audio.AudioInfo:
    try:
        return audio.inspect_audio(upload.data, settings.max_recording_bytes)
    except audio.AudioTooLarge as exc:
        raise DomainError(
            f"{upload.label}：{exc.message}",
            code="file_too_large",
            field=upload.field,
            status_code=413,
        ) from exc
    except audio.AudioError as exc:
        raise DomainError(
            f"{upload.label}：{getattr(exc, 'message', '不支持的录音格式')}",
            code="unsupported_media_type",
            field=upload.field,
            status_code=415,
        ) from exc


@dataclass
class BlobWriter:
    """Writes content-addressed blobs and remembers which ones this request created."""

    storage: Storage
    created: list[str] = field(default_factory=list)

    def put(self, kind: str, data: bytes, extension: str, content_type: str) -> str:
        key = content_key(kind, data, extension)
        if self.storage.put(key, data, content_type):
            self.created.append(key)
        return key


@contextmanager
def blobs_for(session: Session, storage: Storage) -> Iterator[BlobWriter]:
    """On failure, removes the blobs this request created that no committed row uses.

    (Identical bytes from another request share a key; those stay.)
    """
    writer = BlobWriter(storage)
    try:
        yield writer
    except BaseException:
        session.rollback()
        in_use = repo.keys_in_use(session, set(writer.created))
        for key in writer.created:
            if key not in in_use:
                storage.delete(key)
        raise


def store_photo(
    writer: BlobWriter,
    processed: imaging.ProcessedPhoto,
    original: bytes,
    *,
    uploaded_by: int | None,  # None: an external system (Open311) sent it
    position: int,
    now: datetime,
) -> Photo:
    kind = processed.image_type
    camera = " ".join(p for p in (processed.make, processed.model) if p) or None
    return Photo(
        position=position,
        uploaded_by=uploaded_by,
        sha256=processed.sha256,
        image_type=kind,
        size_bytes=len(original),
        original_key=writer.put("original", original, IMAGE_EXTENSION[kind], IMAGE_MIME[kind]),
        display_key=writer.put("display", processed.display_jpeg, "jpg", "image/jpeg"),
        thumbnail_key=writer.put("thumb", processed.thumbnail_jpeg, "jpg", "image/jpeg"),
        width=processed.original_width,
        height=processed.original_height,
        display_width=processed.display_width,
        display_height=processed.display_height,
        gps_lat=processed.gps[0] if processed.gps else None,
        gps_lng=processed.gps[1] if processed.gps else None,
        taken_at=processed.taken_at,
        orientation=processed.orientation,
        camera=camera[:120] if camera else None,
        flags=list(processed.flags),
        created_at=now,
    )


def store_recording(
    writer: BlobWriter,
    info: audio.AudioInfo,
    data: bytes,
    *,
    kind: str,
    uploaded_by: int,
    now: datetime,
) -> Recording:
    return Recording(
        kind=kind,
        uploaded_by=uploaded_by,
        sha256=info.sha256,
        storage_key=writer.put("audio", data, info.format, info.mime),
        format=info.format,
        mime=info.mime,
        duration_s=info.duration_s,
        size_bytes=info.size,
        created_at=now,
    )


def photo_out(photo: Photo) -> PhotoOut:
    base = f"/api/v1/media/photos/{row_id(photo)}"
    gps = (
        LatLng(lat=photo.gps_lat, lng=photo.gps_lng)
        if photo.gps_lat is not None and photo.gps_lng is not None
        else None
    )
    return PhotoOut(
        id=row_id(photo),
        phase=photo.phase,
        sha256=photo.sha256,
        image_type=photo.image_type,
        width=photo.width,
        height=photo.height,
        display_width=photo.display_width,
        display_height=photo.display_height,
        gps=gps,
        taken_at=photo.taken_at,
        camera=photo.camera,
        flags=photo.flags,
        urls=PhotoUrls(
            original=f"{base}/original", display=f"{base}/display", thumbnail=f"{base}/thumbnail"
        ),
    )


def recording_out(recording: Recording) -> RecordingOut:
    return RecordingOut(
        id=row_id(recording),
        kind=recording.kind,
        format=recording.format,
        duration_s=recording.duration_s,
        size_bytes=recording.size_bytes,
        sha256=recording.sha256,
        url=f"/api/v1/media/recordings/{recording.id}",
    )


@dataclass(frozen=True)
class PreparedEvidence:
    """Uploads checked and derived (the CPU-heavy part), ready to be stored."""

    photos: list[tuple[Upload, ProcessedPhoto]]
    recording: tuple[Upload, AudioInfo] | None


@dataclass(frozen=True)
class OrderPlace:
    """What an order's evidence photos are stamped with and checked against."""

    number: str
    address: str | None
    lat: float | None
    lng: float | None
    grid_name: str | None


def prepare_order_evidence(
    *,
    uploader: User,
    order: OrderPlace,
    photos: list[Upload],
    recording: Upload | None,
    settings: Settings,
    now: datetime,
) -> PreparedEvidence:
    """Photos watermarked with the order number and grid, and a recording, checked in memory."""
    watermark = WatermarkInfo(
        reporter=uploader.display_name,
        address=order.address or "",
        grid_name=order.grid_name,
        order_no=order.number,
    )
    processed = [
        (
            upload,
            process_photo(
                upload,
                settings,
                watermark=watermark,
                uploaded_at=now,
                report_lat=order.lat,
                report_lng=order.lng,
            ),
        )
        for upload in photos
    ]
    audio_info = (recording, inspect_recording(recording, settings)) if recording else None
    return PreparedEvidence(photos=processed, recording=audio_info)


def store_order_evidence(
    session: Session,
    storage: Storage,
    prepared: PreparedEvidence,
    *,
    uploader_id: int,
    order_id: int,
    phase: str,
    recording_kind: str,
    now: datetime,
) -> tuple[list[Photo], Recording | None]:
    rows: list[Photo] = []
    stored: Recording | None = None
    with blobs_for(session, storage) as writer:
        for position, (upload, photo) in enumerate(prepared.photos):
            row = store_photo(
                writer, photo, upload.data, uploaded_by=uploader_id, position=position, now=now
            )
            row.work_order_id, row.phase = order_id, phase
            session.add(row)
            rows.append(row)
        if prepared.recording is not None:
            upload, info = prepared.recording
            stored = store_recording(
                writer, info, upload.data, kind=recording_kind, uploaded_by=uploader_id, now=now
            )
            stored.work_order_id = order_id
            session.add(stored)
        session.flush()
    return rows, stored


def store_derived_photo(
    session: Session,
    storage: Storage,
    *,
    jpeg: bytes,
    order_id: int,
    phase: str,
    uploaded_by: int,
    now: datetime,
) -> Photo:
    """A JPEG the system made (the before/after comparison); stored like any photo."""
    with blobs_for(session, storage) as writer:
        key = writer.put("display", jpeg, "jpg", "image/jpeg")
        width, height = Image.open(io.BytesIO(jpeg)).size
        photo = Photo(
            work_order_id=order_id,
            phase=phase,
            uploaded_by=uploaded_by,
            sha256=key.rsplit("/", 1)[-1][:64],
            image_type="jpeg",
            size_bytes=len(jpeg),
            original_key=key,
            display_key=key,
            thumbnail_key=key,
            width=width,
            height=height,
            display_width=width,
            display_height=height,
            flags=[],
            created_at=now,
        )
        session.add(photo)
        session.flush()
    return photo
