"""The responsibility list (事项办理责任清单) as loaded into the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Category(SQLModel, table=True):
    __tablename__ = "category"

    # The 序号 of the list; stable across loads, so it is the key.
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)
    scope: str = Field(default="")
    # {"text": verbatim 主办 cell, "kind": area_team|department|repeat|time_of_day|by_aspect|
    #  unassigned, ...}; see backend/catalog/data/responsibility_list.yaml
    lead: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # [{"role": assist|guide|enforce, "department": name, "qualifier": str|None}, ...]
    assists: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    must_solve: str | None = Field(default=None, max_length=20)
