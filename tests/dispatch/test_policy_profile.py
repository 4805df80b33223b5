"""GET /policy/profile: the profile in force and what its seed does not give."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import Settings

RESOLVE = "sources.hotline.levels.general.clocks.resolve"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # The street confirms one guess of zhenru (the redispatch count) with a value of its own.
    return Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        dev_mode=True,
        inprocess_worker=False,
        policy_profile="zhenru",
        policy_overrides={"rules": {"return_window": {"max_redispatch": 2}}},
    )


def test_admin_sees_the_assumptions_and_which_the_street_overrode(client, as_user) -> None:
    response = client.get("/api/v1/policy/profile", headers=as_user("demo-admin"))
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["seed"]) == ("zhenru", "003_9da9e4f381ee05eb.txt")
    by_path = {a["path"]: a for a in body["assumptions"]}
    redispatch = by_path["rules.return_window.max_redispatch"]
    assert redispatch["overridden"] is True
    assert (redispatch["value"], redispatch["assumed"]) == (2, 1)
    assert "seed 002" in redispatch["reason"]
    difficult = by_path["sources.hotline.levels.difficult.clocks.resolve"]
    assert difficult["overridden"] is False
    assert difficult["value"] == difficult["assumed"] == {"amount": 12, "unit": "working_days"}
    assert RESOLVE not in by_path  # 5 working days is the seed's own "1515"
    assert body["overrides"] == {"rules": {"return_window": {"max_redispatch": 2}}}


@pytest.mark.parametrize("role", ["member", "inspector", "handler", "dispatcher", "leader"])
def test_only_an_admin_may_read_it(client, as_user, role: str) -> None:
    response = client.get("/api/v1/policy/profile", headers=as_user(f"demo-{role}"))
    assert response.status_code == 403
