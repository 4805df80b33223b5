"""Login, token rotation and user administration."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.auth import repository as repo
from backend.auth import throttle, tokens
from backend.auth.models import RefreshToken, Role, User
from backend.config import Settings
from backend.db import begin_write
from backend.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


def _issue(
    session: Session, user: User, settings: Settings, secret: str, now: datetime, family: str
) -> TokenPair:
    if user.id is None:
        raise NotAuthenticated("账号不可用", code="account_disabled")
    refresh, refresh_hash = tokens.new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family,
            token_hash=refresh_hash,
            issued_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    access = tokens.create_access_token(
        user_id=user.id,
        role=user.role,
        family_id=family,
        secret=secret,
        now=now,
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    return TokenPair(access_token=access, refresh_token=refresh)


def _usable(user: User | None, settings: Settings) -> bool:
    return user is not None and user.is_active and (settings.dev_mode or not user.is_demo)


def _locked(retry_after: float) -> TooManyRequests:
    seconds = max(1, math.ceil(retry_after))
    wait = f"{math.ceil(seconds / 60)} 分钟" if seconds >= 60 else f"{seconds} 秒"
    return TooManyRequests(
        f"密码错误次数过多，请 {wait}后再试",
        code="login_locked",
        headers={"Retry-After": str(seconds)},
    )


def _check_throttle(
    session: Session, username: str, address: str, settings: Settings, now: datetime
) -> None:
    """Growing delays per (username, address); a looser limit per account from anywhere."""
    window = timedelta(minutes=settings.login_failure_window_minutes)
    count, _, last = repo.failures_since(session, username, now - window, address)
    if last is not None:
        wait = throttle.wait_after_failures(
            count,
            free=settings.login_max_failures,
            base=timedelta(seconds=settings.login_backoff_seconds),
            cap=window,
        )
        if now < last + wait:
            raise _locked((last + wait - now).total_seconds())
    total, first, _ = repo.failures_since(session, username, now - window)
    if total >= settings.login_account_max_failures and first is not None:
        raise _locked((first + window - now).total_seconds())


def login(
    session: Session,
    username: str,
    password: str,
    settings: Settings,
    now: datetime,
    *,
    client_address: str,
    secret: str,
) -> TokenPair:
    _check_throttle(session, username, client_address, settings, now)
    user = repo.user_by_username(session, username)
    ok = tokens.verify_password(user.password_hash if user else None, password)
    begin_write(session)  # the checks above read; from here the login writes
    if not ok or user is None or not _usable(user, settings):
        repo.add_failure(session, username, client_address, now)
        # The failure must be counted even though the request fails.
        raise NotAuthenticated("用户名或密码错误", code="invalid_credentials", keep_changes=True)
    repo.clear_failures(session, username, client_address)
    return _issue(session, user, settings, secret, now, family=str(uuid.uuid4()))


def refresh(
    session: Session, refresh_token: str, settings: Settings, now: datetime, *, secret: str
) -> TokenPair:
    begin_write(session)
    stored = repo.refresh_by_hash(
        session, tokens.hash_refresh_token(refresh_token), for_update=True
    )
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise NotAuthenticated("登录已失效，请重新登录", code="invalid_refresh_token")
    if (
        stored.id is None
        or stored.rotated_at is not None
        or not repo.mark_rotated(session, stored.id, now)
    ):
        # A rotated token came back: someone holds a copy. End the whole login, access
        # tokens included.
        repo.revoke_family(session, stored.family_id, now)
        raise NotAuthenticated(
            "登录凭证已被重复使用，已强制下线，请重新登录",
            code="refresh_token_reused",
            keep_changes=True,
        )
    user = repo.user_by_id(session, stored.user_id)
    if user is None or not _usable(user, settings):
        raise NotAuthenticated("账号已停用", code="account_disabled")
    return _issue(session, user, settings, secret, now, family=stored.family_id)


def logout(session: Session, refresh_token: str, now: datetime) -> None:
    begin_write(session)
    stored = repo.refresh_by_hash(session, tokens.hash_refresh_token(refresh_token))
    if stored is not None:
        repo.revoke_family(session, stored.family_id, now)


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None,
    now: datetime,
    password_hash: str | None = None,
    department_id: int | None = None,
    phone: str | None = None,
    is_demo: bool = False,
) -> User:
    if not password and not password_hash:
        raise InvalidInput("请设置密码", code="password_required", field="password")
    if role is Role.handler and department_id is None:
        raise InvalidInput(
            "承办人必须属于一个处置部门", code="department_required", field="department_id"
        )
    begin_write(session)
    user = User(
        username=username,
        display_name=display_name,
        role=role.value,
        department_id=department_id,
        phone=phone,
        password_hash=password_hash or tokens.hash_password(password or ""),
        is_demo=is_demo,
        created_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("用户名已存在", code="username_taken", field="username") from exc
    return user
