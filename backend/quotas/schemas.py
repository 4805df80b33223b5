"""Response bodies of a member's week and of the leaderboards (the PWA's 我的 and 排行)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.timefmt import ApiDateTime

Scope = Literal["grid", "community"]


class GridRef(BaseModel):
    id: int
    name: str


class MemberRef(BaseModel):
    id: int
    display_name: str


class MemberWithGrids(MemberRef):
    grids: list[GridRef]


class FindOut(BaseModel):
    report_id: int
    work_order_id: int
    number: str
    at: ApiDateTime  # the report's received time
    day_off: bool  # a weekend or holiday by the working calendar (调休 Saturdays are not)


class LedgerLineOut(BaseModel):
    id: int
    at: ApiDateTime
    reason: str
    reason_label: str
    points: int
    work_order_id: int | None
    number: str | None
    note: str


class PendingLineOut(BaseModel):
    """A line the weekly close will write, from the week so far."""

    reason: str
    reason_label: str
    points: int
    work_order_id: int | None
    number: str | None
    note: str


class MemberQuotaOut(BaseModel):
    """A member's week: live (so far) until the week is closed, then as it was closed."""

    model_config = ConfigDict(populate_by_name=True)

    member: MemberWithGrids
    profile: str | None = Field(description="the quota rules in force; null: none")
    note: str | None
    week: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    working_days: int
    finds: int
    quota: int | None
    target: int | None
    missing: int | None
    bonus: int
    penalty: int  # positive: missing finds and the timeline penalties
    points: int  # bonus − penalty
    warning: bool
    exempt: bool
    provisional: bool
    closed: bool
    closed_at: ApiDateTime | None
    empty_weeks_in_a_row: int
    recommend_replacement: bool
    find_list: list[FindOut]
    ledger: list[LedgerLineOut]
    so_far: list[PendingLineOut] = Field(
        description="an open week: the lines its close would write now (empty once closed)"
    )
    year_points: int


class LeaderboardItem(BaseModel):
    rank: int
    member: MemberRef
    grid: GridRef
    finds: int
    points: int


class LeaderboardOut(BaseModel):
    week: str
    scope: Scope  # with grid null: the whole street (street-wide roles)
    grid: GridRef | None
    items: list[LeaderboardItem]
