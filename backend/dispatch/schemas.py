"""Bodies for classification, dispatch, the queue and merging."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.fields import ApiModel, CategoryNumber, Id, Version
from backend.timefmt import ApiDateTime
from backend.workorders.schemas import CandidateOut


class ClassifyIn(ApiModel):
    text: str = Field(min_length=1, max_length=2000)


class ClassifyOut(BaseModel):
    candidates: list[CandidateOut]
    confident: bool


class DispatchIn(ApiModel):
    version: Version
    category_number: CategoryNumber
    level: str | None = Field(default=None, max_length=30)
    # Omitted: routed by the responsibility list, as automatic dispatch would.
    lead_department_id: Id | None = None
    assist_department_ids: list[Id] | None = Field(default=None, max_length=20)
    # 复/重: the citizen's repeat complaint; its returns will need a leader.
    marked_repeat: bool = False


class DuplicateOut(BaseModel):
    id: int
    number: str
    status: str
    distance_m: float


class QueueItemOut(BaseModel):
    id: int
    number: str
    version: int
    source: str
    description: str
    address: str | None
    lat: float | None
    lng: float | None
    grid_id: int | None
    out_of_jurisdiction: bool
    category_number: int | None
    suggestions: list[CandidateOut]
    confident: bool
    created_at: ApiDateTime
    dispatch_due_at: ApiDateTime | None
    remaining_s: int | None = Field(description="seconds left to the 30-minute target; <0: late")
    duplicates: list[DuplicateOut]
    report_ids: list[int]
