"""A returned order that leaves the command center by another step than the return's own
decision — dispatched, merged, rejected — settles its pending return with that step, so no
return stays pending on an order that no longer waits for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.auth.models import User
from backend.workorders.models import ReturnRequest
from backend.workorders.pipeline import Apply, Gathered
from backend.workorders.returns.rules import ReturnDecision


@dataclass(frozen=True)
class Settlement:
    """What the step decides about the order's pending return."""

    row: ReturnRequest
    decision: ReturnDecision
    note: str

    @property
    def event(self) -> tuple[str, dict[str, Any]]:
        """The timeline entry, recorded before the step's own (as a return decision's is)."""
        return f"return_{self.decision.value}", {"return_id": self.row.id, "note": self.note}

    def record(self, session: Session, user: User, now: datetime) -> None:
        """Writes the decision on the row; only inside the step's write phase."""
        self.row.status = self.decision.value
        self.row.decided_by, self.row.decided_at = user.id, now
        self.row.decision_note = self.note
        session.add(self.row)


def settlement(
    gathered: Gathered, *, note: str, next_lead_id: int | None = None
) -> Settlement | None:
    """The pending return's settlement, if the order has one: the department is relieved of
    the order (approved) unless the step hands it back to that same department
    (``next_lead_id``: refused, as a refused return would be)."""
    row = next((r for r in gathered.bundle.returns if r.status == ReturnDecision.pending), None)
    if row is None:
        return None
    kept = next_lead_id is not None and next_lead_id == row.department_id
    return Settlement(row, ReturnDecision.refused if kept else ReturnDecision.approved, note)


def settle(
    session: Session, gathered: Gathered, apply: Apply, user: User, now: datetime, *, note: str
) -> None:
    """For a step that ends the order (merge, reject): the return is approved, on the
    timeline before the step's own event."""
    settled = settlement(gathered, note=note)
    if settled is None:
        return
    kind, payload = settled.event
    apply.event(kind, **payload)
    settled.record(session, user, now)
