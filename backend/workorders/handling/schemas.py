"""Bodies of the handling department's steps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backend.fields import Id, Instant
from backend.workorders.codes import ContactLevel, ContactMethodCode, ContactOutcome
from backend.workorders.step_body import Versioned


class FirstContactIn(Versioned):
    level: ContactLevel = "department"
    outcome: ContactOutcome
    method: ContactMethodCode = "call"
    contacted_at: Instant | None = None  # default: now
    recording_id: Id | None = None  # the call recording (evidence, kind first_contact)
    sms_photo_id: Id | None = None  # the SMS screenshot after three failed calls
    visit_photo_id: Id | None = None  # 上门面访: the photo of the visit (landline callers)
    note: str | None = Field(default=None, max_length=500)


class CheckInIn(Versioned):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
