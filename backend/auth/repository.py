"""Queries for users, refresh tokens and login failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from backend.auth.models import LoginFailure, RefreshToken, User


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session, role: str | None = None) -> list[User]:
    query = select(User).order_by(col(User.id))
    if role:
        query = query.where(User.role == role)
    return list(session.exec(query))


def failures_since(session: Session, username: str, since: datetime) -> tuple[int, datetime | None]:
    row = session.exec(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.username == username, LoginFailure.at > since
        )
    ).one()
    return int(row[0]), row[1]


def add_failure(session: Session, username: str, at: datetime) -> None:
    session.add(LoginFailure(username=username, at=at))


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(col(LoginFailure.username) == username))


def refresh_by_hash(
    session: Session, token_hash: str, *, for_update: bool = False
) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def revoke_family(session: Session, family_id: str, at: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=at)
    )


def mark_rotated(session: Session, token_id: int, at: datetime) -> bool:
    """Marks a token rotated only if nobody else did first; False means it was already used."""
    result = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == token_id, col(RefreshToken.rotated_at).is_(None))
        .values(rotated_at=at)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
