"""The hash chain over an order's events. Pure: events are plain values.

Each event's hash covers its content and the previous event's hash, so editing, deleting
or reordering any stored event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class EventContent:
    seq: int
    kind: str
    actor_id: int | None
    at: datetime
    payload: dict[str, Any]


def canonical(event: EventContent) -> bytes:
    body = {
        "seq": event.seq,
        "kind": event.kind,
        "actor_id": event.actor_id,
        # Microseconds are dropped: not every database keeps them.
        "at": event.at.astimezone(UTC).replace(microsecond=0).isoformat(),
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(previous: str, event: EventContent) -> str:
    return hashlib.sha256(previous.encode() + canonical(event)).hexdigest()


def verify(events: list[tuple[EventContent, str, str]]) -> bool:
    """events: (content, stored prev_hash, stored hash) in seq order."""
    previous = GENESIS
    for expected_seq, (content, prev_hash, stored) in enumerate(events, start=1):
        if content.seq != expected_seq or prev_hash != previous:
            return False
        if chain_hash(previous, content) != stored:
            return False
        previous = stored
    return True
