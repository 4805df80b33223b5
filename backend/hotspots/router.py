"""GET /api/v1/stats/hotspots: the command center's hotspot map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.auth.models import User
from backend.auth.roles import STREET_WIDE
from backend.deps import NowDep, SessionDep, SettingsDep, require_roles
from backend.fields import CategoryNumber, Day
from backend.hotspots import service
from backend.hotspots.schemas import HotspotsOut

router = APIRouter(tags=["statistics"])
StreetWide = Annotated[User, Depends(require_roles(*STREET_WIDE))]


@router.get("/stats/hotspots", response_model=HotspotsOut, response_model_by_alias=True)
def hotspots(
    _: StreetWide,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    first: Annotated[Day | None, Query(alias="from", description="默认：30 天")] = None,
    last: Annotated[Day | None, Query(alias="to", description="含当日；默认今天")] = None,
    category_number: Annotated[CategoryNumber | None, Query()] = None,
    open_only: Annotated[bool, Query(description="只看未办结的工单")] = False,
) -> HotspotsOut:
    """The period's orders (created from ``from`` to ``to``, Asia/Shanghai days; merged and
    rejected ones left out) clustered by ~100 m cell, category and grid, the 200 largest
    first, each with its newest numbers and the work-list ``link`` of exactly its orders; and
    every grid cell with its GeoJSON outline and counts. Coordinates are WGS-84."""
    return service.hotspots(session, first, last, category_number, open_only, settings, now)
