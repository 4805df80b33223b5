"""Report bodies: the multipart submission and what clients get back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

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


class ReportOut(BaseModel):
    id: int
    client_uuid: str
    reporter_id: int
    description: str
    lat: float = Field(description="WGS-84")
    lng: float = Field(description="WGS-84")
    crs: Literal["wgs84", "gcj02", "bd09"]
    accuracy_m: float | None
    address: str | None
    category_number: int | None
    captured_at: ApiDateTime | None
    received_at: ApiDateTime
    grid_id: int | None
    work_order_id: int | None
    photos: list[PhotoOut]
    voice: RecordingOut | None
