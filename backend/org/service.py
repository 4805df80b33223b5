"""Org use cases: users as seen by clients, departments, grids."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth import permissions
from backend.auth import repository as auth_repo
from backend.auth import service as auth_service
from backend.auth.models import Role, User
from backend.auth.schemas import DepartmentRef, UserCreate, UserOut
from backend.db import row_id
from backend.errors import InvalidInput, NotFound
from backend.org import repository as repo
from backend.org.models import Department, Grid, GridDuty
from backend.org.schemas import DepartmentOut, GridOut


def _ref(department: Department | None) -> DepartmentRef | None:
    if department is None or department.id is None:
        return None
    return DepartmentRef(id=department.id, name=department.name, kind=department.kind)


def _grid_ids(duties: list[tuple[int, str]]) -> dict[str, list[int]]:
    return {
        "grid_ids": sorted({grid for grid, _ in duties}),
        "chief_grid_ids": sorted({grid for grid, duty in duties if duty == GridDuty.chief}),
    }


def user_out(session: Session, user: User) -> UserOut:
    department = repo.department_by_id(session, user.department_id) if user.department_id else None
    return UserOut(
        id=row_id(user),
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        department=_ref(department),
        **_grid_ids(repo.grid_duties_of_user(session, row_id(user))),
        phone=user.phone,
    )


def create_user(session: Session, body: UserCreate, now: datetime) -> User:
    if (
        body.department_id is not None
        and repo.department_by_id(session, body.department_id) is None
    ):
        raise InvalidInput("部门不存在", code="unknown_department", field="department_id")
    return auth_service.create_user(
        session,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        department_id=body.department_id,
        phone=body.phone,
        now=now,
    )


def visible_user(session: Session, viewer: User, user_id: int) -> User:
    # Someone you may not see answers exactly like someone who does not exist.
    user = auth_repo.user_by_id(session, user_id)
    if user is None or not permissions.may_see_user(viewer, user_id):
        raise NotFound("找不到该用户", code="user_not_found")
    return user


def list_departments(session: Session, kind: str | None) -> list[DepartmentOut]:
    return [
        DepartmentOut(id=d.id, name=d.name, kind=d.kind, phone=d.phone)
        for d in repo.list_departments(session, kind)
        if d.id is not None
    ]


def _grid_out(grid: Grid, teams: dict[int, Department], members: list[int]) -> GridOut:
    return GridOut(
        id=row_id(grid),
        code=grid.code,
        name=grid.name,
        level=grid.level,
        parent_id=grid.parent_id,
        area_team=_ref(teams.get(grid.area_team_id)) if grid.area_team_id else None,
        geometry=grid.geometry,
        member_ids=members,
    )


def list_grids(session: Session, viewer: User, level: int | None) -> list[GridOut]:
    check_level(level)
    grids = repo.list_grids(session, level)
    teams = repo.departments_by_ids(session, {g.area_team_id for g in grids if g.area_team_id})
    street = permissions.sees_street(viewer)
    return [
        _grid_out(g, teams, repo.member_ids_of_grid(session, g.id) if street and g.id else [])
        for g in grids
    ]


def get_grid(session: Session, viewer: User, grid_id: int) -> GridOut:
    grid = repo.grid_by_id(session, grid_id)
    if grid is None:
        raise NotFound("找不到该网格", code="grid_not_found")
    teams = repo.departments_by_ids(session, {grid.area_team_id} if grid.area_team_id else set())
    members = repo.member_ids_of_grid(session, grid_id) if permissions.sees_street(viewer) else []
    return _grid_out(grid, teams, members)


def check_level(level: int | None) -> None:
    if level is not None and level not in (1, 2, 3):
        raise InvalidInput("网格层级只能是 1、2 或 3", code="invalid_level", field="level")
