"""Work orders (工单), their assisting departments and their append-only timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime
from backend.workorders.states import AWAITING_DISPATCH, MERGEABLE, Source, Status

# Statuses and sources are pure and live in backend.workorders.states; re-exported here for
# the tables' readers.
__all__ = [
    "ContactAttempt",
    "Coordination",
    "Extension",
    "OrderCounter",
    "ReturnRequest",
    "Source",
    "Status",
    "Supervision",
    "WorkOrder",
    "WorkOrderAssist",
    "WorkOrderEvent",
    "WorkOrderSearch",
]

_OPEN_SQL = "status IN (" + ", ".join(repr(s.value) for s in sorted(MERGEABLE)) + ")"
_AWAITING_SQL = "status IN (" + ", ".join(repr(s.value) for s in sorted(AWAITING_DISPATCH)) + ")"


class WorkOrder(SQLModel, table=True):
    __tablename__ = "work_order"
    __table_args__ = (
        # Duplicates: open orders of a category near a point. The bounding box's lat range
        # is scanned and its lng range checked inside the index, so only the orders in the
        # box are read from the table (benchmarks/big.py).
        Index(
            "ix_work_order_open_category_lat_lng",
            "category_number",
            "lat",
            "lng",
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        # 返潮: any earlier order of a category near a point, or at the same address.
        Index("ix_work_order_category_lat_lng", "category_number", "lat", "lng"),
        Index("ix_work_order_category_address", "category_number", "address"),
        # A platform order (12345, 随申拍, …) is known by its number there: a resend finds it.
        UniqueConstraint("source", "external_no", name="uq_work_order_source_external_no"),
        # The dispatcher queue, oldest first: a page is read in order, never sorted.
        Index(
            "ix_work_order_awaiting_created_at",
            "created_at",
            "id",
            sqlite_where=text(_AWAITING_SQL),
            postgresql_where=text(_AWAITING_SQL),
        ),
        # Work lists (GET /workorders): nearest deadline first, per lead department and
        # street-wide; recently changed first.
        Index("ix_work_order_lead_next_due", "lead_department_id", "next_due_at", "id"),
        Index("ix_work_order_next_due", "next_due_at", "id"),
        Index("ix_work_order_updated", "updated_at", "id"),
        Index("ix_work_order_grid_status", "grid_id", "status", "next_due_at"),
        # Statistics of a period (backend/scoring): orders dispatched or closed in it.
        Index("ix_work_order_dispatched_at", "dispatched_at"),
        Index("ix_work_order_closed_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    number: str = Field(max_length=20, unique=True)  # WG20261122-0001
    source: str = Field(max_length=20)
    level: str = Field(max_length=30)
    status: str = Field(max_length=20, index=True)
    profile: str = Field(max_length=20)
    description: str = Field(max_length=2000)
    address: str | None = Field(default=None, max_length=200)
    lat: float | None = None  # WGS-84
    lng: float | None = None
    category_number: int | None = Field(default=None, foreign_key="category.number", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True, sa_type=BigId)
    out_of_jurisdiction: bool = False
    lead_department_id: int | None = Field(
        default=None, foreign_key="department.id", index=True, sa_type=BigId
    )
    # The classifier's top candidates at intake: [{"number", "name", "score"}, ...]
    suggestions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    confident: bool = False
    routing_reason: str | None = Field(default=None, max_length=100)
    dispatch_mode: str | None = Field(default=None, max_length=10)  # auto | manual
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dispatched_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    duplicate_of_id: int | None = Field(default=None, foreign_key="work_order.id", sa_type=BigId)
    # Reports of the same problem merged into this order (seed 000: 重复举报); on a stored
    # order, the later calls linked to it.
    repeat_count: int = 0
    # 存电 (seed 003 三(四)): a later call on a stored matter is still handled by the
    # department but linked to the stored order; both are kept out of satisfaction scoring.
    stored_matter_id: int | None = Field(
        default=None, foreign_key="work_order.id", index=True, sa_type=BigId
    )
    satisfaction_exempt: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Optimistic lock: every state change bumps it; a stale version answers 409.
    version: int = 1
    # 复/重: a repeat complaint; its returns need a leader (seeds 002, 004).
    marked_repeat: bool = False
    redispatch_count: int = 0
    first_contact_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # First-contact levels that reached the caller ("command_center,department"): kept with
    # the order so its next steps need no history; each attempt is a contact_attempt row.
    contacted_levels: str = Field(
        default="", max_length=40, sa_column_kwargs={"server_default": ""}
    )
    failed_checks: int = 0  # verifications failed; > 5 → overdue supervision (seed 000)
    warning_order: bool = False  # 警示单: sent back after an unsatisfied callback
    satisfaction: str | None = Field(default=None, max_length=30)
    resolution: str | None = Field(default=None, max_length=30)
    # The latest closure report's findings (also in its closure_submitted event), kept on the
    # order so a month's scores count them from the order's row, not from its history.
    closure_fact_finding: str | None = Field(default=None, max_length=30)
    closure_claim_finding: str | None = Field(default=None, max_length=30)
    closure_result: str | None = Field(default=None, max_length=30)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Orders from the district platform: its number, when it reached the street (the resolve
    # clock counts from there, seed 000) and the platform's own due time, fixed at the street.
    external_no: str | None = Field(default=None, max_length=40)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    platform_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_type: str | None = Field(default=None, max_length=10)  # consult|suggest|request|complain
    # The caller (来电人): shown in full only to the handling departments and the command center.
    caller_name: str | None = Field(default=None, max_length=50)
    caller_phone: str | None = Field(default=None, max_length=30)
    caller_anonymous: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    caller_confidential: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The due time of the order's nearest clock not yet met (None: none runs), kept by
    # backend.sla.service whenever a clock changes, so work lists sort by deadline on an index.
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Bumped by every step (with the version): "recently changed" lists.
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkOrderSearch(SQLModel, table=True):
    """An order's search terms (backend.workorders.search_terms), one row per order. SQLite
    indexes them in the FTS5 table work_order_fts (kept by triggers), PostgreSQL in a GIN
    index on their tsvector; both made by the migration."""

    __tablename__ = "work_order_search"

    work_order_id: int = Field(foreign_key="work_order.id", primary_key=True, sa_type=BigId)
    terms: str = Field(sa_type=Text)


class WorkOrderAssist(SQLModel, table=True):
    __tablename__ = "work_order_assist"

    work_order_id: int = Field(foreign_key="work_order.id", primary_key=True, sa_type=BigId)
    department_id: int = Field(
        foreign_key="department.id", primary_key=True, index=True, sa_type=BigId
    )


class WorkOrderEvent(SQLModel, table=True):
    """Append-only, hash-chained timeline entry."""

    __tablename__ = "work_order_event"
    __table_args__ = (
        UniqueConstraint("work_order_id", "seq"),
        # Events of some kinds in a time window, street-wide (Open311 status updates, the
        # facts of a member's week in backend.quotas.repository).
        Index("ix_work_order_event_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    seq: int
    kind: str = Field(max_length=40)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    at: datetime = Field(sa_type=UTCDateTime)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OrderCounter(SQLModel, table=True):
    """Per-day sequence for order numbers, incremented atomically."""

    __tablename__ = "order_counter"

    day: date = Field(primary_key=True)
    last: int = 0


class ReturnRequest(SQLModel, table=True):
    """退单: a department hands an order back to the command center."""

    __tablename__ = "return_request"
    # Statistics of a period count these by when they were made (backend/scoring).
    __table_args__ = (Index("ix_return_request_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    department_id: int = Field(foreign_key="department.id", sa_type=BigId)
    requested_by: int = Field(foreign_key="app_user.id", sa_type=BigId)
    reason: str = Field(max_length=1000)
    suggested_department_id: int | None = Field(
        default=None, foreign_key="department.id", sa_type=BigId
    )
    prior_status: str = Field(max_length=20)
    needs_leader: bool = False
    status: str = Field(default="pending", max_length=10)  # pending | approved | refused
    decided_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Extension(SQLModel, table=True):
    """延期 request and its decision."""

    __tablename__ = "extension"
    # Statistics of a period count these by when they were made (backend/scoring).
    __table_args__ = (Index("ix_extension_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    requested_by: int = Field(foreign_key="app_user.id", sa_type=BigId)
    reason: str = Field(max_length=1000)
    plan: str = Field(max_length=2000)
    milestones: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    old_due_at: datetime = Field(sa_type=UTCDateTime)
    proposed_due_at: datetime = Field(sa_type=UTCDateTime)
    needs_leader: bool = False
    status: str = Field(default="pending", max_length=10)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Supervision(SQLModel, table=True):
    """督办 notice with its reply."""

    __tablename__ = "supervision"
    # Statistics of a period count these by when they were made (backend/scoring).
    __table_args__ = (Index("ix_supervision_issued_at", "issued_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    kind: str = Field(max_length=30)
    level: str = Field(max_length=20)
    notice: str = Field(max_length=2000)
    issued_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    reply_due_at: datetime = Field(sa_type=UTCDateTime)
    reply: str | None = Field(default=None, max_length=2000)
    replied_by: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Coordination(SQLModel, table=True):
    """会商表: when three or more departments returned an order."""

    __tablename__ = "coordination"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    department_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ContactAttempt(SQLModel, table=True):
    """先行联系: each call (reached or not), SMS or visit, by level, as typed columns."""

    __tablename__ = "contact_attempt"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    work_order_id: int = Field(foreign_key="work_order.id", index=True, sa_type=BigId)
    level: str = Field(max_length=20)  # command_center | department
    reached: bool
    method: str = Field(max_length=10)  # call | sms | visit
    contacted_at: datetime = Field(sa_type=UTCDateTime)
    recording_id: int | None = Field(default=None, foreign_key="recording.id", sa_type=BigId)
    sms_photo_id: int | None = Field(default=None, foreign_key="photo.id", sa_type=BigId)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", sa_type=BigId)
    note: str | None = Field(default=None, max_length=500)
