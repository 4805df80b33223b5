"""Bodies of returns (退单) and their decisions."""

from __future__ import annotations

from pydantic import Field

from backend.fields import Id, Text
from backend.workorders.step_body import Versioned


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
