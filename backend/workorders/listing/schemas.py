"""What a work list answers: one compact summary per order."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from backend.auth.schemas import DepartmentRef
from backend.timefmt import ApiDateTime
from backend.workorders.codes import CodeChoice
from backend.workorders.schemas import CallerOut, NextStepOut
from backend.workorders.states import SOURCE_LABELS, STATUS_LABELS

StatusCode = Annotated[
    str,
    CodeChoice(
        {s.value: label for s, label in STATUS_LABELS.items()}, "invalid_status", "工单状态"
    ),
]
SourceCode = Annotated[
    str,
    CodeChoice({s.value: label for s, label in SOURCE_LABELS.items()}, "invalid_source", "来源"),
]


class SummaryClockOut(BaseModel):
    """The order's running clock due first, counting down."""

    name: str
    label: str
    due_at: ApiDateTime
    remind_at: ApiDateTime | None
    remaining_s: int = Field(description="seconds left; negative once overdue")
    unit: str = Field(description="the clock's unit: hours, working_days, ...")
    state: str = Field(description="ok (green), warning (amber: reminder lead), breached (red)")
    provisional: bool


class WorkOrderSummaryOut(BaseModel):
    id: int
    number: str
    version: int
    status: str
    status_label: str
    source: str
    level: str
    category_number: int | None
    category_name: str | None
    address: str | None
    description: str
    thumbnail_url: str | None
    created_at: ApiDateTime
    updated_at: ApiDateTime
    grid_id: int | None
    lead_department: DepartmentRef | None
    clock: SummaryClockOut | None
    flags: list[str] = Field(description="codes; labels in GET /codes (flags)")
    next_steps: list[NextStepOut]
    external_no: str | None = None
    caller: CallerOut | None = Field(default=None, description="masked in lists")
