"""Who may download which blob, and how it is served (ETag, Cache-Control, Range)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Response
from sqlmodel import Session

from backend.auth.models import User
from backend.errors import DomainError, NotFound
from backend.evidence.service import IMAGE_MIME
from backend.reports import repository as repo
from backend.reports.service import visible_report
from backend.seams.storage import Storage

# Blobs are content-addressed, so a URL's bytes never change; "private" because access is
# per user and shared caches must not keep them.
CACHE_CONTROL = "private, max-age=31536000, immutable"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Blob:
    key: str
    content_type: str
    etag: str


def _hidden() -> NotFound:
    return NotFound("找不到该文件", code="media_not_found")


def _check_visible(
    session: Session, user: User, report_id: int | None, work_order_id: int | None = None
) -> None:
    from backend.workorders.service import visible_order

    try:
        if report_id is not None:
            visible_report(session, user, report_id)
        elif work_order_id is not None:
            visible_order(session, user, work_order_id)
        else:
            raise _hidden()
    except NotFound:
        raise _hidden() from None


def photo_blob(session: Session, user: User, photo_id: int, variant: str) -> Blob:
    photo = repo.photo_by_id(session, photo_id)
    _check_visible(
        session, user, photo.report_id if photo else None, photo.work_order_id if photo else None
    )
    assert photo is not None
    if variant == "original":
        key, content_type = photo.original_key, IMAGE_MIME[photo.image_type]
    else:
        key = photo.display_key if variant == "display" else photo.thumbnail_key
        content_type = "image/jpeg"
    return Blob(key=key, content_type=content_type, etag=_etag(key))


def recording_blob(session: Session, user: User, recording_id: int) -> Blob:
    recording = repo.recording_by_id(session, recording_id)
    _check_visible(
        session,
        user,
        recording.report_id if recording else None,
        recording.work_order_id if recording else None,
    )
    assert recording is not None
    return Blob(
        key=recording.storage_key, content_type=recording.mime, etag=_etag(recording.storage_key)
    )


def _etag(key: str) -> str:
    # The key holds the blob's SHA-256.
    return '"' + key.rsplit("/", 1)[-1].split(".")[0] + '"'


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for a single "bytes=" range; None to send the whole blob.

    Raises 416 for a range that cannot be satisfied.
    """
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # multi-range or another unit: ignoring Range is allowed (RFC 9110)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            raise _unsatisfiable(size)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> DomainError:
    return DomainError(
        "请求的字节范围无效",
        code="range_not_satisfiable",
        field="Range",
        status_code=416,
        headers={"Content-Range": f"bytes */{size}"},
    )


def serve(
    storage: Storage, blob: Blob, range_header: str | None, if_none_match: str | None
) -> Response:
    headers = {"ETag": blob.etag, "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes"}
    if if_none_match and blob.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    size = storage.size(blob.key)
    span = parse_range(range_header, size) if range_header else None
    if span is None:
        return Response(storage.read(blob.key), media_type=blob.content_type, headers=headers)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(
        storage.read(blob.key, start, end),
        status_code=206,
        media_type=blob.content_type,
        headers=headers,
    )
