"""Bodies of the closure report (结案) and of an assisting department's report."""

from __future__ import annotations

from pydantic import Field

from backend.fields import Id, Instant
from backend.workorders.codes import ClaimFinding, ClosureResult, FactFinding
from backend.workorders.step_body import Versioned


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
    # 责任人签字: the person responsible signs a closure of an order sent back (seed 003).
    responsible_signoff_photo_id: Id | None = None
    # 答复要点: what is read back to the caller, with the first-contact and reply times.
    reply_points: str | None = Field(default=None, max_length=2000)


class AssistReportIn(Versioned):
    text: str = Field(min_length=2, max_length=4000)
    photo_ids: list[Id] = Field(default_factory=list, max_length=9)
