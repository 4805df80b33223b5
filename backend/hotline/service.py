"""Importing orders from the district platform, row by row: each row is validated, then
created or updated in its own savepoint, so one bad row never stops or half-writes the others.

A new platform order goes through the same intake as a patrol report (classification, grid,
routing, automatic dispatch or the queue), with its source's clocks; its resolve clock counts
from when it reached the street (``received_at``), or ends at the platform's own due time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from backend.auth.models import User
from backend.config import Settings
from backend.db import begin_write, row_id
from backend.dispatch import intake
from backend.dispatch import service as dispatching
from backend.dispatch.classifier import Classification
from backend.errors import Conflict, DomainError, validation_problem
from backend.geo import to_wgs84
from backend.hotline import escalation, rules
from backend.hotline import repository as repo
from backend.hotline.schemas import (
    PlatformImportOut,
    PlatformOrderIn,
    PlatformOrderResult,
    RowError,
)
from backend.sla import service as sla
from backend.timefmt import parse_client_time
from backend.workorders import opening
from backend.workorders.callers import Caller
from backend.workorders.models import WorkOrder
from backend.workorders.opening import NewOrder
from backend.workorders.pipeline import Apply
from backend.workorders.states import Status
from backend.workorders.violations import RuleViolation

_ROW = TypeAdapter(PlatformOrderIn)
# The order's column each field of the row fills.
_COLUMN_FIELDS = {
    "description": "content",
    "address": "address",
    "lat": "lat",
    "lng": "lng",
    "caller_name": "caller_name",
    "caller_phone": "caller_phone",
    "caller_anonymous": "anonymous",
    "caller_confidential": "confidential",
    "appeal_type": "appeal_type",
    "marked_repeat": "repeat_flag",
    "platform_due_at": "platform_due_at",
}
Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Prepared:
    """A valid row with its CPU work done before the write lock."""

    row: PlatformOrderIn
    values: dict[str, Any]  # the order's columns the platform decides
    provided: set[str]  # the columns this row gives a value for
    level: str
    classification: Classification
    grid_id: int | None


def import_orders(
    session: Session,
    user: User | None,
    rows: Sequence[Any],
    settings: Settings,
    now: datetime,
) -> PlatformImportOut:
    results: list[PlatformOrderResult | None] = [None] * len(rows)
    prepared: list[tuple[int, Prepared]] = []
    for position, raw in enumerate(rows):
        try:
            prepared.append((position, _prepare(session, raw, settings)))
        except (ValidationError, RuleViolation) as exc:
            results[position] = _refused(position, raw, _row_error(exc))
    if prepared:
        begin_write(session)
    for position, ready in prepared:
        savepoint = session.begin_nested()
        try:
            results[position] = _apply(session, user, position, ready, settings, now)
            savepoint.commit()
        except DomainError as exc:
            savepoint.rollback()
            error = RowError(
                code=exc.code, message=exc.message, field=exc.field, status=exc.status_code
            )
            results[position] = _refused(position, ready.row.model_dump(), error)
    done = [r for r in results if r is not None]
    return PlatformImportOut(
        results=done,
        created=sum(r.outcome == "created" for r in done),
        updated=sum(r.outcome in ("updated", "unchanged") for r in done),
        refused=sum(r.outcome == "refused" for r in done),
    )


def _prepare(session: Session, raw: Any, settings: Settings) -> Prepared:
    row = _ROW.validate_python(raw)
    row = row.model_copy(
        update={
            "received_at": parse_client_time(row.received_at),
            "platform_due_at": row.platform_due_at and parse_client_time(row.platform_due_at),
        }
    )
    rules.check_place(row.lat, row.lng, row.address)
    source = rules.CHANNEL_SOURCES[row.channel]
    profile = sla.profile_for(settings)
    level = rules.level_for(
        row.level,
        row.appeal_type,
        sla.level_labels(profile, source.value),
        sla.default_level(profile, source.value),
    )
    lat: float | None = None
    lng: float | None = None
    grid_id = None
    if row.lat is not None and row.lng is not None:
        lat, lng = to_wgs84(row.lat, row.lng, row.crs)
        grid_id = dispatching.grid_index(session).locate(lat, lng)
    classification = dispatching.classify(row.content, row.category_number, settings)
    given = {name for name in row.model_fields_set if getattr(row, name) is not None}
    values = {
        "description": row.content.strip(),
        "address": (row.address or "").strip() or None,
        "lat": lat,
        "lng": lng,
        "caller_name": (row.caller_name or "").strip() or None,
        "caller_phone": (row.caller_phone or "").strip() or None,
        "caller_anonymous": row.anonymous,
        "caller_confidential": row.confidential,
        "appeal_type": row.appeal_type,
        "marked_repeat": row.repeat_flag,
        "platform_due_at": row.platform_due_at,
    }
    # A resend changes what it gives: a field left out (or null) keeps what the order has.
    provided = {column for column, field in _COLUMN_FIELDS.items() if field in given}
    return Prepared(row, values, provided, level, classification, grid_id)


def _apply(
    session: Session,
    user: User | None,
    position: int,
    ready: Prepared,
    settings: Settings,
    now: datetime,
) -> PlatformOrderResult:
    row = ready.row
    source = rules.CHANNEL_SOURCES[row.channel]
    existing = repo.by_external_no(session, source.value, row.external_no)
    if existing is None:
        order = _create(session, user, ready, settings, now)
        return _result(position, row, "created", order)
    offered = {k: v for k, v in ready.values.items() if k in ready.provided}
    changed = rules.changes(existing.model_dump(), offered)
    try:
        rules.check_update(Status(existing.status), changed)
    except RuleViolation as exc:
        raise Conflict(exc.message, code=exc.code, field=exc.field) from exc
    if not changed:
        return _result(position, row, "unchanged", existing)
    repo.lock_and_update(session, existing, changed)
    if "platform_due_at" in changed and changed["platform_due_at"] is not None:
        sla.move_due(session, row_id(existing), "resolve", changed["platform_due_at"], settings)
    Apply.system(session, row_id(existing), now).event(
        "platform_updated",
        by=user.id if user else None,
        channel=row.channel,
        external_no=row.external_no,
        # Names only: the timeline is read by everyone who sees the order, the caller is not.
        fields=sorted(changed),
    )
    return _result(position, row, "updated", existing)


def _create(
    session: Session, user: User | None, ready: Prepared, settings: Settings, now: datetime
) -> WorkOrder:
    row, values = ready.row, ready.values
    top = ready.classification.candidates[0] if ready.classification.candidates else None
    caller = Caller(
        values["caller_name"],
        values["caller_phone"],
        values["caller_anonymous"],
        values["caller_confidential"],
    )
    order = opening.open_order(
        session,
        NewOrder(
            source=rules.CHANNEL_SOURCES[row.channel],
            level=ready.level,
            description=values["description"],
            address=values["address"],
            lat=values["lat"],
            lng=values["lng"],
            category_number=top.number if top else row.category_number,
            grid_id=ready.grid_id,
            suggestions=[
                {"number": c.number, "name": c.name, "score": c.score}
                for c in ready.classification.candidates
            ],
            confident=ready.classification.confident,
            external_no=row.external_no,
            received_at=row.received_at,
            platform_due_at=row.platform_due_at,
            appeal_type=row.appeal_type,
            caller=caller,
            marked_repeat=row.repeat_flag,
            out_of_jurisdiction=None if values["lat"] is not None else False,
        ),
        actor_id=user.id if user else None,
        first_event={
            "source": rules.CHANNEL_SOURCES[row.channel].value,
            "channel": row.channel,
            "external_no": row.external_no,
            "grid_id": ready.grid_id,
        },
        settings=settings,
        now=now,
    )
    intake.route_new_order(session, order, ready.classification, settings, now)
    escalation.escalate(session, order, settings, now)
    return order


def _result(
    position: int, row: PlatformOrderIn, outcome: Outcome, order: WorkOrder
) -> PlatformOrderResult:
    return PlatformOrderResult(
        row=position,
        external_no=row.external_no,
        outcome=outcome,
        work_order_id=row_id(order),
        number=order.number,
    )


def _refused(position: int, raw: Any, error: RowError) -> PlatformOrderResult:
    external_no = raw.get("external_no") if isinstance(raw, dict) else None
    return PlatformOrderResult(
        row=position,
        external_no=external_no if isinstance(external_no, str) else None,
        outcome="refused",
        error=error,
    )


def _row_error(exc: ValidationError | RuleViolation) -> RowError:
    if isinstance(exc, RuleViolation):
        return RowError(code=exc.code, message=exc.message, field=exc.field)
    code, message, field = validation_problem(exc.errors()[0])
    return RowError(code=code, message=message, field=field)
