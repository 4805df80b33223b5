"""Report bodies: the multipart submission and what clients get back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.evidence.schemas import PhotoOut, RecordingOut
from backend.timefmt import ApiDateTime


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
    # The order the report became (in lists: what happened to my report).
    work_order_number: str | None = None
    work_order_status: str | None = None
    work_order_status_label: str | None = None
    photos: list[PhotoOut]
    voice: RecordingOut | None
