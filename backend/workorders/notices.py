"""Who is told what about an order: the departments that must act, the command center,
the inspectors who verify it, the members who reported it; and, when a step is taken, the
items that asked for it are resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from backend.notify import service as notify
from backend.workorders import actions
from backend.workorders.facts import OrderFacts
from backend.workorders.machine import Step, Transition


def _tell(
    session: Session,
    to: list[int],
    facts: OrderFacts,
    what: tuple[str, str, str],
    *,
    now: datetime,
    dedupe_key: str,
    action: Step | None = None,
) -> None:
    """``what``: the notice's (kind, title, body); ``action``: the step it asks for."""
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
        action=action.value if action else None,
    )


def settle(session: Session, facts: OrderFacts, change: Transition, now: datetime) -> None:
    """Resolves the open items that asked for what ``change`` does, for everyone told: one
    statement for a step that answers any, none for one that answers nothing."""
    settled = actions.settled_by(change, unreplied_supervisions=len(facts.unreplied_supervisions))
    notify.resolve(session, facts.id, (a.value for a in settled), now)


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
    action: Step | None = None,
) -> None:
    """Tells a department's handlers (the lead by default) what needs their action."""
    department_id = department_id or facts.lead_department_id
    if department_id is None:
        return
    # One per step: the order's version changes with every step.
    dedupe_key = f"{kind}:{facts.id}:{version or facts.version + 1}:{department_id}"
    handlers = notify.department_handlers(session, department_id)
    what = (kind, title, body or "")
    _tell(session, handlers, facts, what, now=now, dedupe_key=dedupe_key, action=action)


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
    action: Step | None = None,
) -> None:
    """Tells the command center, its leaders, or both."""
    recipients = notify.command_center(session) if to != "leaders" else []
    if to != "command_center":
        recipients += notify.leaders(session)
    what = (kind, title, body)
    _tell(session, recipients, facts, what, now=now, dedupe_key=dedupe_key, action=action)


def tell_verifiers(
    session: Session, facts: OrderFacts, title: str, body: str, now: datetime
) -> None:
    """Tells whoever may verify the order on site (核查) that it waits for them: the command
    center and the inspectors who patrol its grid cell, one notice for all."""
    recipients = notify.command_center(session) + notify.grid_inspectors(session, facts.grid_id)
    _tell(
        session,
        recipients,
        facts,
        ("closure_submitted", title, body),
        now=now,
        dedupe_key=f"closure:{facts.id}:{facts.version + 1}",
        action=Step.verify,
    )


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
