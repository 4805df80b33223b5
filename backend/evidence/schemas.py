"""What clients see of stored evidence: photos with their derived copies, and recordings."""

from __future__ import annotations

from pydantic import BaseModel

from backend.timefmt import ApiDateTime


class LatLng(BaseModel):
    lat: float
    lng: float


class PhotoUrls(BaseModel):
    original: str
    display: str
    thumbnail: str


class PhotoOut(BaseModel):
    id: int
    phase: str = "report"  # report | before | after | scene | document | comparison | ...
    sha256: str
    image_type: str
    width: int
    height: int
    display_width: int
    display_height: int
    gps: LatLng | None
    taken_at: ApiDateTime | None
    camera: str | None
    flags: list[str]
    urls: PhotoUrls


class RecordingOut(BaseModel):
    id: int
    kind: str
    format: str
    duration_s: float | None
    size_bytes: int
    sha256: str
    url: str
