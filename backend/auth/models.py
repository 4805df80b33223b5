"""Users, refresh tokens and failed login attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime


class Role(StrEnum):
    member = "member"  # 网格员
    inspector = "inspector"  # 专职巡查员
    handler = "handler"  # 承办人
    dispatcher = "dispatcher"  # 指挥中心
    leader = "leader"  # 分管领导
    admin = "admin"


class User(SQLModel, table=True):
    # "user" is reserved on PostgreSQL.
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(repr(r.value) for r in Role) + ")", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=20)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    phone: str | None = Field(default=None, max_length=40)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Demo accounts work only in dev mode.
    is_demo: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # All tokens rotated from one login share a family; reuse of a rotated one revokes it.
    family_id: str = Field(max_length=36, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
