"""Keeps the work lists' sort keys true: an order's next due time and when it last changed.

Every step (``pipeline.Apply``) and every clock change marks its order in the session; just
before the transaction commits, one UPDATE recomputes those orders' ``next_due_at`` from
their clocks (the earliest due time of a clock not yet met; none once the order is
finished) and stamps ``updated_at``. Clock changes made outside a step (the worker, an
official calendar year that moves provisional deadlines) are found among the session's
changed Clock rows, so no caller has to remember.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from backend.sla.models import Clock
from backend.workorders import repository

_KEY = "gridline.changed_orders"


def _merge(into: dict[int, datetime | None], more: Mapping[int, datetime | None]) -> None:
    for order_id, moment in more.items():
        known = into.get(order_id)
        into[order_id] = max(known, moment) if known and moment else (known or moment)


def mark_changed(session: Session, order_id: int, now: datetime) -> None:
    """A step changed the order at ``now``."""
    _merge(session.info.setdefault(_KEY, {}), {order_id: now})


@event.listens_for(Session, "before_flush")
def _clock_rows(session: Session, _context: Any, _instances: Any) -> None:
    orders = {
        row.work_order_id: None
        for row in (*session.new, *session.dirty)
        if isinstance(row, Clock) and row.work_order_id is not None
    }
    if orders:
        _merge(session.info.setdefault(_KEY, {}), orders)


@event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    if not session.info.get(_KEY):
        return
    session.flush()  # may find more clock rows
    changed: dict[int, datetime | None] = session.info.pop(_KEY, {})
    repository.refresh_list_keys(session, changed)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
