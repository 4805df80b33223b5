"""Who is told what about an order: the departments that must act, the command center,
the members who reported it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from backend.notify import service as notify
from backend.workorders.facts import OrderFacts


def _tell(
    session: Session,
    to: list[int],
    facts: OrderFacts,
    what: tuple[str, str, str],
    *,
    now: datetime,
    dedupe_key: str,
) -> None:
    """``what``: the notice's (kind, title, body)."""
    kind, title, body = what
    notify.notify(
        session,
        to,
        kind=kind,
        title=title,
        body=body[:100],
        work_order_id=facts.id,
        order_number=facts.number,
        dedupe_key=dedupe_key,
        now=now,
    )


def tell_department(
    session: Session,
    facts: OrderFacts,
    kind: str,
    title: str,
    body: str | None,
    now: datetime,
    department_id: int | None = None,
    *,
    version: int | None = None,
) -> None:
    """Tells a department's handlers (the lead by default) what needs their action."""
    department_id = department_id or facts.lead_department_id
    if department_id is None:
        return
    # One per step: the order's version changes with every step.
    dedupe_key = f"{kind}:{facts.id}:{version or facts.version + 1}:{department_id}"
    handlers = notify.department_handlers(session, department_id)
    _tell(session, handlers, facts, (kind, title, body or ""), now=now, dedupe_key=dedupe_key)


def tell_command_center(
    session: Session,
    facts: OrderFacts,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    *,
    dedupe_key: str,
    to: Literal["command_center", "leaders", "both"] = "command_center",
) -> None:
    """Tells the command center, its leaders, or both."""
    recipients = notify.command_center(session) if to != "leaders" else []
    if to != "command_center":
        recipients += notify.leaders(session)
    _tell(session, recipients, facts, (kind, title, body), now=now, dedupe_key=dedupe_key)


def tell_reporters(
    session: Session,
    facts: OrderFacts,
    kind: str,
    title: str,
    body: str,
    now: datetime,
) -> None:
    """Tells the members whose reports the order carries how their report is doing: a
    member who never hears back stops reporting."""
    if not facts.reporter_ids:
        return
    dedupe_key = f"reporter:{kind}:{facts.id}:{facts.version + 1}"
    reporters = sorted(facts.reporter_ids)
    _tell(session, reporters, facts, (kind, title, body), now=now, dedupe_key=dedupe_key)
