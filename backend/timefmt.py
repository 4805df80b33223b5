"""How instants look in JSON: ISO 8601 with the Shanghai offset (+08:00)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import PlainSerializer

API_ZONE = ZoneInfo("Asia/Shanghai")


def to_api(moment: datetime) -> str:
    return moment.astimezone(API_ZONE).isoformat()


def parse_client_time(moment: datetime) -> datetime:
    """Client clocks send local time, sometimes without an offset: read it as Shanghai."""
    return moment.replace(tzinfo=API_ZONE) if moment.tzinfo is None else moment


ApiDateTime = Annotated[datetime, PlainSerializer(to_api, return_type=str)]
