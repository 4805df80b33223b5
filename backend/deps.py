"""FastAPI dependencies: settings, clock, the per-request session, the current user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.auth import repository as auth_repo
from backend.auth.models import Role, User
from backend.auth.throttle import client_address
from backend.auth.tokens import InvalidToken, decode_access_token
from backend.config import Settings
from backend.errors import DomainError, Forbidden, NotAuthenticated
from backend.seams.clock import Clock
from backend.seams.storage import Storage

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_storage(request: Request) -> Storage:
    return request.app.state.storage


def get_now(clock: Annotated[Clock, Depends(get_clock)]) -> datetime:
    return clock.now()


def get_signing_key(request: Request, now: Annotated[datetime, Depends(get_now)]) -> str:
    return request.app.state.signing_key.get(now)


def get_client_address(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
StorageDep = Annotated[Storage, Depends(get_storage)]
# scope="function": the commit runs before the response goes out, so a 200 means committed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


SigningKeyDep = Annotated[str, Depends(get_signing_key)]
ClientAddressDep = Annotated[str, Depends(get_client_address)]


def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    secret: SigningKeyDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    if not token:
        raise NotAuthenticated(headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = decode_access_token(token, secret=secret, now=now)
    except InvalidToken as exc:
        message = "登录已过期，请重新登录" if exc.reason == "expired" else "登录凭证无效"
        raise NotAuthenticated(
            message, code=f"token_{exc.reason}", headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    user, revoked = auth_repo.user_of_token(session, claims.user_id, claims.family_id)
    if revoked:
        raise NotAuthenticated(
            "已退出登录，请重新登录", code="token_revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    if user is None or not user.is_active or (user.is_demo and not settings.dev_mode):
        raise NotAuthenticated("账号不可用", code="account_disabled")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    allowed = frozenset(roles)

    def _check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(code="role_forbidden")
        return user

    return _check
