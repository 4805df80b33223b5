"""Request and response bodies for auth and users."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.auth.models import Role
from backend.fields import ApiModel, Id


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


class RefreshIn(ApiModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class DepartmentRef(BaseModel):
    id: int
    name: str
    kind: str


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    department: DepartmentRef | None = None
    grid_ids: list[int] = []
    # The grids the user leads as 网格长 (seed 001 三(一)); among grid_ids.
    chief_grid_ids: list[int] = []
    phone: str | None = None


class UserCreate(ApiModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=128)
    department_id: Id | None = None
    phone: str | None = Field(default=None, max_length=40)
