"""GET /api/v1/stats/…: department scores and statistics for the command center."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from backend.auth.models import User
from backend.auth.roles import STREET_WIDE
from backend.deps import NowDep, SessionDep, SettingsDep, require_roles
from backend.scoring import service
from backend.scoring.schemas import DepartmentStatsPage, GridStatsPage, SummaryOut

router = APIRouter(prefix="/stats", tags=["stats"])

StreetWide = Annotated[User, Depends(require_roles(*sorted(STREET_WIDE)))]
DateFrom = Annotated[
    str | None, Query(alias="from", max_length=40, description="开始日期（含），YYYY-MM-DD")
]
DateTo = Annotated[str | None, Query(alias="to", max_length=40, description="结束日期（含）")]


@router.get("/departments", response_model=DepartmentStatsPage, response_model_by_alias=True)
def departments(
    user: StreetWide,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    scheme: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    return service.departments_page(session, date_from, date_to, settings, scheme, now)


@router.get("/grids", response_model=GridStatsPage, response_model_by_alias=True)
def grids(
    user: StreetWide,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Any:
    return service.grids_page(session, date_from, date_to, settings, now)


@router.get("/summary", response_model=SummaryOut, response_model_by_alias=True)
def summary(
    user: StreetWide,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Any:
    return service.summary_page(session, date_from, date_to, settings, now)
