"""Queries for users, refresh tokens and login failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from backend.auth.models import InstanceSecret, LoginFailure, RefreshToken, RevokedFamily, User


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_of_token(session: Session, user_id: int, family_id: str) -> tuple[User | None, bool]:
    """The token's user and whether its login was revoked: one statement per request."""
    row = session.exec(
        select(User, RevokedFamily.family_id)
        .outerjoin(RevokedFamily, col(RevokedFamily.family_id) == family_id)
        .where(col(User.id) == user_id)
    ).first()
    if row is None:
        return None, False
    user, revoked = row
    return user, revoked is not None


def list_users(session: Session, role: str | None = None) -> list[User]:
    query = select(User).order_by(col(User.id))
    if role:
        query = query.where(User.role == role)
    return list(session.exec(query))


def failures_since(
    session: Session, username: str, since: datetime, client_address: str | None = None
) -> tuple[int, datetime | None, datetime | None]:
    """(count, first, last) failed logins of the username since then, from one address or all."""
    query = select(func.count(), func.min(LoginFailure.at), func.max(LoginFailure.at)).where(
        LoginFailure.username == username, LoginFailure.at > since
    )
    if client_address is not None:
        query = query.where(LoginFailure.client_address == client_address)
    row = session.exec(query).one()
    return int(row[0]), row[1], row[2]


def add_failure(session: Session, username: str, client_address: str, at: datetime) -> None:
    session.add(LoginFailure(username=username, client_address=client_address, at=at))


def clear_failures(session: Session, username: str, client_address: str) -> None:
    session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.username) == username,
            col(LoginFailure.client_address) == client_address,
        )
    )


def refresh_by_hash(
    session: Session, token_hash: str, *, for_update: bool = False
) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def revoke_family(session: Session, family_id: str, at: datetime) -> None:
    """Ends a login: its refresh tokens stop working and so do its access tokens."""
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=at)
    )
    _insert_unless_present(session, RevokedFamily, "family_id", family_id=family_id, revoked_at=at)


def instance_secret(session: Session, name: str) -> str | None:
    row = session.get(InstanceSecret, name)
    return row.value if row else None


def create_instance_secret(session: Session, name: str, value: str, at: datetime) -> None:
    """Inserts unless another process got there first (then theirs is the one)."""
    _insert_unless_present(session, InstanceSecret, "name", name=name, value=value, created_at=at)


def _insert_unless_present(session: Session, table: type, key: str, **values: object) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=[key]))


def mark_rotated(session: Session, token_id: int, at: datetime) -> bool:
    """Marks a token rotated only if nobody else did first; False means it was already used."""
    result = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == token_id, col(RefreshToken.rotated_at).is_(None))
        .values(rotated_at=at)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def phones_of(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = select(User.id, User.phone).where(
        col(User.id).in_(user_ids), col(User.phone).is_not(None), col(User.is_active).is_(True)
    )
    return {i: phone for i, phone in session.exec(query) if i is not None and phone}
