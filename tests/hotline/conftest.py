"""Platform orders (12345, 随申拍, …) sent over HTTP as the district platform would."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from tests.reports.conftest import STREET_LAT, STREET_LNG, submit  # noqa: F401  (shared)

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


@pytest.fixture
def send(client, as_user) -> Callable[..., Any]:
    def _send(body: Any, user: str = "demo-dispatcher") -> Any:
        return client.post("/api/v1/hotline/orders", json=body, headers=as_user(user))

    return _send
