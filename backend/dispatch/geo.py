"""Which level-3 grid contains a point. Pure: grids come in as (id, GeoJSON) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


class GridIndex:
    """A spatial index over grid polygons (GeoJSON, [lng, lat] in WGS-84)."""

    def __init__(self, grids: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        pairs = [(grid_id, shape(geometry)) for grid_id, geometry in grids]
        # Lowest id first, so a point on a shared border always lands in the same grid.
        pairs.sort(key=lambda pair: pair[0])
        self._ids = [grid_id for grid_id, _ in pairs]
        self._shapes: list[BaseGeometry] = [geometry for _, geometry in pairs]
        self._tree = STRtree(self._shapes) if self._shapes else None

    def __len__(self) -> int:
        return len(self._ids)

    def locate(self, lat: float, lng: float) -> int | None:
        """The grid containing the point (border included), or None: out of jurisdiction."""
        if self._tree is None:
            return None
        point = Point(lng, lat)
        hits = sorted(int(i) for i in self._tree.query(point, predicate="intersects"))
        return self._ids[hits[0]] if hits else None
