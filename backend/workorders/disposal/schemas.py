"""Bodies of 存电, 不予受理 and merging."""

from __future__ import annotations

from pydantic import Field

from backend.fields import Id
from backend.workorders.codes import RejectReason, StoreCategory
from backend.workorders.step_body import Versioned


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


class MergeIn(Versioned):
    into_work_order_id: Id


class StoredLinkIn(Versioned):
    """A later call on a stored matter (seed 003 三(四)): the stored order it belongs to."""

    stored_work_order_id: Id
