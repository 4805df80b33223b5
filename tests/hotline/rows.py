"""A platform order's row as the district platform sends it."""

from __future__ import annotations

import itertools
from typing import Any

from tests.reports.conftest import STREET_LAT, STREET_LNG

_numbers = itertools.count(1)


def platform_row(**fields: Any) -> dict[str, Any]:
    row = {
        "external_no": f"SH12345-20261123-{next(_numbers):05d}",
        "channel": "hotline",
        "received_at": "2026-11-23T08:30:00+08:00",
        "caller_name": "陈先生",
        "caller_phone": "13812345678",
        "address": "铜川路1号楼道",
        "lat": STREET_LAT,
        "lng": STREET_LNG,
        "content": "楼道里堆满了纸箱和旧家具，消防通道被堵，希望尽快清理",
        "appeal_type": "complain",
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}
