"""Queries for departments, grids and grid membership."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.org.models import Department, Grid, GridDuty, GridMember


def department_by_id(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def department_by_name(session: Session, name: str) -> Department | None:
    return session.exec(select(Department).where(Department.name == name)).first()


def departments_by_ids(session: Session, ids: set[int]) -> dict[int, Department]:
    if not ids:
        return {}
    rows = session.exec(select(Department).where(col(Department.id).in_(ids)))
    return {d.id: d for d in rows if d.id is not None}


def list_departments(session: Session, kind: str | None = None) -> list[Department]:
    query = select(Department).order_by(col(Department.id))
    if kind:
        query = query.where(Department.kind == kind)
    return list(session.exec(query))


def grid_by_code(session: Session, code: str) -> Grid | None:
    return session.exec(select(Grid).where(Grid.code == code)).first()


def grid_by_id(session: Session, grid_id: int) -> Grid | None:
    return session.get(Grid, grid_id)


def list_grids(session: Session, level: int | None = None) -> list[Grid]:
    query = select(Grid).order_by(col(Grid.id))
    if level is not None:
        query = query.where(Grid.level == level)
    return list(session.exec(query))


def grid_duties_of_user(session: Session, user_id: int) -> list[tuple[int, str]]:
    """(grid id, duty) of every grid the user is in."""
    query = select(GridMember.grid_id, GridMember.duty).where(GridMember.user_id == user_id)
    return [(int(grid), duty) for grid, duty in session.exec(query)]


def member_ids_of_grid(session: Session, grid_id: int) -> list[int]:
    query = select(GridMember.user_id).where(GridMember.grid_id == grid_id)
    return sorted(session.exec(query))


def add_member(
    session: Session, grid_id: int, user_id: int, duty: GridDuty = GridDuty.member
) -> None:
    if session.get(GridMember, (grid_id, user_id)) is None:
        session.add(GridMember(grid_id=grid_id, user_id=user_id, duty=duty.value))
