"""Report exports in and out (POST/GET /api/v1/exports)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from backend.exports.periods import Kind
from backend.fields import ApiModel, Day
from backend.timefmt import ApiDateTime


class ExportIn(ApiModel):
    kind: Kind
    from_: Day | None = Field(
        default=None,
        alias="from",
        description="报表期间内的任一天（默认：上一个已结束的期间）",
    )
    refresh: bool = Field(default=False, description="已有同期报表时重新生成")

    model_config = ConfigDict(populate_by_name=True, allow_inf_nan=False)


class ExportOut(BaseModel):
    id: int
    kind: Kind
    kind_label: str
    from_: date = Field(alias="from")
    to: date
    status: str = Field(description="pending | ready | failed")
    created_at: ApiDateTime
    generated_at: ApiDateTime | None
    requested_by: int | None = Field(description="null: made by the worker's schedule")
    size_bytes: int | None
    file_name: str
    download: str = Field(description="GET this to download the .xlsx")

    model_config = ConfigDict(populate_by_name=True)
