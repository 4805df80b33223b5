"""The deadline sweep: reminders before due, breaches after. Safe with many workers.

Each sweep is one transaction over a batch of claimed clocks (row locks with SKIP LOCKED on
PostgreSQL, the database write lock on SQLite). A worker killed mid-batch commits nothing,
so its clocks are claimed again by the next sweep; reminders are marked in the same
transaction that writes them, so each is sent once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import session_scope
from backend.notify import service as notify
from backend.notify.outbox import deliver_pending
from backend.seams.clock import Clock as ClockSeam
from backend.seams.notifier import Notifier
from backend.sla import repository as repo
from backend.sla.models import Clock
from backend.workorders import events
from backend.workorders import repository as order_repo

log = logging.getLogger("gridline.worker")

CLOCK_LABELS = {
    "dispatch": "派单",
    "accept": "接单",
    "check_in": "到场",
    "first_contact": "先行联系",
    "resolve": "办结",
    "redo": "整改",
}


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    breached: int


def _recipients(session: Session, clock: Clock, lead_department_id: int | None) -> list[int]:
    # The dispatch clock is the command center's own; other clocks belong to the handling
    # department, and the command center is told too when one is breached.
    if clock.name == "dispatch" or lead_department_id is None:
        return notify.command_center(session)
    handlers = notify.department_handlers(session, lead_department_id)
    return handlers + (notify.command_center(session) if clock.breached_at else [])


def _handle(session: Session, clock: Clock, now: datetime) -> str:
    order = order_repo.lock_order(session, clock.work_order_id)
    label = CLOCK_LABELS.get(clock.name, clock.name)
    if clock.due_at <= now:
        clock.breached_at = now
        kind, title = "clock_breached", f"已超时（{label}）：{order.number}"
    else:
        clock.reminded_at = now
        minutes = max(0, int((clock.due_at - now).total_seconds() // 60))
        kind, title = "clock_reminder", f"即将超时（{label}，剩余 {minutes} 分钟）：{order.number}"
    session.add(clock)
    events.append(
        session,
        clock.work_order_id,
        kind,
        at=now,
        payload={"clock": clock.name, "due_at": clock.due_at.isoformat()},
    )
    notify.notify(
        session,
        _recipients(session, clock, order.lead_department_id),
        kind=kind,
        title=title,
        body=order.description[:100],
        work_order_id=order.id,
        dedupe_key=f"clock:{clock.id}:{kind}",
        now=now,
        data={"clock": clock.name, "due_at": clock.due_at.isoformat()},
    )
    return kind


def sweep(
    engine: Engine,
    now: datetime,
    *,
    limit: int = 200,
    on_claimed: Callable[[list[Clock]], None] | None = None,
) -> SweepResult:
    reminded = breached = 0
    with session_scope(engine) as session:
        claimed = repo.claim_due_clocks(session, now, limit)
        if on_claimed is not None:
            on_claimed(claimed)  # a seam for tests that kill a worker here
        for clock in claimed:
            if _handle(session, clock, now) == "clock_breached":
                breached += 1
            else:
                reminded += 1
    return SweepResult(reminded=reminded, breached=breached)


def tick(engine: Engine, now: datetime, notifier: Notifier) -> None:
    """One round of the worker: the deadline sweep, then outbound delivery of the inbox."""
    try:
        result = sweep(engine, now)
        if result.reminded or result.breached:
            log.info("sweep: %d reminders, %d breaches", result.reminded, result.breached)
    except Exception:  # keep the loop alive; the next sweep retries the same rows
        log.exception("deadline sweep failed")
    try:
        delivered = deliver_pending(engine, notifier, now)
        if delivered.sent or delivered.failed:
            log.info("outbox: %d sent, %d failed", delivered.sent, delivered.failed)
    except Exception:
        log.exception("notification delivery failed")


def run_forever(
    engine: Engine, clock: ClockSeam, interval_s: float, stop: threading.Event, notifier: Notifier
) -> None:
    while not stop.is_set():
        tick(engine, clock.now(), notifier)
        stop.wait(interval_s)
