"""Stored evidence: photos (original + derived copies) and recordings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class Photo(SQLModel, table=True):
    __tablename__ = "photo"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True, sa_type=BigId)
    # Evidence added while an order is handled (no report): which order, and which phase.
    work_order_id: int | None = Field(
        default=None, foreign_key="work_order.id", index=True, sa_type=BigId
    )
    phase: str = Field(
        default="report", max_length=20
    )  # report | before | after | scene | document
    position: int = 0  # upload order within its report
    # None: an external system sent it (an Open311 request's media_url).
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    sha256: str = Field(max_length=64, index=True)  # of the original bytes
    image_type: str = Field(max_length=10)
    size_bytes: int
    original_key: str = Field(max_length=120)
    display_key: str = Field(max_length=120)
    thumbnail_key: str = Field(max_length=120)
    width: int  # after EXIF orientation
    height: int
    display_width: int
    display_height: int
    gps_lat: float | None = None  # WGS-84, from EXIF
    gps_lng: float | None = None
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    orientation: int | None = None
    camera: str | None = Field(default=None, max_length=120)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class Recording(SQLModel, table=True):
    __tablename__ = "recording"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True, sa_type=BigId)
    work_order_id: int | None = Field(
        default=None, foreign_key="work_order.id", index=True, sa_type=BigId
    )
    # voice (a report's note) | first_contact | reply | callback (call recordings)
    kind: str = Field(default="voice", max_length=20)
    uploaded_by: int = Field(foreign_key="app_user.id", sa_type=BigId)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=120)
    format: str = Field(max_length=10)
    mime: str = Field(max_length=40)
    duration_s: float | None = None
    size_bytes: int
    created_at: datetime = Field(sa_type=UTCDateTime)
