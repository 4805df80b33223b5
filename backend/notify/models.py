"""The in-app inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    # The same event never notifies the same person twice, whichever worker sends it.
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    user_id: int = Field(foreign_key="app_user.id", index=True, sa_type=BigId)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=120)
    body: str = Field(default="", max_length=1000)
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", sa_type=BigId)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str = Field(max_length=120)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The inbox doubles as the outbox of the outbound channel (WeCom group robot), see
    # backend/notify/outbox.py: a row is waiting while delivered_at is null and it is not
    # backing off (next_attempt_at in the future) or given up (error kept, no next attempt).
    # Indexed: the worker looks for undelivered rows every tick.
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # server_default so the migration can add the column to existing rows.
    delivery_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivery_error: str | None = Field(default=None, max_length=200)
