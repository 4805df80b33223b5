"""Member quotas over HTTP: the demo street, its members joining on a Monday of 2026-W41."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.seams.clock import FrozenClock
from tests.conftest import SHANGHAI
from tests.reports.conftest import submit  # noqa: F401  (shared fixture)
from tests.workorders.conftest import hotline_walker, probe_hidden_steps, walker  # noqa: F401


@pytest.fixture
def clock() -> FrozenClock:
    # Monday 2026-10-05, in the National Day holiday: 2026-W41 has three working days
    # (Thursday 8th, Friday 9th and the 调休 Saturday 10th); the demo users join now.
    return FrozenClock(datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI))


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def user_id(client: TestClient, as_user: Callable[..., dict[str, str]]) -> Callable[[str], int]:
    def _id(username: str) -> int:
        return client.get("/api/v1/me", headers=as_user(username)).json()["id"]

    return _id


@pytest.fixture
def quota(client: TestClient, as_user: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """GET a member's quota week as ``viewer``; the response (status checked by callers)."""

    def _quota(viewer: str, member_id: int, week: str | None = None) -> Any:
        params = {"week": week} if week else {}
        return client.get(
            f"/api/v1/members/{member_id}/quota", params=params, headers=as_user(viewer)
        )

    return _quota
