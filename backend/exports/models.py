"""A generated report (报表) and where its file is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class ReportExport(SQLModel, table=True):
    """One report of one kind and period. (kind, period) is unique, so the worker's schedule
    and repeated requests find the report there is instead of making another."""

    __tablename__ = "report_export"
    __table_args__ = (
        UniqueConstraint("kind", "period_from", "period_to", name="uq_report_export_kind_period"),
        Index("ix_report_export_created_at", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    kind: str = Field(max_length=10)  # daily | weekly | monthly | bimonthly
    period_from: date
    period_to: date  # inclusive
    status: str = Field(default="pending", max_length=10)  # pending | ready | failed
    # The .xlsx in storage (content-addressed, backend.seams.storage).
    storage_key: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    generated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # None: made by the worker's schedule.
    requested_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    error: str | None = Field(default=None, max_length=500)
