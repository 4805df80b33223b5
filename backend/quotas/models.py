"""The members' points ledger and the record of each closed week (seed 001 五)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class PointsLedger(SQLModel, table=True):
    """One line of a member's points: append-only (never updated or deleted; a correction is
    a new line). ``line_key`` names the line within its week (``bonus_day_off:<order id>``,
    ``missing_find:-``), so a week closed twice cannot write a line twice."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("member_id", "week", "line_key", name="uq_points_ledger_line"),
        # A year's points of a member: the ledger of one member, by week.
        Index("ix_points_ledger_member_week", "member_id", "week"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    member_id: int = Field(foreign_key="app_user.id", sa_type=BigId)
    week: str = Field(max_length=8)  # ISO week, 2026-W47
    reason: str = Field(max_length=30)  # backend.quotas.ledger.REASON_LABELS
    points: int  # signed: + bonus, − penalty
    work_order_id: int | None = Field(
        default=None, foreign_key="work_order.id", index=True, sa_type=BigId
    )
    line_key: str = Field(max_length=60)
    note: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


class QuotaWeekClose(SQLModel, table=True):
    """A member's week once closed: its numbers (the ledger holds the lines; a correction in
    the weeks after the close updates finds, missing, bonus, penalty and points with its
    lines), and what the streak called for then. Its key makes the close idempotent."""

    __tablename__ = "quota_week_close"

    member_id: int = Field(foreign_key="app_user.id", primary_key=True, sa_type=BigId)
    week: str = Field(max_length=8, primary_key=True, index=True)
    profile: str = Field(max_length=20)
    working_days: int
    finds: int
    quota: int
    target: int
    missing: int
    bonus: int
    penalty: int  # positive, with the timeline penalties
    points: int
    warning: bool
    exempt: bool
    provisional: bool
    empty_weeks_in_a_row: int
    recommend_replacement: bool
    closed_at: datetime = Field(sa_type=UTCDateTime)
