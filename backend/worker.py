"""The worker: the deadline sweep (reminders before due, breaches after), the outbound
notifications and the scheduled reports. Safe with many workers.

Each sweep is one transaction over a batch of claimed clocks (row locks with SKIP LOCKED on
PostgreSQL, the database write lock on SQLite). A worker killed mid-batch commits nothing,
so its clocks are claimed again by the next sweep; reminders are marked in the same
transaction that writes them, so each is sent once. A clock whose handling fails is set
aside for a pause (its own savepoint is rolled back), so it cannot hold back the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from backend.config import Settings, get_settings
from backend.db import session_scope
from backend.exports.service import generate_scheduled
from backend.notify.outbox import deliver_pending
from backend.quotas import closing as quotas
from backend.seams.clock import Clock as ClockSeam
from backend.seams.notifier import Notifier
from backend.seams.storage import Storage
from backend.sla import repository as repo
from backend.sla.models import Clock
from backend.workorders import deadlines

log = logging.getLogger("gridline.worker")


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    breached: int


def sweep(
    engine: Engine,
    now: datetime,
    *,
    limit: int = 200,
    on_claimed: Callable[[list[Clock]], None] | None = None,
    settings: Settings | None = None,
) -> SweepResult:
    settings = settings or get_settings()
    reminded = breached = 0
    with session_scope(engine) as session:
        claimed = repo.claim_due_clocks(session, now, limit)
        if on_claimed is not None:
            on_claimed(claimed)  # a seam for tests that kill a worker here
        for clock in claimed:
            clock_id = clock.id
            try:
                # One clock that fails (a bug, a bad row) must not hold back the batch.
                with session.begin_nested():
                    kind = deadlines.clock_due(session, clock, now, settings)
            except Exception:
                log.exception("clock %s could not be swept; retried after a pause", clock_id)
                repo.mark_sweep_failed(session, clock_id, now)
                continue
            if kind == "clock_breached":
                breached += 1
            else:
                reminded += 1
    return SweepResult(reminded=reminded, breached=breached)


def close_quota_week(
    engine: Engine, now: datetime, settings: Settings
) -> quotas.CloseResult | None:
    """Closes the members' last week once its Sunday is over (Shanghai wall clock), before
    the outbox runs so the warnings go out in the same tick. The check is a read, so a tick
    with nothing to close takes no write lock; the close itself is idempotent."""
    with session_scope(engine, write=False) as session:
        if not quotas.close_is_due(session, now, settings):
            return None
    with session_scope(engine) as session:
        return quotas.close_week(session, quotas.week_to_close(now, settings), settings, now)


def tick(
    engine: Engine,
    now: datetime,
    notifier: Notifier,
    settings: Settings | None = None,
    storage: Storage | None = None,
) -> None:
    """One round of the worker: the deadline sweep, the members' weekly close, outbound
    delivery of the inbox, and (with a storage) the scheduled reports — yesterday's, last
    week's, last month's and the last two months', each made once (the unique (kind, period)
    row keeps workers from doubling)."""
    try:
        result = sweep(engine, now, settings=settings)
        if result.reminded or result.breached:
            log.info("sweep: %d reminders, %d breaches", result.reminded, result.breached)
    except Exception:  # keep the loop alive; the next sweep retries the same rows
        log.exception("deadline sweep failed")
    try:
        closed = close_quota_week(engine, now, settings or get_settings())
        if closed is not None and closed.closed:
            log.info("quota week %s closed for %d members", closed.week, closed.closed)
    except Exception:
        log.exception("quota week close failed")
    try:
        delivered = deliver_pending(engine, notifier, now)
        if delivered.sent or delivered.failed:
            log.info("outbox: %d sent, %d failed", delivered.sent, delivered.failed)
    except Exception:
        log.exception("notification delivery failed")
    if storage is None:
        return
    try:
        made = generate_scheduled(engine, storage, settings or get_settings(), now)
        if made:
            log.info("reports: %s", ", ".join(f"{p.kind} {p.first}" for p in made))
    except Exception:
        log.exception("scheduled reports failed")


def run_forever(
    engine: Engine,
    clock: ClockSeam,
    interval_s: float,
    stop: threading.Event,
    notifier: Notifier,
    settings: Settings | None = None,
    storage: Storage | None = None,
) -> None:
    while not stop.is_set():
        tick(engine, clock.now(), notifier, settings, storage)
        stop.wait(interval_s)
