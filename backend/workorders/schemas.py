"""What clients see of a work order."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backend.auth.schemas import DepartmentRef
from backend.dispatch.schemas import CandidateOut
from backend.reports.schemas import PhotoOut, RecordingOut
from backend.timefmt import ApiDateTime


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


class EvidenceOut(BaseModel):
    report_id: int
    photos: list[PhotoOut]
    voice: RecordingOut | None


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
    created_at: ApiDateTime
    clocks: list[ClockOut]
    events: list[EventOut]
    evidence: list[EvidenceOut]


class ChainOut(BaseModel):
    valid: bool
    events: int
