"""Departments, the three-level grid tree and grid membership."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from backend.db import BigId, UTCDateTime


class DepartmentKind(StrEnum):
    functional_office = "functional_office"  # 职能部门
    area_team = "area_team"  # 片区
    neighbourhood_committee = "neighbourhood_committee"  # 居委
    property_company = "property_company"  # 物业
    enforcement_team = "enforcement_team"  # 执法队
    command_center = "command_center"  # 指挥中心 / 城运中心


class GridLevel:
    street = 1  # 街道 / 镇
    community = 2  # 社区 / 村
    grid = 3  # 网格


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Department(SQLModel, table=True):
    __tablename__ = "department"
    __table_args__ = (CheckConstraint(_in("kind", [k.value for k in DepartmentKind]), name="kind"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Grid(SQLModel, table=True):
    __tablename__ = "grid"
    __table_args__ = (CheckConstraint("level IN (1, 2, 3)", name="level"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    level: int
    parent_id: int | None = Field(default=None, foreign_key="grid.id", index=True, sa_type=BigId)
    # Level-3 grids only: who handles "片区"-led items here, and the cell's outline.
    area_team_id: int | None = Field(default=None, foreign_key="department.id", sa_type=BigId)
    geometry: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_type=UTCDateTime)


class GridDuty(StrEnum):
    """What a person does in a grid: patrols it (网格员, also 专职巡查员), or leads it
    (网格长, seed 001 三(一): manages and replaces the grid's members; not judged by the quota)."""

    member = "member"
    chief = "grid_chief"


class GridMember(SQLModel, table=True):
    __tablename__ = "grid_member"
    __table_args__ = (CheckConstraint(_in("duty", [d.value for d in GridDuty]), name="duty"),)

    grid_id: int = Field(foreign_key="grid.id", primary_key=True, sa_type=BigId)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True, sa_type=BigId)
    # server_default: the rows that existed before grid chiefs are patrol members.
    duty: str = Field(
        default=GridDuty.member.value,
        max_length=20,
        sa_column_kwargs={"server_default": GridDuty.member.value},
    )
