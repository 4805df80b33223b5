"""What clients see of a work order."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from backend.auth.schemas import DepartmentRef
from backend.evidence.schemas import PhotoOut, RecordingOut
from backend.timefmt import ApiDateTime


class CandidateOut(BaseModel):
    """A category the classifier proposed, with its score (0..1)."""

    number: int
    name: str
    score: float


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


class NextStepOut(BaseModel):
    """A step the caller may take now: ``step`` is its path under the order; when ``ready``
    is false, ``needs`` says what is still missing."""

    step: str
    label: str
    ready: bool
    needs: list[str]


class WarningOut(BaseModel):
    """Something a person must see before accepting the work (a photo without EXIF, a
    check-in far from the site): ``code`` is stable, ``message`` is shown as is."""

    code: str
    message: str


class ClockOut(BaseModel):
    name: str
    due_at: ApiDateTime
    remaining_s: int | None  # None once met or breached
    provisional: bool
    remind_at: ApiDateTime | None
    met_at: ApiDateTime | None
    breached_at: ApiDateTime | None


class EventOut(BaseModel):
    seq: int
    kind: str
    actor_id: int | None
    at: ApiDateTime
    payload: dict[str, Any]
    hash: str


class ReportEvidenceOut(BaseModel):
    report_id: int
    photos: list[PhotoOut]
    voice: RecordingOut | None


class EvidenceOut(BaseModel):
    reports: list[ReportEvidenceOut]
    # Added while the order was handled, each photo with its phase (before, after, ...).
    photos: list[PhotoOut]
    recordings: list[RecordingOut]


class CallerOut(BaseModel):
    name: str | None
    phone: str | None
    anonymous: bool
    confidential: bool
    masked: bool = Field(description="true: shown masked (138****5678, 张*) to this viewer")


class WorkOrderOut(BaseModel):
    id: int
    number: str
    version: int
    status: str
    source: str
    level: str
    profile: str
    description: str
    address: str | None
    lat: float | None
    lng: float | None
    category_number: int | None
    category_name: str | None
    grid_id: int | None
    out_of_jurisdiction: bool
    lead_department: DepartmentRef | None
    assist_departments: list[DepartmentRef]
    suggestions: list[CandidateOut]
    confident: bool
    routing_reason: str | None
    dispatch_mode: str | None
    dispatched_at: ApiDateTime | None
    duplicate_of_id: int | None
    repeat_count: int
    # 存电 (seed 003): the stored order a later call is linked to; stored orders and their
    # later calls are not counted in satisfaction scoring.
    stored_matter_id: int | None = None
    satisfaction_exempt: bool = False
    created_at: ApiDateTime
    clocks: list[ClockOut]
    events: list[EventOut]
    evidence: EvidenceOut
    supervisions: list[SupervisionOut]
    returns: list[ReturnOut]
    extensions: list[ExtensionOut]
    failed_checks: int
    warning_order: bool
    first_contact_at: ApiDateTime | None
    satisfaction: str | None
    resolution: str | None
    closed_at: ApiDateTime | None
    status_label: str
    next_steps: list[NextStepOut]
    warnings: list[WarningOut] = Field(
        default_factory=list,
        description="to the command center and the handling departments; empty for others",
    )
    # Platform orders (12345, 随申拍, 领导交办, 媒体曝光).
    external_no: str | None = None
    appeal_type: str | None = None
    received_at: ApiDateTime | None = None
    platform_due_at: ApiDateTime | None = None
    caller: CallerOut | None = Field(
        default=None, description="full to the handling departments and the command center"
    )


class ChainOut(BaseModel):
    valid: bool
    events: int


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


class CodeOut(BaseModel):
    code: str
    label: str
