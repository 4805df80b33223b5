"""Appending to and checking an order's hash-chained timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.workorders import repository as repo
from backend.workorders.models import WorkOrderEvent
from backend.workorders.timeline import GENESIS, EventContent, chain_hash, verify


def append(
    session: Session,
    order_id: int,
    kind: str,
    *,
    at: datetime,
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    """Adds the next event. Callers hold the order's version lock (or created the order), so
    two writers never append the same seq; the (order, seq) unique key backs that up."""
    last = repo.last_event(session, order_id)
    content = EventContent(
        seq=(last.seq + 1) if last else 1,
        kind=kind,
        actor_id=actor_id,
        at=at.replace(microsecond=0),
        payload=payload or {},
    )
    previous = last.hash if last else GENESIS
    event = WorkOrderEvent(
        work_order_id=order_id,
        seq=content.seq,
        kind=kind,
        actor_id=actor_id,
        at=content.at,
        payload=content.payload,
        prev_hash=previous,
        hash=chain_hash(previous, content),
    )
    session.add(event)
    session.flush()
    return event


def chain_is_valid(session: Session, order_id: int) -> tuple[bool, int]:
    events = repo.events_of(session, order_id)
    contents = [
        (EventContent(e.seq, e.kind, e.actor_id, e.at, e.payload), e.prev_hash, e.hash)
        for e in events
    ]
    return verify(contents), len(events)
