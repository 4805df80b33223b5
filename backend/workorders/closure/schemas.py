"""Bodies of the closure report (结案), of an assisting department's report, and of the wording
lint the closure form runs while it is typed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.fields import ApiModel, Id, Instant
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


class ClosureLintIn(ApiModel):
    """The texts of a closure report being written (empty while the field is still blank)."""

    process: str = Field(max_length=4000, description="办理过程")
    basis: str = Field(max_length=2000, description="处置依据")
    reply: str | None = Field(default=None, max_length=2000, description="答复要点")


class LintProblemOut(BaseModel):
    field: str = Field(description="process, basis or reply")
    phrase: str = Field(description="the wording found, as the rules spell it")
    hint: str = Field(description="what to write instead")
    severity: Literal["forbidden", "discouraged"] = Field(
        description="forbidden: the closure is refused with it; discouraged: recorded as a warning"
    )
    message: str = Field(description="the refusal or warning as the closure step words it")


class ClosureLintOut(BaseModel):
    problems: list[LintProblemOut]
