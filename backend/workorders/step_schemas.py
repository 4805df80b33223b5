"""Request bodies of the lifecycle steps. Every one carries the version the client saw."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.fields import ApiModel, Day, Id, Instant, Text, Version
from backend.timefmt import ApiDateTime
from backend.workorders.codes import (
    ClaimFinding,
    ClosureResult,
    FactFinding,
    RejectReason,
    Resolution,
    Satisfaction,
    StoreCategory,
    SupervisionKind,
    SupervisionLevel,
)


class Versioned(ApiModel):
    version: Version


class FirstContactIn(Versioned):
    level: Literal["command_center", "department"] = "department"
    outcome: Literal["reached", "failed"]
    method: Literal["call", "sms"] = "call"
    contacted_at: Instant | None = None  # default: now
    recording_id: Id | None = None  # the call recording (evidence, kind first_contact)
    sms_photo_id: Id | None = None  # the SMS screenshot after three failed calls
    note: str | None = Field(default=None, max_length=500)


class CheckInIn(Versioned):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    accuracy_m: float | None = Field(default=None, ge=0)


class ReturnIn(Versioned):
    reason: str = Field(min_length=2, max_length=1000)
    suggested_department_id: Id
    photo_ids: list[Id] = Field(default_factory=list, max_length=9)
    signoff_photo_id: Id | None = None  # a leader's signed sheet (zhenru)


class ReturnDecisionIn(Versioned):
    approve: bool
    note: str | None = Field(default=None, max_length=1000)
    department_id: Id | None = None  # re-dispatch target; default: the suggested one
    coordination_participants: list[Text] = Field(default_factory=list, max_length=30)
    coordination_outcome: str | None = Field(default=None, max_length=2000)


class Milestone(ApiModel):
    date: Day
    text: str = Field(min_length=1, max_length=200)


class ExtensionIn(Versioned):
    reason: str = Field(min_length=2, max_length=1000)
    plan: str = Field(min_length=2, max_length=2000)
    milestones: list[Milestone] = Field(min_length=1, max_length=20)
    photo_ids: list[Id] = Field(min_length=1, max_length=9, description="on-site watermark photos")
    requested_due_at: Instant | None = None
    special_days: Literal[30, 60, 90] | None = None


class ExtensionDecisionIn(Versioned):
    approve: bool
    note: str | None = Field(default=None, max_length=1000)


class ClosureIn(Versioned):
    first_contact_at: Instant | None = None  # default: the recorded first contact
    fact_finding: FactFinding
    process: str = Field(min_length=1, max_length=4000)
    basis: str = Field(min_length=1, max_length=2000)
    responsible_person: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=5, max_length=40)
    claim_finding: ClaimFinding
    result: ClosureResult
    photo_ids: list[Id] = Field(default_factory=list, max_length=20)
    recording_ids: list[Id] = Field(default_factory=list, max_length=20)
    has_scene: bool = True
    leader_signoff_photo_id: Id | None = None


class AssistReportIn(Versioned):
    text: str = Field(min_length=2, max_length=4000)
    photo_ids: list[Id] = Field(default_factory=list, max_length=9)


class VerificationIn(Versioned):
    passed: bool
    reasons: str | None = Field(default=None, max_length=1000)


class CallbackIn(Versioned):
    satisfaction: Satisfaction
    resolution: Resolution
    recording_id: Id | None = None
    note: str | None = Field(default=None, max_length=1000)


class SupervisionIn(Versioned):
    kind: SupervisionKind
    level: SupervisionLevel
    notice: str = Field(min_length=2, max_length=2000)


class SupervisionReplyIn(Versioned):
    reply: str = Field(min_length=2, max_length=2000)


class StoreIn(Versioned):
    """存电备案单 (seed 003): category, how often the caller called, the record, two sign-offs."""

    category: StoreCategory
    calls_same_matter: int = Field(ge=1, le=10_000)
    main_claim: str = Field(min_length=2, max_length=1000)
    handling: str = Field(min_length=2, max_length=2000)
    conclusion: str = Field(min_length=2, max_length=1000)
    reply_points: str = Field(min_length=2, max_length=1000)
    reason: str = Field(default="", max_length=1000)
    # The department head's signed form (a photo on the order) and the hotline head's approval.
    department_signoff_photo_id: Id
    command_center_approver_id: Id


class RejectIn(Versioned):
    reason_code: RejectReason
    note: str | None = Field(default=None, max_length=1000)


class SupervisionOut(BaseModel):
    id: int
    kind: str
    level: str
    notice: str
    issued_at: ApiDateTime
    reply_due_at: ApiDateTime
    reply: str | None
    replied_at: ApiDateTime | None
    overdue: bool


class ReturnOut(BaseModel):
    id: int
    department_id: int
    reason: str
    suggested_department_id: int | None
    needs_leader: bool
    status: str
    created_at: ApiDateTime


class ExtensionOut(BaseModel):
    id: int
    reason: str
    old_due_at: ApiDateTime
    proposed_due_at: ApiDateTime
    needs_leader: bool
    status: str


class DepartmentCount(BaseModel):
    department_id: int | None
    name: str
    count: int


class UnrepliedItem(BaseModel):
    work_order_id: int
    number: str
    supervision: SupervisionOut


class UnrepliedOut(BaseModel):
    total: int
    by_department: list[DepartmentCount]
    items: list[UnrepliedItem]
