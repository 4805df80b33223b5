"""Open311: the API keys of the systems that file requests, their rate windows, and what each
request brought that the order does not keep (the token, the requester's e-mail, the key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class Open311Key(SQLModel, table=True):
    __tablename__ = "open311_key"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    name: str = Field(max_length=100)
    # SHA-256 of the key: the key itself is shown once, at creation, and never stored.
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=8)  # the key's first characters, to tell keys apart in lists
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Open311RateWindow(SQLModel, table=True):
    """Requests of a key in one fixed window (a minute): one row per key and window, counted
    with one upsert, so every API process sees the same count."""

    __tablename__ = "open311_rate_window"

    key_id: int = Field(foreign_key="open311_key.id", primary_key=True, sa_type=BigId)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    count: int = 0


class Open311Request(SQLModel, table=True):
    __tablename__ = "open311_request"

    work_order_id: int = Field(foreign_key="work_order.id", primary_key=True, sa_type=BigId)
    key_id: int = Field(foreign_key="open311_key.id", index=True, sa_type=BigId)
    # Handed out while the order waits for a dispatcher (GET tokens/{token}).
    token: str = Field(max_length=36, unique=True)
    # The same key sending the same fields again is a retry: it answers the first request.
    fingerprint: str = Field(max_length=64, unique=True)
    email: str | None = Field(default=None, max_length=200)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    media_url: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
