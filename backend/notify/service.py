"""Telling people what needs their action: the in-app inbox (further channels plug in here)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from backend.auth.models import User
from backend.db import begin_write, row_id
from backend.errors import NotFound
from backend.notify import repository as repo
from backend.notify.models import Notification
from backend.pagination import Page, last_id, page_by_id
from backend.timefmt import ApiDateTime


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    work_order_id: int | None
    data: dict[str, Any]
    created_at: ApiDateTime
    read_at: ApiDateTime | None
    # The step the item asks for (as in an order's next_steps), or null for news.
    action: str | None
    # The action was taken (by the reader or anyone else): the item no longer counts as unread.
    resolved: bool
    resolved_at: ApiDateTime | None


class UnreadCount(BaseModel):
    unread: int


def notify(
    session: Session,
    user_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    body: str = "",
    work_order_id: int | None = None,
    order_number: str | None = None,
    dedupe_key: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    action: str | None = None,
) -> int:
    """Adds one inbox entry per user unless this dedupe_key already reached them: one query
    for who has it, one insert for the rest. ``order_number`` travels with the entry, so the
    outbound channel needs no lookup of its own. ``action``: the step the entry asks for on
    the order; taking it resolves the entry (see ``resolve``)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return 0
    have = repo.already_notified(session, wanted, dedupe_key)
    payload = dict(data or {})
    if order_number:
        payload["order_number"] = order_number
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            title=title,
            body=body,
            work_order_id=work_order_id,
            data=payload,
            dedupe_key=dedupe_key,
            created_at=now,
            action=action if work_order_id is not None else None,
        )
        for user_id in wanted
        if user_id not in have
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def command_center(session: Session) -> list[int]:
    return repo.user_ids_with_role(session, "dispatcher")


def leaders(session: Session) -> list[int]:
    return repo.user_ids_with_role(session, "leader")


def admins(session: Session) -> list[int]:
    return repo.user_ids_with_role(session, "admin")


def department_handlers(session: Session, department_id: int) -> list[int]:
    return repo.handler_ids_of(session, department_id)


def grid_inspectors(session: Session, grid_id: int | None) -> list[int]:
    return repo.user_ids_in_grid(session, grid_id, "inspector") if grid_id is not None else []


def resolve(session: Session, work_order_id: int, actions: Iterable[str], now: datetime) -> None:
    """Resolves the order's open entries asking for ``actions``, for every reader at once."""
    wanted = list(actions)
    if wanted:
        repo.resolve_actions(session, work_order_id, wanted, now)


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=row_id(n),
        kind=n.kind,
        title=n.title,
        body=n.body,
        work_order_id=n.work_order_id,
        data=n.data,
        created_at=n.created_at,
        read_at=n.read_at,
        action=n.action,
        resolved=n.resolved_at is not None,
        resolved_at=n.resolved_at,
    )


def inbox(
    session: Session,
    user: User,
    *,
    cursor: str | None,
    limit: int,
    unread_only: bool,
    actionable_only: bool = False,
) -> Page[NotificationOut]:
    rows = repo.inbox(
        session,
        row_id(user),
        before_id=last_id(cursor),
        limit=limit + 1,
        unread_only=unread_only,
        actionable_only=actionable_only,
    )
    return page_by_id(rows, limit, [_out(n) for n in rows[:limit]])


def unread_count(session: Session, user: User) -> UnreadCount:
    return UnreadCount(unread=repo.unread_count(session, row_id(user)))


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> NotificationOut:
    begin_write(session)
    notification = repo.by_id(session, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("找不到该通知", code="notification_not_found")
    notification.read_at = notification.read_at or now
    session.add(notification)
    return _out(notification)
