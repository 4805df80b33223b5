"""The inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import CurrentUser, NowDep, SessionDep
from backend.fields import IdPath
from backend.notify import service
from backend.notify.service import NotificationOut, UnreadCount
from backend.pagination import Page

router = APIRouter(tags=["inbox"])


@router.get("/inbox", response_model=Page[NotificationOut])
def inbox(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    unread: Annotated[bool, Query(description="只看未读（未读且未处理）")] = False,
    actionable: Annotated[bool, Query(description="只看待办（需要我处理且尚未处理）")] = False,
) -> Page[NotificationOut]:
    return service.inbox(
        session,
        user,
        cursor=cursor,
        limit=limit,
        unread_only=unread,
        actionable_only=actionable,
    )


# The tab bar's badge, polled: one indexed COUNT.
@router.get("/inbox/unread-count", response_model=UnreadCount)
def unread_count(user: CurrentUser, session: SessionDep) -> UnreadCount:
    return service.unread_count(session, user)


@router.post("/inbox/{notification_id}/read", response_model=NotificationOut)
def mark_read(
    notification_id: IdPath, user: CurrentUser, session: SessionDep, now: NowDep
) -> NotificationOut:
    return service.mark_read(session, user, notification_id, now)
