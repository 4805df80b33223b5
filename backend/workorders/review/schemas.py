"""Bodies of the command center's review steps."""

from __future__ import annotations

from pydantic import Field

from backend.fields import Id
from backend.workorders.codes import Resolution, Satisfaction, SupervisionKind, SupervisionLevel
from backend.workorders.step_body import Versioned


class VerificationIn(Versioned):
    passed: bool
    reasons: str | None = Field(default=None, max_length=1000)


class CallbackIn(Versioned):
    satisfaction: Satisfaction
    resolution: Resolution
    recording_id: Id | None = None
    photo_id: Id | None = None  # a photo of an on-site check (现场认定), where a street asks
    note: str | None = Field(default=None, max_length=1000)


class SupervisionIn(Versioned):
    kind: SupervisionKind
    level: SupervisionLevel
    notice: str = Field(min_length=2, max_length=2000)


class SupervisionReplyIn(Versioned):
    reply: str = Field(min_length=2, max_length=2000)
