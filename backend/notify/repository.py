"""Queries for the inbox and for who should be told."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from backend.auth.models import Role, User
from backend.notify.models import Notification
from backend.org.models import GridMember


def already_notified(session: Session, user_ids: list[int], dedupe_key: str) -> set[int]:
    query = select(Notification.user_id).where(
        col(Notification.user_id).in_(user_ids), Notification.dedupe_key == dedupe_key
    )
    return set(session.exec(query))


def user_ids_with_role(session: Session, role: str) -> list[int]:
    query = select(User.id).where(User.role == role, col(User.is_active).is_(True))
    return [i for i in session.exec(query) if i is not None]


def handler_ids_of(session: Session, department_id: int) -> list[int]:
    query = select(User.id).where(
        User.role == Role.handler,
        User.department_id == department_id,
        col(User.is_active).is_(True),
    )
    return [i for i in session.exec(query) if i is not None]


def user_ids_in_grid(session: Session, grid_id: int, role: str) -> list[int]:
    """The active users of ``role`` who patrol the grid cell."""
    query = (
        select(User.id)
        .join(GridMember, col(GridMember.user_id) == User.id)
        .where(GridMember.grid_id == grid_id, User.role == role, col(User.is_active).is_(True))
    )
    return [i for i in session.exec(query) if i is not None]


def _unread() -> Any:
    # Spelled as the partial index's predicate (models.UNREAD_SQL), so both engines use it.
    return col(Notification.read_at).is_(None) & col(Notification.resolved_at).is_(None)


def _open_action() -> Any:
    return col(Notification.action).is_not(None) & col(Notification.resolved_at).is_(None)


def inbox(
    session: Session,
    user_id: int,
    *,
    before_id: int | None,
    limit: int,
    unread_only: bool,
    actionable_only: bool = False,
) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(col(Notification.id) < before_id)
    if unread_only:
        query = query.where(_unread())
    if actionable_only:
        query = query.where(_open_action())
    return list(session.exec(query))


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).select_from(Notification)
    return session.exec(query.where(Notification.user_id == user_id, _unread())).one()


def resolve_actions(
    session: Session, work_order_id: int, actions: Iterable[str], now: datetime
) -> None:
    """Marks the order's open items asking for any of ``actions`` resolved: one UPDATE."""
    session.execute(
        update(Notification)
        .where(
            col(Notification.work_order_id) == work_order_id,
            col(Notification.action).in_(sorted(actions)),
            _open_action(),
        )
        .values(resolved_at=now)
        # One statement: no SELECT to keep loaded rows in step (none of them is read after).
        .execution_options(synchronize_session=False)
    )


def by_id(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)


# -- the outbox (see backend.notify.outbox) -------------------------------------------------

# One event, as posted once to the channel: its kind, order and dedupe key.
EventKey = tuple[str, int | None, str]


def event_key(n: Notification) -> EventKey:
    return (n.kind, n.work_order_id, n.dedupe_key)


def _due(now: datetime) -> Any:
    """Not delivered, and new or due again (not leased, backing off or given up)."""
    next_at = col(Notification.next_attempt_at)
    new = next_at.is_(None) & col(Notification.delivery_error).is_(None)
    return col(Notification.delivered_at).is_(None) & or_(new, next_at <= now)


def pending(session: Session, limit: int, *, now: datetime) -> list[Notification]:
    """The rows of up to `limit` due events, oldest event first, each event complete.

    PostgreSQL: FOR UPDATE SKIP LOCKED, and an event comes back only if all its due rows were
    locked here, so two workers never both take (a part of) one event. SQLite: the transaction
    already holds the database write lock (BEGIN IMMEDIATE).
    """
    key_cols = (
        col(Notification.kind),
        col(Notification.work_order_id),
        col(Notification.dedupe_key),
    )
    groups = session.exec(
        select(*key_cols, func.count())
        .where(_due(now))
        .group_by(*key_cols)
        .order_by(func.min(Notification.created_at), func.min(Notification.id))
        .limit(limit)
    ).all()
    expected: dict[EventKey, int] = {(k, w, d): n for k, w, d, n in groups}
    if not expected:
        return []
    query = (
        select(Notification)
        .where(_due(now), col(Notification.dedupe_key).in_({d for _, _, d in expected}))
        .order_by(col(Notification.created_at), col(Notification.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = [n for n in session.exec(query) if event_key(n) in expected]
    locked = Counter(event_key(n) for n in rows)
    # A partly locked event is left whole for a later run rather than posted twice.
    return [n for n in rows if locked[event_key(n)] == expected[event_key(n)]]


def already_posted(session: Session, keys: Iterable[EventKey]) -> set[EventKey]:
    """Events posted before: a user notified later for the same event is not posted again."""
    wanted = set(keys)
    if not wanted:
        return set()
    query = (
        select(Notification.kind, Notification.work_order_id, Notification.dedupe_key)
        .where(
            col(Notification.delivered_at).is_not(None),
            col(Notification.dedupe_key).in_({d for _, _, d in wanted}),
        )
        .distinct()
    )
    found = {(k, w, d) for k, w, d in session.exec(query)}
    return found & wanted


def set_fields(session: Session, ids: Sequence[int], **values: Any) -> None:
    session.execute(update(Notification).where(col(Notification.id).in_(ids)).values(**values))
