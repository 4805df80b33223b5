"""What the rules know about an order: a plain, immutable snapshot built from one batched load.

Pure: the state machine and the step rules read these; the repository builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.workorders.states import Source, Status


@dataclass(frozen=True)
class ClockFact:
    name: str
    started_at: datetime
    due_at: datetime
    remind_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    provisional: bool
    amount: int
    unit: str

    @property
    def running(self) -> bool:
        return self.met_at is None and self.breached_at is None


@dataclass(frozen=True)
class PhotoFact:
    id: int
    phase: str  # report | before | after | scene | document | signoff | sms | comparison
    size_bytes: int
    flags: tuple[str, ...]
    report_id: int | None = None


@dataclass(frozen=True)
class RecordingFact:
    id: int
    kind: str  # voice | first_contact | reply | callback
    size_bytes: int
    report_id: int | None = None


@dataclass(frozen=True)
class ContactAttempt:
    """One first-contact attempt (先行联系): a typed row, not parsed out of the timeline."""

    level: str  # command_center | department
    reached: bool
    method: str  # call | sms | visit
    contacted_at: datetime


@dataclass(frozen=True)
class ReturnState:
    id: int
    department_id: int
    status: str  # pending | approved | refused
    needs_leader: bool
    prior_status: str
    suggested_department_id: int | None


@dataclass(frozen=True)
class ExtensionFact:
    id: int
    status: str  # pending | approved | refused
    needs_leader: bool
    proposed_due_at: datetime


@dataclass(frozen=True)
class SupervisionFact:
    id: int
    kind: str
    replied_at: datetime | None
    reply_due_at: datetime


@dataclass(frozen=True)
class OrderFacts:
    id: int
    number: str
    version: int
    status: Status
    source: Source
    level: str
    created_at: datetime
    lead_department_id: int | None = None
    assist_department_ids: frozenset[int] = frozenset()
    grid_id: int | None = None
    reporter_ids: frozenset[int] = frozenset()
    dispatched_at: datetime | None = None
    first_contact_at: datetime | None = None
    marked_repeat: bool = False
    stored_matter_id: int | None = None  # the stored (存电) order this later call is linked to
    redispatch_count: int = 0
    failed_checks: int = 0
    warning_order: bool = False
    lat: float | None = None
    lng: float | None = None
    # Someone to contact first (a caller who left a number and is not anonymous); grid
    # finds have none.
    has_caller: bool = False
    caller_landline: bool = False  # the caller left only a landline (may be visited)
    # When the order reached the street: the platform's time for a platform order, else
    # the report's. The street's resolve clock counts from here (seed 000).
    received_at: datetime | None = None
    platform_due_at: datetime | None = None
    closure_text: str = ""  # the lead's last closure report (协办 copies are checked on it)
    clocks: tuple[ClockFact, ...] = ()
    photos: tuple[PhotoFact, ...] = ()
    recordings: tuple[RecordingFact, ...] = ()
    contact_attempts: tuple[ContactAttempt, ...] = ()
    returns: tuple[ReturnState, ...] = ()
    extensions: tuple[ExtensionFact, ...] = ()
    supervisions: tuple[SupervisionFact, ...] = ()
    coordination_open: bool = False
    # The order's level may be extended at all (seed 000: a 一般 grid case is not, only a
    # 疑难 one), by an ordinary or a special extension.
    extendable: bool = True
    description: str = ""
    address: str | None = None
    category_number: int | None = None

    # -- derived -------------------------------------------------------------------------

    def clock(self, name: str) -> ClockFact | None:
        return next((c for c in self.clocks if c.name == name), None)

    @property
    def contacted_levels(self) -> frozenset[str]:
        return frozenset(a.level for a in self.contact_attempts if a.reached)

    def failed_attempts(self, level: str) -> tuple[datetime, ...]:
        return tuple(
            a.contacted_at for a in self.contact_attempts if a.level == level and not a.reached
        )

    @property
    def pending_return(self) -> ReturnState | None:
        return next((r for r in self.returns if r.status == "pending"), None)

    @property
    def pending_extension(self) -> ExtensionFact | None:
        return next((e for e in self.extensions if e.status == "pending"), None)

    @property
    def unreplied_supervisions(self) -> tuple[SupervisionFact, ...]:
        return tuple(s for s in self.supervisions if s.replied_at is None)

    @property
    def phases(self) -> frozenset[str]:
        return frozenset(p.phase for p in self.photos)

    def photo(self, photo_id: int) -> PhotoFact | None:
        """The order's own evidence photo (not a report's)."""
        return next((p for p in self.photos if p.id == photo_id and p.report_id is None), None)

    def recording(self, recording_id: int) -> RecordingFact | None:
        return next(
            (r for r in self.recordings if r.id == recording_id and r.report_id is None), None
        )
