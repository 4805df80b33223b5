"""Users, departments and grids."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from backend.auth.models import Role, User
from backend.auth.schemas import UserCreate, UserOut
from backend.deps import CurrentUser, NowDep, SessionDep, require_roles
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


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, session: SessionDep) -> UserOut:
    return service.user_out(session, user)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate,
    session: SessionDep,
    now: NowDep,
    _: Annotated[User, Depends(require_roles(Role.admin))],
) -> UserOut:
    user = service.create_user(session, body, now)
    return service.user_out(session, user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: IdPath, viewer: CurrentUser, session: SessionDep) -> UserOut:
    return service.user_out(session, service.visible_user(session, viewer, user_id))
