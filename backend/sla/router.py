"""Working-calendar administration: loading a year's official holidays."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from backend.auth.models import Role, User
from backend.deps import NowDep, SessionDep, SettingsDep, require_roles
from backend.sla import calendar_admin
from backend.sla.schemas import CalendarYearIn, CalendarYearOut

router = APIRouter(tags=["calendar"])

Admin = Annotated[User, Depends(require_roles(Role.admin))]
Year = Annotated[int, Path(ge=2000, le=2100)]


@router.put("/calendar/years/{year}", response_model=CalendarYearOut)
def load_year(
    year: Year,
    body: CalendarYearIn,
    _: Admin,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> CalendarYearOut:
    return calendar_admin.load_year(session, year, body, settings, now)


@router.get("/calendar/years/{year}", response_model=CalendarYearOut)
def get_year(year: Year, _: Admin, session: SessionDep) -> CalendarYearOut:
    return calendar_admin.get_year(session, year)
