"""Queries for the inbox and for who should be told."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.auth.models import User
from backend.notify.models import Notification


def exists(session: Session, user_id: int, dedupe_key: str) -> bool:
    query = select(Notification.id).where(
        Notification.user_id == user_id, Notification.dedupe_key == dedupe_key
    )
    return session.exec(query).first() is not None


def user_ids_with_role(session: Session, role: str) -> list[int]:
    query = select(User.id).where(User.role == role, col(User.is_active).is_(True))
    return [i for i in session.exec(query) if i is not None]


def handler_ids_of(session: Session, department_id: int) -> list[int]:
    query = select(User.id).where(
        User.role == "handler", User.department_id == department_id, col(User.is_active).is_(True)
    )
    return [i for i in session.exec(query) if i is not None]


def inbox(
    session: Session, user_id: int, *, before_id: int | None, limit: int, unread_only: bool
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
        query = query.where(col(Notification.read_at).is_(None))
    return list(session.exec(query))


def by_id(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)
