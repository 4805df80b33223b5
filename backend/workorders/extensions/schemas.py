"""Bodies of extension (延期) requests and their decisions."""

from __future__ import annotations

from pydantic import Field

from backend.fields import ApiModel, Day, Id, Instant
from backend.workorders.step_body import Versioned


class Milestone(ApiModel):
    date: Day
    text: str = Field(min_length=1, max_length=200)


class ExtensionIn(Versioned):
    reason: str = Field(min_length=2, max_length=1000)
    plan: str = Field(min_length=2, max_length=2000)
    milestones: list[Milestone] = Field(min_length=1, max_length=20)
    photo_ids: list[Id] = Field(min_length=1, max_length=9, description="on-site watermark photos")
    requested_due_at: Instant | None = None
    # A special extension (特殊延期) of this many natural days; which lengths a street allows is
    # the policy profile's (zhenru: 30, 60, 90) and is checked there.
    special_days: int | None = Field(default=None, ge=1, le=366)


class ExtensionDecisionIn(Versioned):
    approve: bool
    note: str | None = Field(default=None, max_length=1000)
