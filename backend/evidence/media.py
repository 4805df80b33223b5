"""How a stored blob is served: ETag, Cache-Control, Range. (Who may see it is asked of the
order the evidence belongs to, in backend.workorders.service.visible_evidence.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Response

from backend.errors import DomainError, NotFound
from backend.evidence.models import Photo, Recording
from backend.evidence.service import IMAGE_MIME
from backend.seams.storage import Storage

# Blobs are content-addressed, so a URL's bytes never change; "private" because access is
# per user and shared caches must not keep them.
CACHE_CONTROL = "private, max-age=31536000, immutable"
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)
# Blobs are at most tens of megabytes: 18 digits is far beyond, and still fits an int64.
_MAX_POSITION_DIGITS = 18


@dataclass(frozen=True)
class Blob:
    key: str
    content_type: str
    etag: str


def hidden() -> NotFound:
    return NotFound("找不到该文件", code="media_not_found")


def photo_blob(photo: Photo, variant: str) -> Blob:
    if variant == "original":
        key, content_type = photo.original_key, IMAGE_MIME[photo.image_type]
    else:
        key = photo.display_key if variant == "display" else photo.thumbnail_key
        content_type = "image/jpeg"
    return Blob(key=key, content_type=content_type, etag=_etag(key))


def recording_blob(recording: Recording) -> Blob:
    return Blob(
        key=recording.storage_key, content_type=recording.mime, etag=_etag(recording.storage_key)
    )


def _etag(key: str) -> str:
    # The key holds the blob's SHA-256.
    return '"' + key.rsplit("/", 1)[-1].split(".")[0] + '"'


def _position(digits: str) -> int | None:
    """A byte position; None when it is past any blob we store (more digits than fit)."""
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= _MAX_POSITION_DIGITS else None


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for a single "bytes=" range; None to send the whole blob.

    Raises 416 for a range that cannot be satisfied. Positions are ASCII digits only, and a
    position longer than any blob (thousands of digits) is compared, never converted.
    """
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # multi-range or another unit: ignoring Range is allowed (RFC 9110)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = _position(last)
        if length == 0:
            raise _unsatisfiable(size)
        return max(0, size - length) if length is not None else 0, size - 1
    start = _position(first)
    if start is None or start >= size:
        raise _unsatisfiable(size)
    end = _position(last) if last else None
    if last and end is not None and end < start:
        raise _unsatisfiable(size)
    # A last position past the end means "to the end" (RFC 9110 14.1.2).
    return start, size - 1 if end is None else min(end, size - 1)


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
