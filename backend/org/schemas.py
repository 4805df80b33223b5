"""Response bodies for departments and grids."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backend.auth.schemas import DepartmentRef


class DepartmentOut(DepartmentRef):
    phone: str | None = None


class GridOut(BaseModel):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    area_team: DepartmentRef | None = None
    # GeoJSON geometry in WGS-84 ([lng, lat] order, as GeoJSON requires).
    geometry: dict[str, Any] | None = None
    member_ids: list[int] = []
