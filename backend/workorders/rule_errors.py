"""Turning a pure rule's refusal into the API's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from backend.errors import InvalidInput
from backend.workorders.closure_rules import RuleViolation

P = ParamSpec("P")
# Where a rule's name for an input differs from the API field the client sent.
API_FIELDS = {
    "requested": "requested_due_at",
    "special": "special_days",
    "recording": "recording_id",
    "sms_screenshot": "sms_photo_id",
    "failed_attempts": "method",
    "signoff_photo": "signoff_photo_id",
    "late_reason": "reason",
    "photos": "photo_ids",
    "decision": "approve",
    "returns": "version",
    "extension": "version",
    "store": "version",
}
T = TypeVar("T")


def enforce(check: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Calls a rule; its RuleViolation becomes a 422 naming the field and the reason."""
    try:
        return check(*args, **kwargs)
    except RuleViolation as exc:
        field = API_FIELDS.get(exc.field, exc.field) if exc.field else None
        raise InvalidInput(exc.message, code=exc.code, field=field) from exc
