"""The statistics answers (GET /api/v1/stats/…)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class NamedRef(BaseModel):
    id: int
    name: str


class ClocksOut(BaseModel):
    met: int = Field(description="按时完成的时限个数")
    missed: int = Field(description="超时的时限个数（含超时后才完成、超时仍在计时的）")
    running: int = Field(description="未到期、仍在计时的时限个数")


class DispatchTimeOut(BaseModel):
    p50: int | None = Field(description="到达至派单的秒数中位数（无派单：null）")
    p95: int | None


class SatisfactionOut(BaseModel):
    satisfied: int
    basic_satisfied: int
    neutral: int
    unsatisfied: int


class FiguresOut(BaseModel):
    orders: int = Field(description="统计周期内到达街道的工单数（部门：主办）")
    by_status: dict[str, int]
    clocks: ClocksOut
    dispatch_time_s: DispatchTimeOut
    satisfaction: SatisfactionOut
    returns: int
    extensions: int
    supervisions: int


class DepartmentStatsOut(FiguresOut):
    department: NamedRef
    score: dict[str, Any] = Field(
        description="评分方案的 Score.as_dict()（与 gridline score 相同）"
    )
    links: dict[str, str] = Field(description="每个计数对应的工单列表链接")


class DepartmentStatsPage(BaseModel):
    from_: str = Field(alias="from")
    to: str
    scheme: str
    scheme_label: str
    definitions: dict[str, str] = Field(description="每个计数的口径")
    items: list[DepartmentStatsOut]


class GridRatesOut(BaseModel):
    timely_rate: float | None
    on_time_rate: float | None
    first_pass_rate: float | None
    overdue_rate: float | None


class GridStatsOut(BaseModel):
    grid: NamedRef
    orders: int
    by_status: dict[str, int]
    clocks: ClocksOut
    dispatch_time_s: DispatchTimeOut
    rates: GridRatesOut
    rates_no_data: dict[str, str] = Field(description="无数据的比率及原因")
    counts: dict[str, int]
    links: dict[str, str]


class GridStatsPage(BaseModel):
    from_: str = Field(alias="from")
    to: str
    definitions: dict[str, str]
    items: list[GridStatsOut]


class SummaryOut(FiguresOut):
    from_: str = Field(alias="from")
    to: str
    links: dict[str, str]
