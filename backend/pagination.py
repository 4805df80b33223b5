"""The list envelope every list endpoint answers, and the one codec for its cursors.

A cursor is opaque to clients: the keyset position (e.g. the last id, or a due time and an id)
as compact JSON in URL-safe base64. Whatever a client sends back is checked here — length,
encoding, shape, bounds — so a bad cursor is a 422 naming `cursor`, never a failing query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from backend.errors import InvalidInput
from backend.fields import MAX_ID

T = TypeVar("T")
MAX_CURSOR_CHARS = 200
CursorValue = int | str | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    # Reference lists (catalog, grids, departments) are small and answered whole: null.
    next_cursor: str | None = None


def encode_cursor(*values: CursorValue | datetime) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def invalid_cursor() -> InvalidInput:
    return InvalidInput("分页游标无效，请从第一页重新加载", code="invalid_cursor", field="cursor")


def _checked(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
            raise invalid_cursor()
        return value
    if kind is datetime:
        if not isinstance(value, str):
            raise invalid_cursor()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise invalid_cursor() from None
        if moment.tzinfo is None:
            raise invalid_cursor()
        return moment
    if not isinstance(value, str) or len(value) > MAX_CURSOR_CHARS:
        raise invalid_cursor()
    return value


def decode_cursor(cursor: str | None, kinds: Sequence[type]) -> tuple[Any, ...] | None:
    """The keyset values in ``cursor`` (None for the first page), typed as ``kinds``."""
    if cursor is None or cursor == "":
        return None
    if len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid_cursor() from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise invalid_cursor()
    return tuple(_checked(v, k) for v, k in zip(values, kinds, strict=True))


def last_id(cursor: str | None) -> int | None:
    """For lists paged by id alone (newest first): the id to continue below."""
    values = decode_cursor(cursor, (int,))
    return None if values is None else values[0]


def page_by_id(rows: Sequence[Any], limit: int, items: list[T]) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``; ``items`` are the first ``limit`` as output."""
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(rows[limit - 1].id) if more else None)
