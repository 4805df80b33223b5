"""Auth and user routes: HTTP only, one service call each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, status

from backend.auth import service
from backend.auth.schemas import RefreshIn, TokenOut
from backend.deps import (
    ClientAddressDep,
    NowDep,
    SessionDep,
    SettingsDep,
    SigningKeyDep,
)
from backend.fields import Text

router = APIRouter(tags=["auth"])


class LoginForm:
    """The OAuth2 password form, with bounds (a username longer than any account is refused
    before it reaches the database)."""

    def __init__(
        self,
        username: Annotated[Text, Form(min_length=1, max_length=64)],
        password: Annotated[Text, Form(min_length=1, max_length=128)],
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    ) -> None:
        self.username, self.password, self.grant_type = username, password, grant_type


@router.post("/auth/login", response_model=TokenOut)
def login(
    form: Annotated[LoginForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    secret: SigningKeyDep,
    address: ClientAddressDep,
) -> TokenOut:
    pair = service.login(
        session,
        form.username,
        form.password,
        settings,
        now,
        client_address=address,
        secret=secret,
    )
    return TokenOut(access_token=pair.access_token, refresh_token=pair.refresh_token)


@router.post("/auth/refresh", response_model=TokenOut)
def refresh(
    body: RefreshIn, session: SessionDep, settings: SettingsDep, now: NowDep, secret: SigningKeyDep
) -> TokenOut:
    pair = service.refresh(session, body.refresh_token, settings, now, secret=secret)
    return TokenOut(access_token=pair.access_token, refresh_token=pair.refresh_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: RefreshIn, session: SessionDep, now: NowDep) -> None:
    service.logout(session, body.refresh_token, now)
