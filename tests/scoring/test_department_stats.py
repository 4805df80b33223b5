"""Department scores and statistics over a seeded month (tests/scoring/month.py), through the
real HTTP API on a migrated database: every count equals the orders its link lists, exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.cli import main
from backend.config import get_settings
from backend.seams.clock import FrozenClock
from tests.scoring.month import EXPECTED, EXPECTED_GRID, FROM, NOW, TO, Month, seed_month

PERIOD = f"from={FROM}&to={TO}"


@pytest.fixture
def clock() -> FrozenClock:
    # The month is over: its clocks still running past their due time count as missed.
    return FrozenClock(NOW)


@pytest.fixture
def month(db, demo) -> Month:
    return seed_month(db)


@pytest.fixture
def desk(as_user) -> dict[str, str]:
    return as_user("demo-dispatcher")


def get(client: TestClient, headers: dict[str, str], url: str, status: int = 200) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def listed(client: TestClient, headers: dict[str, str], link: str) -> set[str]:
    """The order numbers the work list shows for a count's link (one page of up to 100)."""
    page = get(client, headers, f"{link}&limit=100")
    assert page["next_cursor"] is None
    return {item["number"] for item in page["items"]}


def item_of(answer: dict[str, Any], key: str, wanted: int) -> dict[str, Any]:
    return next(i for i in answer["items"] if i[key]["id"] == wanted)


@pytest.mark.parametrize("scheme", ["jiangning", "zhenru", "dongcheng"])
def test_each_count_is_the_orders_its_link_lists(client, desk, month, scheme) -> None:
    answer = get(client, desk, f"/api/v1/stats/departments?{PERIOD}&scheme={scheme}")
    assert answer["from"] == FROM and answer["to"] == TO and answer["scheme"] == scheme
    assert answer["scheme_label"]
    a = item_of(answer, "department", month.a)
    assert a["department"]["name"] == "第一片区"
    counts = a["score"]["counts"]
    assert set(counts) == set(EXPECTED[scheme]) == set(a["links"]) - {
        "orders", "clocks_met", "clocks_missed", "clocks_running", "returns", "extensions",
        "supervisions",
    }  # fmt: skip
    for name, expected in EXPECTED[scheme].items():
        times, orders = expected if isinstance(expected, tuple) else (len(expected), expected)
        assert counts[name] == times, (name, counts[name], sorted(orders))
        assert listed(client, desk, a["links"][name]) == month.numbers(*orders), name
    # Each count is explained, and those the system cannot know say so.
    assert set(answer["definitions"]) == set(EXPECTED[scheme])


def test_zhenru_score_of_the_month_by_hand(client, desk, month) -> None:
    answer = get(client, desk, f"/api/v1/stats/departments?{PERIOD}&scheme=zhenru")
    score = item_of(answer, "department", month.a)["score"]
    # acceptance   = 20 × 5/6                           = 16.67
    # resolution   = 30 × (1 + 0.8×1) / (1+1+1+1)       = 13.5
    # satisfaction = 50 × (1 + 0.8×0 + 0.6×1) / (1+0+1+1) = 26.67
    # deductions   = 10×2 missed contacts + 10×2 late + 2.5×1 street + 10×1 city
    #                + 0 (untrue 1/6 ≤ 25 %) + 0 copied + 10×1 unjustified return = 62.5
    # total        = 16.67 + 13.5 + 26.67 − 62.5       = −5.67
    assert score["acceptance"] == pytest.approx(16.6667, abs=0.005)
    assert score["resolution"] == pytest.approx(13.5)
    assert score["satisfaction"] == pytest.approx(26.6667, abs=0.005)
    assert score["deductions"] == pytest.approx(62.5)
    assert score["total"] == pytest.approx(-5.67, abs=0.005)


def test_a_department_without_orders_has_no_data_with_the_reason(client, desk, month) -> None:
    answer = get(client, desk, f"/api/v1/stats/departments?{PERIOD}&scheme=jiangning")
    c = item_of(answer, "department", month.c)
    assert c["orders"] == 0
    assert c["score"]["total"] is None
    assert c["score"]["first_contact_score"] is None
    assert "派遣案件数（dispatched）为 0" in c["score"]["no_data"]["first_contact_score"]
    assert c["score"]["no_data"]["total"].startswith("无数据")
    assert c["dispatch_time_s"] == {"p50": None, "p95": None}
    dongcheng = get(client, desk, f"/api/v1/stats/departments?{PERIOD}&scheme=dongcheng")
    c = item_of(dongcheng, "department", month.c)
    assert c["score"]["total"] is None and c["score"]["grade"] is None
    assert "rated" in c["score"]["no_data"]["done_rate"]


def test_the_figures_of_a_department_and_the_orders_behind_them(client, desk, month) -> None:
    answer = get(client, desk, f"/api/v1/stats/departments?{PERIOD}")
    assert answer["scheme"] == "zhenru"  # the zhenru profile's own scheme
    a = item_of(answer, "department", month.a)
    assert a["orders"] == 8
    assert a["by_status"] == {
        "closed": 4, "dispatched": 1, "in_progress": 1, "merged": 1, "stored": 1,
    }  # fmt: skip
    assert a["clocks"] == {"met": 6, "missed": 4, "running": 1}
    # Seconds to dispatch: 60 120 600 1200 1800 1800 2400 3000 → p50 halfway between 1200
    # and 1800; p95 at rank 0.95 × 7 = 6.65, 2400 + 0.65 × 600.
    assert a["dispatch_time_s"] == {"p50": 1500, "p95": 2790}
    assert a["satisfaction"] == {"satisfied": 1, "basic_satisfied": 1, "neutral": 1,
                                 "unsatisfied": 1}  # fmt: skip
    assert (a["returns"], a["extensions"], a["supervisions"]) == (2, 1, 3)
    behind = {
        "orders": {"H1", "H2", "H3", "H4", "H7", "H9", "P1", "M"},
        "clocks_met": {"H1", "H4", "H9", "P1"},
        "clocks_missed": {"H2", "H3", "H7"},
        "clocks_running": {"H7"},
        "returns": {"H3", "H6"},  # H6 was returned by A, now B leads it
        "extensions": {"H3"},
        "supervisions": {"H1", "H2", "H3"},
    }
    for figure, names in behind.items():
        assert listed(client, desk, a["links"][figure]) == month.numbers(*names), figure
    b = item_of(answer, "department", month.b)
    assert (b["orders"], b["returns"]) == (1, 0)


def test_grid_rates_and_their_orders(client, desk, month) -> None:
    answer = get(client, desk, f"/api/v1/stats/grids?{PERIOD}")
    grid = item_of(answer, "grid", month.grid)
    assert grid["orders"] == 8
    assert grid["rates"] == {
        "timely_rate": 0.4, "on_time_rate": 0.8, "first_pass_rate": 0.8, "overdue_rate": 0.2,
    }  # fmt: skip
    for name, names in EXPECTED_GRID.items():
        assert grid["counts"][name] == len(names), name
        assert listed(client, desk, grid["links"][name]) == month.numbers(*names), name
    other = item_of(answer, "grid", month.other_grid)
    assert other["orders"] == 1
    assert set(other["rates"].values()) == {None}
    assert "closed" in other["rates_no_data"]["timely_rate"]


def test_street_summary(client, desk, month) -> None:
    answer = get(client, desk, f"/api/v1/stats/summary?{PERIOD}")
    assert answer["orders"] == 9
    assert answer["by_status"]["accepted"] == 1 and answer["by_status"]["closed"] == 4
    assert (answer["returns"], answer["extensions"], answer["supervisions"]) == (2, 1, 3)
    assert answer["clocks"] == {"met": 6, "missed": 4, "running": 1}
    assert sum(answer["satisfaction"].values()) == 4
    assert len(listed(client, desk, answer["links"]["orders"])) == 9


@pytest.mark.parametrize("path", ["departments", "grids", "summary"])
def test_only_street_wide_roles_see_statistics(client, as_user, demo, path) -> None:
    for user in ("demo-member", "demo-inspector", "demo-handler"):
        response = client.get(f"/api/v1/stats/{path}?{PERIOD}", headers=as_user(user))
        assert response.status_code == 403, (user, response.text)
    for user in ("demo-dispatcher", "demo-leader", "demo-admin"):
        assert client.get(f"/api/v1/stats/{path}?{PERIOD}", headers=as_user(user)).is_success


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2026-11-30", "from"),
        ("from=2026-11-01", "to"),
        ("from=2026-13-01&to=2026-11-30", "from"),
        ("from=20261101&to=2026-11-30", "from"),
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2025-01-01&to=2026-11-30", "to"),
        ("from=2026-11-01&to=2026-11-30&scheme=nope", "scheme"),
    ],
)
def test_bad_periods_are_refused_naming_the_field(client, desk, query, field) -> None:
    for path in ("departments", "grids", "summary"):
        if field == "scheme" and path != "departments":
            continue
        response = client.get(f"/api/v1/stats/{path}?{query}", headers=desk)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["field"] == field, error
        assert error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("metric=zhenru.nope&period_from=2026-11-01&period_to=2026-11-30", "metric"),
        ("metric=late&period_from=2026-11-01&period_to=2026-11-30", "metric"),
        ("metric=zhenru.late&period_to=2026-11-30", "period_from"),
        ("metric=zhenru.late&period_from=2026-11-30&period_to=2026-11-01", "period_to"),
        ("period_from=2026-11-01&period_to=2026-11-30", "period_from"),
    ],
)
def test_bad_metric_filters_are_refused(client, desk, query, field) -> None:
    response = client.get(f"/api/v1/workorders?{query}", headers=desk)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_a_handler_sees_only_its_departments_orders_behind_a_count(client, as_user, month) -> None:
    link = (
        "/api/v1/workorders?metric=zhenru.accepted_all_departments"
        f"&period_from={FROM}&period_to={TO}"
    )
    # The street-wide count lists B's order too; A's handler sees only A's.
    assert listed(client, as_user("demo-dispatcher"), link) == month.numbers(
        "H1", "H2", "H3", "H4", "H9", "H6"
    )
    assert listed(client, as_user("demo-handler"), link) == month.numbers(
        "H1", "H2", "H3", "H4", "H9"
    )


def test_cli_scores_a_department_from_the_database(
    capsys, monkeypatch, database_url, month
) -> None:
    monkeypatch.setenv("GRID_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        argv = ["score", "--scheme", "zhenru", "--department", str(month.a)]
        main([*argv, "--from", FROM, "--to", TO])
        printed = json.loads(capsys.readouterr().out)
        with pytest.raises(SystemExit) as exited:
            main(["score", "--scheme", "zhenru", "--department", str(month.a), "--from", FROM])
        assert exited.value.code == 2
        assert "--to" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            main([*argv, "--from", TO, "--to", FROM])
        assert "--to" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert printed["total"] == pytest.approx(-5.67, abs=0.005)
    assert printed["department"] == {"id": month.a, "name": "第一片区"}
    assert printed["period"] == {"from": FROM, "to": TO}
    assert printed["counts"]["late"] == 2 and printed["counts"]["accepted_all_departments"] == 6
    assert "计 0" in printed["definitions"]["copied_reports"]
    assert printed["links"]["late"].startswith("/api/v1/workorders?metric=zhenru.late&")
