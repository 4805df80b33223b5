"""How every step on an order runs: gather facts → pure check → apply.

1. ``gather`` loads the order and everything around it in one batched call (a fixed number of
   statements) inside the request's read snapshot, checks the caller may see it (404 if not)
   and turns the rows into plain facts; CPU work (images, hashes) happens after it, before
   any lock;
2. ``decide`` asks the state machine (``machine.transition``), the one authority on status;
   its refusal becomes the API's error;
3. ``Apply`` takes the write lock and the order's version (409 when another step came
   first), writes the status the transition answered — the only code that writes ``status``
   — and appends the events to the hash chain. The request's session commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import Role, User
from backend.config import Settings
from backend.db import begin_write, row_id
from backend.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from backend.sla import profiles as profile_rules
from backend.sla import service as sla
from backend.sla.profiles import Rules
from backend.workorders import repository as repo
from backend.workorders import upkeep
from backend.workorders.callers import Caller, is_mobile
from backend.workorders.facts import (
    ClockFact,
    ContactAttempt,
    ExtensionFact,
    OrderFacts,
    PhotoFact,
    RecordingFact,
    ReturnState,
    SupervisionFact,
)
from backend.workorders.machine import Actor, Relation, Step, Transition, transition
from backend.workorders.models import WorkOrder, WorkOrderEvent
from backend.workorders.notices import settle
from backend.workorders.repository import OrderBundle
from backend.workorders.states import Source, Status
from backend.workorders.timeline import GENESIS, EventContent, chain_hash
from backend.workorders.violations import RuleViolation

# Where a rule's name for an input differs from the API field the client sent.
API_FIELDS = {
    "requested": "requested_due_at",
    "special": "special_days",
    "recording": "recording_id",
    "sms_screenshot": "sms_photo_id",
    "visit_photo": "visit_photo_id",
    "failed_attempts": "method",
    "signoff_photo": "signoff_photo_id",
    "late_reason": "reason",
    "photos": "photo_ids",
    "decision": "approve",
    "returns": "version",
    "extension": "version",
    "store": "version",
}
_FORBIDDEN = frozenset({"role_forbidden", "not_your_order", "leader_required"})
_CONFLICTS = frozenset({"illegal_transition"})


def api_error(violation: RuleViolation) -> DomainError:
    """A rule's refusal as the API answers it: 403 for who, 409 for when, 422 for what."""
    if violation.code in _FORBIDDEN:
        return Forbidden(violation.message, code=violation.code)
    if violation.code in _CONFLICTS:
        return Conflict(violation.message, code=violation.code)
    field_name = API_FIELDS.get(violation.field, violation.field) if violation.field else None
    return InvalidInput(violation.message, code=violation.code, field=field_name)


def enforce(check: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Calls a pure rule; its RuleViolation becomes the API's error."""
    try:
        return check(*args, **kwargs)
    except RuleViolation as exc:
        raise api_error(exc) from exc


# -- 1. gather -----------------------------------------------------------------------------


@dataclass
class Gathered:
    bundle: OrderBundle
    facts: OrderFacts
    actor: Actor
    rules: Rules
    user: User | None

    @property
    def order_id(self) -> int:
        return self.facts.id


def relation_of(user: User | None, bundle: OrderBundle) -> Relation:
    if user is None or user.role != Role.handler or user.department_id is None:
        return Relation.none
    if user.department_id == bundle.order.lead_department_id:
        return Relation.lead
    if user.department_id in bundle.assist_ids:
        return Relation.assist
    return Relation.none


def may_see(user: User, bundle: OrderBundle) -> bool:
    return permissions.may_see_order(
        user,
        bundle.order.lead_department_id,
        bundle.assist_ids,
        [r.reporter_id for r in bundle.reports],
        in_user_grid=bundle.in_viewer_grid,
        reported_duplicate=bundle.viewer_reported_duplicate,
    )


def facts_of(bundle: OrderBundle, *, extendable: bool = True) -> OrderFacts:
    order = bundle.order
    last_closure = next((e for e in reversed(bundle.events) if e.kind == "closure_submitted"), None)
    return OrderFacts(
        id=row_id(order),
        number=order.number,
        version=order.version,
        status=Status(order.status),
        source=Source(order.source),
        level=order.level,
        created_at=order.created_at,
        lead_department_id=order.lead_department_id,
        assist_department_ids=frozenset(bundle.assist_ids),
        grid_id=order.grid_id,
        reporter_ids=frozenset(r.reporter_id for r in bundle.reports),
        dispatched_at=order.dispatched_at,
        first_contact_at=order.first_contact_at,
        marked_repeat=order.marked_repeat,
        stored_matter_id=order.stored_matter_id,
        redispatch_count=order.redispatch_count,
        failed_checks=order.failed_checks,
        warning_order=order.warning_order,
        lat=order.lat,
        lng=order.lng,
        has_caller=Caller(order.caller_name, order.caller_phone, order.caller_anonymous).reachable,
        caller_landline=bool(order.caller_phone) and not is_mobile(order.caller_phone or ""),
        received_at=order.received_at or order.created_at,
        platform_due_at=order.platform_due_at,
        closure_text=str(last_closure.payload.get("process", "")) if last_closure else "",
        clocks=tuple(
            ClockFact(
                c.name,
                c.started_at,
                c.due_at,
                c.remind_at,
                c.met_at,
                c.breached_at,
                c.provisional,
                c.amount,
                c.unit,
            )
            for c in bundle.clocks
        ),
        photos=tuple(
            PhotoFact(row_id(p), p.phase, p.size_bytes, tuple(p.flags), p.report_id)
            for p in bundle.photos
        ),
        recordings=tuple(
            RecordingFact(row_id(r), r.kind, r.size_bytes, r.report_id) for r in bundle.recordings
        ),
        contact_attempts=_attempts(bundle),
        returns=tuple(
            ReturnState(
                row_id(r),
                r.department_id,
                r.status,
                r.needs_leader,
                r.prior_status,
                r.suggested_department_id,
            )
            for r in bundle.returns
        ),
        extensions=tuple(
            ExtensionFact(row_id(e), e.status, e.needs_leader, e.proposed_due_at)
            for e in bundle.extensions
        ),
        supervisions=tuple(
            SupervisionFact(row_id(s), s.kind, s.replied_at, s.reply_due_at)
            for s in bundle.supervisions
        ),
        coordination_open=bundle.coordination is not None,
        extendable=extendable,
        description=order.description,
        address=order.address,
        category_number=order.category_number,
    )


def _attempts(bundle: OrderBundle) -> tuple[ContactAttempt, ...]:
    if bundle.attempts:
        return tuple(
            ContactAttempt(a.level, a.reached, a.method, a.contacted_at) for a in bundle.attempts
        )
    # A bundle built without the attempt rows: the levels reached are on the order itself.
    levels = [lv for lv in bundle.order.contacted_levels.split(",") if lv]
    moment = bundle.order.first_contact_at or bundle.order.created_at
    return tuple(ContactAttempt(lv, True, "call", moment) for lv in levels)


def gather(
    session: Session,
    user: User | None,
    order_id: int,
    settings: Settings,
    *,
    with_coordination: bool = False,
) -> Gathered:
    """The order as its rules see it, if ``user`` may see it (None: the system acts)."""
    bundle = repo.load_bundle(
        session,
        order_id,
        viewer_id=user.id if user else None,
        with_coordination=with_coordination,
    )
    if bundle is None or (user is not None and not may_see(user, bundle)):
        raise NotFound("找不到该工单", code="work_order_not_found")
    return gathered_of(bundle, user, sla.profile_for(settings))


def gathered_of(bundle: OrderBundle, user: User | None, profile: profile_rules.Profile) -> Gathered:
    """A loaded order as its rules see it, for ``user`` (also each order of a work list)."""
    facts = facts_of(bundle, extendable=_extendable(profile, bundle.order))
    actor = Actor(user.role if user else "system", relation_of(user, bundle))
    rules = profile_rules.rules_for(profile, facts.source)
    return Gathered(bundle, facts, actor, rules, user)


def _extendable(profile: profile_rules.Profile, order: WorkOrder) -> bool:
    try:
        rule = profile_rules.level_rule(profile, order.source, order.level).extension
    except ValueError:  # a level the profile no longer has: the extension rules will say
        return True
    return rule.allowed or bool(rule.special)


# -- 2. decide -----------------------------------------------------------------------------


def stale() -> Conflict:
    return Conflict("工单已被他人处理，请刷新后重试", code="stale_version", field="version")


def decide(
    gathered: Gathered,
    step: Step,
    now: datetime,
    outcome: str | None = None,
    *,
    version: int | None = None,
) -> Transition:
    """The machine's answer. Who may not take the step hears so first (403); a client whose
    view is out of date is told to reload (409 ``stale_version``) before anything about the
    order's state."""
    outdated = version is not None and version != gathered.facts.version
    try:
        change = transition(gathered.facts, step, gathered.actor, outcome, gathered.rules, now)
    except RuleViolation as exc:
        if outdated and exc.code not in _FORBIDDEN:
            raise stale() from exc
        raise api_error(exc) from exc
    if outdated:
        raise stale()
    return change


# -- 3. apply ------------------------------------------------------------------------------


class _Step:
    """The default actor of an event: whoever takes the step."""


STEP = _Step()


@dataclass
class Apply:
    """The write phase of one step: the version lock, the status, the events."""

    session: Session
    order_id: int
    now: datetime
    actor_id: int | None
    _tip: tuple[int, str] | None = None
    _events: list[WorkOrderEvent] = field(default_factory=list)

    @classmethod
    def begin(
        cls,
        session: Session,
        gathered: Gathered,
        version: int,
        change: Transition,
        now: datetime,
        **values: object,
    ) -> Apply:
        """Takes the write lock and the version the client saw (409 when the order moved on),
        writing the transition's status and ``values`` in the same statement."""
        begin_write(session)
        if change.moves:
            values["status"] = change.after.value
        if not repo.take_version(session, gathered.order_id, version, **values):
            raise stale()
        upkeep.mark_changed(session, gathered.order_id, now)
        settle(session, gathered.facts, change, now)  # inbox items asking for this step
        user = gathered.user
        return cls(session, gathered.order_id, now, user.id if user else None)

    @classmethod
    def system(cls, session: Session, order_id: int, now: datetime) -> Apply:
        """For the worker: the order row is locked by the caller; no version is taken."""
        upkeep.mark_changed(session, order_id, now)
        return cls(session, order_id, now, None)

    def event(self, event_kind: str, /, *, by: int | _Step | None = STEP, **payload: Any) -> None:
        """Appends an event; ``by`` is who acted (default: whoever takes the step, None: the
        system)."""
        if self._tip is None and not self._events:
            self._tip = repo.chain_tip(self.session, self.order_id)
        last = self._events[-1] if self._events else None
        seq = last.seq + 1 if last else (self._tip[0] + 1 if self._tip else 1)
        previous = last.hash if last else (self._tip[1] if self._tip else GENESIS)
        actor = self.actor_id if isinstance(by, _Step) else by
        content = EventContent(seq, event_kind, actor, self.now.replace(microsecond=0), payload)
        row = WorkOrderEvent(
            work_order_id=self.order_id,
            seq=seq,
            kind=event_kind,
            actor_id=actor,
            at=content.at,
            payload=payload,
            prev_hash=previous,
            hash=chain_hash(previous, content),
        )
        self.session.add(row)
        self._events.append(row)

    def update(self, **values: object) -> None:
        repo.update_order(self.session, self.order_id, **values)
