"""Orders that arrive from the district platform: 12345 hotline, 随申拍, 领导交办, 媒体曝光."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.fields import ApiModel, CategoryNumber, Instant, Text
from backend.workorders.codes import AppealType

Channel = Literal["hotline", "snapshot", "leader", "media"]
MAX_ROWS = 500


class PlatformOrderIn(ApiModel):
    # A misspelt column of an exported sheet is refused, not silently dropped.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    external_no: Text = Field(min_length=1, max_length=40, description="the platform's number")
    channel: Channel = Field(
        description="hotline 12345 · snapshot 随申拍/随手拍 · leader 领导交办 · media 媒体曝光"
    )
    received_at: Instant = Field(description="when the order reached the street")
    content: Text = Field(min_length=1, max_length=2000)
    address: Text | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    caller_name: Text | None = Field(default=None, max_length=50)
    caller_phone: Text | None = Field(
        default=None, max_length=30, pattern=r"^\+?[0-9][0-9 \-]{2,28}$"
    )
    anonymous: bool = False
    confidential: bool = Field(default=False, description="信息保密")
    appeal_type: AppealType | None = None
    level: Text | None = Field(default=None, max_length=30)
    repeat_flag: bool = Field(default=False, description="复/重: a repeat complaint")
    category_number: CategoryNumber | None = None
    platform_due_at: Instant | None = Field(default=None, description="the platform's due time")


class RowError(BaseModel):
    code: str
    message: str
    field: str | None = None
    status: int = Field(default=422, description="the HTTP status this row alone would get")


class PlatformOrderResult(BaseModel):
    row: int = Field(description="position in the request, from 0")
    external_no: str | None
    outcome: Literal["created", "updated", "unchanged", "refused"]
    work_order_id: int | None = None
    number: str | None = None
    error: RowError | None = None


class PlatformImportOut(BaseModel):
    results: list[PlatformOrderResult]
    created: int
    updated: int
    refused: int
