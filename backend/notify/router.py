"""The inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import CurrentUser, NowDep, SessionDep
from backend.fields import IdPath
from backend.notify import service
from backend.notify.service import NotificationOut
from backend.pagination import Page

router = APIRouter(tags=["inbox"])


@router.get("/inbox", response_model=Page[NotificationOut])
def inbox(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    unread: bool = False,
) -> Page[NotificationOut]:
    return service.inbox(session, user, cursor=cursor, limit=limit, unread_only=unread)


@router.post("/inbox/{notification_id}/read", response_model=NotificationOut)
def mark_read(
    notification_id: IdPath, user: CurrentUser, session: SessionDep, now: NowDep
) -> NotificationOut:
    return service.mark_read(session, user, notification_id, now)
