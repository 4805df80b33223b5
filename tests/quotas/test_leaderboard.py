"""The members' leaderboards, the reports' per-member rows, and a street without quotas."""

from __future__ import annotations

from backend.db import session_scope
from backend.quotas.rules import IsoWeek
from backend.quotas.service import member_weeks
from tests.quotas.conftest import at
from tests.workorders.conftest import CORRIDOR


def _board(client, as_user, viewer: str, **params) -> dict:
    response = client.get(
        "/api/v1/leaderboards/members",
        params={"week": "2026-W41", **params},
        headers=as_user(viewer),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_ranked_by_points_then_finds_per_grid_and_community(
    client, as_user, submit, clock, user_id
) -> None:
    member, inspector = user_id("demo-member"), user_id("demo-inspector")
    clock.set(at(11))  # Sunday: +1
    assert submit(description=CORRIDOR).status_code == 201
    board = _board(client, as_user, "demo-member")
    assert board["scope"] == "grid" and board["grid"]["name"] == "铜川路社区第1网格"
    assert [(i["rank"], i["member"]["id"], i["finds"], i["points"]) for i in board["items"]] == [
        (1, member, 1, 1),
        (2, inspector, 0, -1),
    ]
    community = _board(client, as_user, "demo-member", scope="community")
    assert community["grid"]["name"] == "铜川路社区"
    assert [i["member"]["id"] for i in community["items"]] == [member, inspector]
    assert community["items"][0]["grid"]["name"] == "铜川路社区第1网格"
    # The command center sees the whole street without naming a grid.
    street = _board(client, as_user, "demo-dispatcher")
    assert street["grid"] is None and len(street["items"]) == 2


def test_leaderboard_access_and_bad_input(client, as_user) -> None:
    grids = client.get("/api/v1/grids", params={"level": 3}, headers=as_user("demo-admin"))
    first = next(g for g in grids.json()["items"] if g["name"] == "铜川路社区第1网格")
    other = next(g for g in grids.json()["items"] if g["name"] == "真北社区第1网格")
    url = "/api/v1/leaderboards/members"
    refused = client.get(url, params={"grid_id": first["id"]}, headers=as_user("demo-chief-b"))
    assert refused.status_code == 403
    mine = client.get(url, params={"grid_id": other["id"]}, headers=as_user("demo-chief-b"))
    assert mine.status_code == 200 and mine.json()["items"] == []
    # A handler in no grid must name one.
    unnamed = client.get(url, headers=as_user("demo-handler"))
    assert unnamed.status_code == 422 and unnamed.json()["error"]["field"] == "grid_id"
    bad = client.get(url, params={"scope": "planet"}, headers=as_user("demo-member"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "scope"
    week = client.get(url, params={"week": "2026-W60"}, headers=as_user("demo-member"))
    assert week.status_code == 422 and week.json()["error"]["field"] == "week"


def test_member_weeks_for_the_reports(db, submit, clock, user_id, settings) -> None:
    member = user_id("demo-member")
    clock.set(at(10))
    assert submit(description=CORRIDOR).status_code == 201
    with session_scope(db, write=False) as session:
        rows = member_weeks(session, IsoWeek(2026, 41), settings)
    mine = next(r for r in rows if r["member"]["id"] == member)
    assert mine == {
        "member": {"id": member, "display_name": "张网格"},
        "grid": {"id": mine["grid"]["id"], "name": "铜川路社区第1网格"},
        "finds": 1,
        "quota": 1,
        "bonus": 0,
        "penalty": 0,
        "points": 0,
        "warning": False,
    }
    assert {r["member"]["display_name"] for r in rows} == {"张网格", "李巡查"}


def test_a_street_without_quotas_answers_null_with_a_note(
    settings, submit, clock, quota, user_id
) -> None:
    settings.quota_profile = "none"
    member = user_id("demo-member")
    clock.set(at(11))
    assert submit(description=CORRIDOR).status_code == 201
    week = quota("demo-member", member, "2026-W41").json()
    assert week["profile"] is None and week["quota"] is None and "未启用" in week["note"]
    assert week["finds"] == 1 and week["bonus"] == 0 and week["warning"] is False


def test_statements_do_not_grow_with_finds(db, client, as_user, submit, clock, user_id) -> None:
    """A member's week and the leaderboard run a fixed number of statements, however many
    finds (and orders) there are."""
    from tests.statements import count_statements

    member = user_id("demo-member")

    def cost() -> tuple[int, int]:
        headers = as_user("demo-member")
        with count_statements(db) as week:
            quota = client.get(f"/api/v1/members/{member}/quota?week=2026-W41", headers=headers)
        with count_statements(db) as board:
            ranks = client.get("/api/v1/leaderboards/members?week=2026-W41", headers=headers)
        assert quota.status_code == ranks.status_code == 200
        return len(week), len(board)

    clock.set(at(8))
    assert submit(description=CORRIDOR).status_code == 201
    one = cost()
    places = [(31.2436, 121.4095), (31.2440, 121.4060), (31.2450, 121.4045)]
    for lat, lng in places:
        assert submit(description=CORRIDOR, lat=lat, lng=lng).status_code == 201
    assert cost() == one
    assert one[0] <= 14 and one[1] <= 14, one


def test_the_points_reasons_are_listed_with_their_labels(client, as_user) -> None:
    codes = client.get("/api/v1/codes", headers=as_user("demo-member")).json()
    reasons = {c["code"]: c["label"] for c in codes["points_reasons"]}
    assert reasons["bonus_day_off"] == "周末、节假日主动发现问题加分"
    assert {"missing_find", "passive_discovery", "untrue_result", "buck_passing"} <= set(reasons)
    assert {c["code"] for c in codes["grid_duties"]} == {"member", "grid_chief"}
