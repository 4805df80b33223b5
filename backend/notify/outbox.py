"""Outbound delivery of inbox notifications: the notification table doubles as the outbox.

A request only inserts inbox rows (service.notify) in its own transaction; a worker posts them
to the channel later, so a slow or failing webhook never slows or breaks a request. The rows
one event wrote for several users (same kind, order and dedupe_key) are posted once, as one
event, and marked together.

One run, three steps, so no lock is held during HTTP (neither the SQLite write lock, which
would stall every request, nor PostgreSQL row locks, which would stall marking as read):
1. a short transaction claims up to `limit` due events and leases them (attempt counted,
   next_attempt_at pushed past the lease), so no other worker takes them;
2. the notifier posts them, outside any transaction;
3. a short transaction records the outcomes.
A worker killed between 2 and 3 leaves the lease to expire and the event is posted again:
delivery is at least once, as with any outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.db import session_scope
from backend.notify import repository as repo
from backend.notify.models import Notification
from backend.notify.repository import EventKey, event_key
from backend.seams.notifier import DeliveryFailed, Message, Notifier

log = logging.getLogger("gridline.notify")

# Waits after the 1st, 2nd, ... failed attempt; the attempt after the last wait is the last.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Longer than a batch can take (50 events, two posts of at most 5 s each), so a claimed
# event is not claimed again by another worker while it is being posted.
LEASE = timedelta(minutes=10)
ERROR_MAX_CHARS = 200


@dataclass(frozen=True)
class DeliveryResult:
    sent: int  # events posted
    failed: int  # events given up on in this run
    retry_later: int  # events that failed for now, or were not tried because the channel failed


@dataclass(frozen=True)
class _Event:
    key: EventKey
    ids: tuple[int, ...]
    attempt: int  # the attempt this run makes, 1-based
    message: Message


def _group(rows: Iterable[Notification]) -> dict[EventKey, list[Notification]]:
    events: dict[EventKey, list[Notification]] = {}
    for n in rows:
        events.setdefault(event_key(n), []).append(n)
    return events


def _claim(
    session: Session,
    now: datetime,
    limit: int,
    order_link: Callable[[int], str] | None,
    mention_recipients: bool,
) -> list[_Event]:
    events = _group(repo.pending(session, limit, now=now))
    for key in repo.already_posted(session, events):
        posted = [n.id for n in events.pop(key) if n.id is not None]
        repo.set_fields(session, posted, delivered_at=now, next_attempt_at=None)
    phones: dict[int, str] = {}
    if mention_recipients:
        phones = auth_repo.phones_of(session, {n.user_id for rows in events.values() for n in rows})
    claimed = []
    for key, rows in events.items():
        first, work_order_id = rows[0], key[1]
        message = Message(
            title=first.title,
            body=first.body,
            kind=first.kind,
            work_order_number=first.data.get("order_number") if work_order_id else None,
            url=order_link(work_order_id) if order_link and work_order_id else None,
            mentioned_mobiles=tuple(
                dict.fromkeys(phones[n.user_id] for n in rows if n.user_id in phones)
            ),
        )
        ids = tuple(n.id for n in rows if n.id is not None)
        attempt = max(n.delivery_attempts for n in rows) + 1
        repo.set_fields(session, ids, delivery_attempts=attempt, next_attempt_at=now + LEASE)
        claimed.append(_Event(key, ids, attempt, message))
    return claimed


def _send(notifier: Notifier, events: list[_Event]) -> dict[EventKey, DeliveryFailed | None]:
    """Posts in order; stops at the first retryable failure, as the channel is likely down
    (or rate limited) for the rest too. Events missing from the answer were not tried."""
    outcomes: dict[EventKey, DeliveryFailed | None] = {}
    for event in events:
        try:
            notifier.deliver(event.message)
        except DeliveryFailed as exc:
            outcomes[event.key] = exc
        except Exception as exc:  # a notifier bug must not lose the lease bookkeeping
            log.exception("notifier raised for %s", event.key)
            outcomes[event.key] = DeliveryFailed(f"unexpected: {type(exc).__name__}", True)
        else:
            outcomes[event.key] = None
        failure = outcomes[event.key]
        if failure is not None and failure.retryable:
            break
    return outcomes


def _record(
    session: Session,
    events: list[_Event],
    outcomes: dict[EventKey, DeliveryFailed | None],
    now: datetime,
) -> DeliveryResult:
    sent = failed = retry_later = 0
    pause_until = now  # for events not tried, after a retryable failure stopped the batch
    for event in events:
        if event.key not in outcomes:
            continue
        failure = outcomes[event.key]
        if failure is None:
            repo.set_fields(
                session, event.ids, delivered_at=now, next_attempt_at=None, delivery_error=None
            )
            sent += 1
            continue
        error = failure.reason[:ERROR_MAX_CHARS]
        if failure.retryable:
            pause_until = now + BACKOFF[min(event.attempt, len(BACKOFF)) - 1]
        if failure.retryable and event.attempt < MAX_ATTEMPTS:
            repo.set_fields(session, event.ids, next_attempt_at=pause_until, delivery_error=error)
            retry_later += 1
        else:
            log.warning(
                "gave up delivering %s after %d attempts: %s", event.key, event.attempt, error
            )
            repo.set_fields(session, event.ids, next_attempt_at=None, delivery_error=error)
            failed += 1
    for event in events:
        if event.key not in outcomes:
            # Not tried: the attempt does not count, and it waits as long as the failed one.
            repo.set_fields(
                session,
                event.ids,
                delivery_attempts=event.attempt - 1,
                next_attempt_at=pause_until,
            )
            retry_later += 1
    return DeliveryResult(sent=sent, failed=failed, retry_later=retry_later)


def deliver_pending(
    engine: Engine,
    notifier: Notifier,
    now: datetime,
    limit: int = 50,
    *,
    order_link: Callable[[int], str] | None = None,
    mention_recipients: bool = False,
) -> DeliveryResult:
    """Posts up to `limit` due events to the channel and records the outcome on their rows.

    order_link builds the link to a work order (by id) shown in the message; with
    mention_recipients the recipients' phones are @-mentioned in the robot's group.
    """
    with session_scope(engine) as session:
        events = _claim(session, now, limit, order_link, mention_recipients)
    if not events:
        return DeliveryResult(sent=0, failed=0, retry_later=0)
    outcomes = _send(notifier, events)
    with session_scope(engine) as session:
        return _record(session, events, outcomes, now)
