"""The list envelope every list endpoint answers: {"items": [...], "next_cursor": ...}."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    # Reference lists (catalog, grids, departments) are small and answered whole: null.
    next_cursor: str | None = None
