"""Platform orders (12345, 随申拍, …) sent over HTTP as the district platform would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.hotline.rows import platform_row  # noqa: F401  (re-exported for tests)
from tests.reports.conftest import submit  # noqa: F401  (shared)
from tests.workorders.conftest import (  # noqa: F401  (shared)
    hotline_walker,
    probe_hidden_steps,
    walker,
)


@pytest.fixture
def send(client, as_user) -> Callable[..., Any]:
    def _send(body: Any, user: str = "demo-dispatcher") -> Any:
        return client.post("/api/v1/hotline/orders", json=body, headers=as_user(user))

    return _send
