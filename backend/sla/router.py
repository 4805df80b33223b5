"""Working-calendar administration (loading a year's official holidays) and the policy profile
in force, with the values its seed does not give."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from backend.auth.models import Role, User
from backend.deps import NowDep, SessionDep, SettingsDep, require_roles
from backend.sla import calendar_admin
from backend.sla.schemas import AssumptionOut, CalendarYearIn, CalendarYearOut, PolicyProfileOut
from backend.sla.service import profile_for

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


@router.get("/policy/profile", response_model=PolicyProfileOut, tags=["policy"])
def get_policy_profile(_: Admin, settings: SettingsDep) -> PolicyProfileOut:
    """The profile in force and each value its seed does not give, so a street can confirm or
    change a guess with ``policy_overrides`` (a value set there is shown as overridden)."""
    profile = profile_for(settings)
    return PolicyProfileOut(
        name=profile.name,
        label=profile.label,
        seed=profile.seed,
        overrides=settings.policy_overrides,
        assumptions=[
            AssumptionOut(
                path=a.path,
                value=a.value,
                reason=a.reason,
                overridden=a.overridden,
                assumed=a.assumed,
            )
            for a in profile.assumptions
        ],
    )
