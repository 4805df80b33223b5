"""Opening a work order: its number, its first event and its dispatch clock.

Called by the one intake (backend.dispatch.intake) inside the write transaction that also
stores what the order came from, so an order never exists without its source and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.config import Settings
from backend.db import row_id
from backend.sla import service as sla
from backend.workorders import repository as repo
from backend.workorders.callers import Caller
from backend.workorders.models import WorkOrder
from backend.workorders.pipeline import Apply
from backend.workorders.search_terms import index_terms
from backend.workorders.states import Source, Status


def order_number(session: Session, now: datetime, settings: Settings) -> str:
    day = now.astimezone(settings.tz).date()
    return f"WG{day:%Y%m%d}-{repo.next_number(session, day):04d}"


@dataclass(frozen=True)
class NewOrder:
    source: Source
    level: str
    description: str
    address: str | None
    lat: float | None
    lng: float | None
    category_number: int | None
    grid_id: int | None
    suggestions: list[dict[str, Any]]
    confident: bool
    # Platform orders only (backend.hotline): the platform's number, arrival and due time.
    external_no: str | None = None
    received_at: datetime | None = None
    platform_due_at: datetime | None = None
    appeal_type: str | None = None
    caller: Caller | None = None
    marked_repeat: bool = False
    # None: decided by the grid (no grid → outside the street); a platform order without a
    # point is the street's (the platform sent it here) until a dispatcher places it.
    out_of_jurisdiction: bool | None = None


def open_order(
    session: Session,
    new: NewOrder,
    *,
    actor_id: int | None,
    first_event: dict[str, Any],
    settings: Settings,
    now: datetime,
) -> WorkOrder:
    """Inserts the order (status reported), records how it came in and starts its dispatch
    clock. The caller holds the write transaction."""
    caller = new.caller or Caller(None, None)
    order = WorkOrder(
        number=order_number(session, now, settings),
        source=new.source.value,
        level=new.level,
        status=Status.reported.value,
        profile=settings.policy_profile,
        description=new.description,
        address=new.address,
        lat=new.lat,
        lng=new.lng,
        category_number=new.category_number,
        grid_id=new.grid_id,
        out_of_jurisdiction=(
            new.grid_id is None if new.out_of_jurisdiction is None else new.out_of_jurisdiction
        ),
        suggestions=new.suggestions,
        confident=new.confident,
        created_at=now,
        updated_at=now,
        external_no=new.external_no,
        received_at=new.received_at,
        platform_due_at=new.platform_due_at,
        appeal_type=new.appeal_type,
        caller_name=caller.name,
        caller_phone=caller.phone,
        caller_anonymous=caller.anonymous,
        caller_confidential=caller.confidential,
        marked_repeat=new.marked_repeat,
    )
    session.add(order)
    session.flush()
    repo.save_search_terms(
        session,
        row_id(order),
        index_terms(order.number, order.external_no, order.description, order.address),
    )
    Apply.system(session, row_id(order), now).event("reported", by=actor_id, **first_event)
    sla.start_dispatch_clock(session, row_id(order), new.source, new.level, settings, now)
    return order
