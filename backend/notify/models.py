"""The in-app inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime

# Unread: neither read nor resolved (an item whose action was taken needs no attention).
UNREAD_SQL = "read_at IS NULL AND resolved_at IS NULL"
OPEN_ACTION_SQL = "action IS NOT NULL AND resolved_at IS NULL"


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        # The same event never notifies the same person twice, whichever worker sends it.
        UniqueConstraint("user_id", "dedupe_key"),
        # The tab bar's badge (one COUNT per poll) and the unread page, newest first. Partial:
        # only what is still unread is indexed, so the badge reads a handful of entries.
        Index(
            "ix_notification_unread",
            "user_id",
            "id",
            sqlite_where=text(UNREAD_SQL),
            postgresql_where=text(UNREAD_SQL),
        ),
        # The "to do" page: open items that ask the reader for an action.
        Index(
            "ix_notification_actionable",
            "user_id",
            "id",
            sqlite_where=text(OPEN_ACTION_SQL),
            postgresql_where=text(OPEN_ACTION_SQL),
        ),
        # A step resolves the open items asking for it on its order in one UPDATE.
        Index(
            "ix_notification_open_action",
            "work_order_id",
            "action",
            sqlite_where=text(OPEN_ACTION_SQL),
            postgresql_where=text(OPEN_ACTION_SQL),
        ),
    )

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
    # What the item asks its reader to do, as the step's code in next_steps ("dispatch",
    # "accept", "verification", ...); null for news. Taking that step on the order, whoever
    # takes it, resolves every open item asking for it (backend.workorders.actions): a
    # dispatched order no longer shows "待派单" to any dispatcher.
    action: str | None = Field(default=None, max_length=40)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The inbox doubles as the outbox of the outbound channel (WeCom group robot), see
    # backend/notify/outbox.py: a row is waiting while delivered_at is null and it is not
    # backing off (next_attempt_at in the future) or given up (error kept, no next attempt).
    # Indexed: the worker looks for undelivered rows every tick.
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # server_default so the migration can add the column to existing rows.
    delivery_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivery_error: str | None = Field(default=None, max_length=200)
