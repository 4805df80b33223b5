"""A member's weekly quota and points, and the members' leaderboards (seed 001 五)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import CurrentUser, NowDep, SessionDep, SettingsDep
from backend.fields import Id, IdPath
from backend.quotas import service
from backend.quotas.schemas import LeaderboardOut, MemberQuotaOut, Scope

router = APIRouter(tags=["quotas"])

WeekQuery = Annotated[
    str | None,
    Query(max_length=16, description="ISO 周，例如 2026-W47；不填为上海时间的本周"),
]


@router.get("/members/{member_id}/quota", response_model=MemberQuotaOut)
def member_quota(
    member_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    week: WeekQuery = None,
) -> MemberQuotaOut:
    return service.member_quota(session, user, member_id, week, settings, now)


@router.get("/leaderboards/members", response_model=LeaderboardOut)
def member_leaderboard(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    week: WeekQuery = None,
    scope: Annotated[Scope, Query(description="grid 本网格 | community 本社区")] = "grid",
    grid_id: Annotated[
        Id | None, Query(description="不填为本人所在网格；街道角色不填为全街道")
    ] = None,
) -> LeaderboardOut:
    return service.leaderboard(session, user, week, scope, grid_id, settings, now)
