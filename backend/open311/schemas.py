"""The admin API's shapes for Open311 keys."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.timefmt import ApiDateTime


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="使用方，例如 区平台")


class KeyOut(BaseModel):
    id: int
    name: str
    prefix: str  # the key's first characters, to tell keys apart
    created_at: ApiDateTime
    revoked_at: ApiDateTime | None


class NewKeyOut(KeyOut):
    key: str = Field(description="只显示这一次：请立即交给使用方保存")


class KeyList(BaseModel):
    items: list[KeyOut]
