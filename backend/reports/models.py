"""Reports (上报) filed by grid members and inspectors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class Report(SQLModel, table=True):
    __tablename__ = "report"
    # Phones resend: one report per (reporter, client_uuid), enforced by the database.
    __table_args__ = (
        UniqueConstraint("reporter_id", "client_uuid"),
        # A member's finds in a week (backend.quotas.repository): by reporter and time.
        Index("ix_report_reporter_received_at", "reporter_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    client_uuid: str = Field(max_length=36)
    reporter_id: int = Field(foreign_key="app_user.id", index=True, sa_type=BigId)
    description: str = Field(max_length=2000)
    lat: float  # WGS-84
    lng: float
    crs: str = Field(max_length=6)  # what the client sent, kept for audits
    submitted_lat: float
    submitted_lng: float
    accuracy_m: float | None = None
    address: str | None = Field(default=None, max_length=200)
    category_number: int | None = Field(default=None, foreign_key="category.number")
    captured_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", sa_type=BigId)
    work_order_id: int | None = Field(
        default=None, foreign_key="work_order.id", index=True, sa_type=BigId
    )
