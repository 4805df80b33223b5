"""Department and grid routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import CurrentUser, SessionDep
from backend.fields import IdPath
from backend.org import service
from backend.org.models import DepartmentKind
from backend.org.schemas import DepartmentOut, GridOut
from backend.pagination import Page

router = APIRouter(tags=["org"])


@router.get("/departments", response_model=Page[DepartmentOut])
def departments(
    _: CurrentUser, session: SessionDep, kind: DepartmentKind | None = None
) -> Page[DepartmentOut]:
    return Page(items=service.list_departments(session, kind.value if kind else None))


@router.get("/grids", response_model=Page[GridOut])
def grids(
    user: CurrentUser,
    session: SessionDep,
    level: Annotated[int | None, Query(ge=1, le=3, description="1 街道, 2 社区, 3 网格")] = None,
) -> Page[GridOut]:
    return Page(items=service.list_grids(session, user, level))


@router.get("/grids/{grid_id}", response_model=GridOut)
def grid(grid_id: IdPath, user: CurrentUser, session: SessionDep) -> GridOut:
    return service.get_grid(session, user, grid_id)
