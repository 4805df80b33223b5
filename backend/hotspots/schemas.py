"""The hotspot map's answer (GET /api/v1/stats/hotspots)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class GridRefOut(BaseModel):
    id: int
    name: str


class ClusterOut(BaseModel):
    lat: float = Field(description="the cluster's orders' mean latitude, WGS-84")
    lng: float = Field(description="the cluster's orders' mean longitude, WGS-84")
    category_number: int | None
    category_name: str | None
    count: int = Field(description="orders of the period in the cell, of the category")
    open: int = Field(description="of which still open")
    grid: GridRefOut | None
    numbers: list[str] = Field(description="the newest order numbers, at most 5")
    link: str = Field(description="the work list of exactly these orders")


class GridHeatOut(BaseModel):
    id: int
    name: str
    geometry: dict[str, Any] | None = Field(description="GeoJSON, WGS-84")
    open: int
    total: int


class HotspotsOut(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    clusters: list[ClusterOut]
    grids: list[GridHeatOut]

    model_config = {"populate_by_name": True}
