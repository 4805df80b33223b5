"""Users, refresh tokens and failed login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from backend.auth.roles import Role
from backend.db import BigId, UTCDateTime

__all__ = ["Role", "User"]


class User(SQLModel, table=True):
    # "user" is reserved on PostgreSQL.
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(repr(r.value) for r in Role) + ")", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=20)
    department_id: int | None = Field(
        default=None, foreign_key="department.id", index=True, sa_type=BigId
    )
    phone: str | None = Field(default=None, max_length=40)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Demo accounts work only in dev mode.
    is_demo: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    user_id: int = Field(foreign_key="app_user.id", index=True, sa_type=BigId)
    # All tokens rotated from one login share a family; reuse of a rotated one revokes it.
    family_id: str = Field(max_length=36, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RevokedFamily(SQLModel, table=True):
    """A login (token family) ended by logout or by refresh-token reuse: its access tokens are
    refused from then on, found by one primary-key lookup per request."""

    __tablename__ = "revoked_family"

    family_id: str = Field(max_length=36, primary_key=True)
    revoked_at: datetime = Field(sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username_address_at", "username", "client_address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    username: str = Field(max_length=64, index=True)
    # Where the attempt came from (the connection, or a trusted proxy's X-Forwarded-For).
    client_address: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    at: datetime = Field(sa_type=UTCDateTime, index=True)


class InstanceSecret(SQLModel, table=True):
    """Secrets generated for this instance on first run (the JWT signing key when
    GRID_SECRET_KEY is unset), shared by every API and worker process through the database."""

    __tablename__ = "instance_secret"

    name: str = Field(max_length=40, primary_key=True)
    value: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
