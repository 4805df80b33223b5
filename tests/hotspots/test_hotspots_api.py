"""The command center's hotspot map: the period's orders clustered by place and category,
each cluster opening exactly its orders in the work list, and the grids with their counts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from tests.hotline.rows import platform_row
from tests.reports.conftest import STREET_LAT, STREET_LNG

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵，希望尽快清理"
# About 20 m from the street's point: the same ~100 m cell.
NEAR_LAT, NEAR_LNG = STREET_LAT + 0.00015, STREET_LNG - 0.0001
# About 400 m north: another cell.
FAR_LAT = STREET_LAT + 0.0036


def _send(client, as_user, rows: list[dict]) -> list[dict]:
    response = client.post("/api/v1/hotline/orders", json=rows, headers=as_user("demo-dispatcher"))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert all(r["outcome"] == "created" for r in results), results
    return results


def _hotspots(client, as_user, user: str = "demo-dispatcher", **params) -> dict:
    response = client.get("/api/v1/stats/hotspots", params=params, headers=as_user(user))
    assert response.status_code == 200, response.text
    return response.json()


def _listed(client, as_user, link: str) -> set[str]:
    url = urlsplit(link)
    numbers: set[str] = set()
    params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()}
    params["limit"] = "100"
    response = client.get(url.path, params=params, headers=as_user("demo-dispatcher"))
    assert response.status_code == 200, response.text
    numbers |= {item["number"] for item in response.json()["items"]}
    return numbers


def test_orders_at_one_place_form_one_cluster_that_opens_its_orders(client, as_user, clock) -> None:
    same_place = _send(
        client,
        as_user,
        [
            platform_row(content=CORRIDOR),
            platform_row(content=CORRIDOR, lat=NEAR_LAT, lng=NEAR_LNG),
            platform_row(content=CORRIDOR),
        ],
    )
    _send(client, as_user, [platform_row(content=CORRIDOR, lat=FAR_LAT, address="铜川路北段")])
    answer = _hotspots(client, as_user)
    today = clock.now().date()
    assert answer["to"] == today.isoformat()
    assert answer["from"] == (today - timedelta(days=29)).isoformat()

    top = answer["clusters"][0]
    assert top["count"] == 3 and top["open"] == 3
    assert top["category_name"] and top["category_number"]
    assert top["grid"] is not None and top["grid"]["name"] == "铜川路社区第1网格"
    assert abs(top["lat"] - STREET_LAT) < 0.0003 and abs(top["lng"] - STREET_LNG) < 0.0003
    numbers = {r["number"] for r in same_place}
    assert set(top["numbers"]) == numbers
    # The dashboard opens the cluster: the work list answers exactly its orders.
    assert _listed(client, as_user, top["link"]) == numbers

    far = [c for c in answer["clusters"] if c is not top]
    assert len(far) == 1 and far[0]["count"] == 1
    assert _listed(client, as_user, far[0]["link"]) == set(far[0]["numbers"])

    by_grid = {g["name"]: g for g in answer["grids"]}
    first_grid = by_grid["铜川路社区第1网格"]
    assert first_grid["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert first_grid["total"] >= 3 and first_grid["open"] == first_grid["total"]
    assert sum(g["total"] for g in answer["grids"]) <= 4


def test_the_period_and_category_narrow_the_map(client, as_user, clock) -> None:
    _send(client, as_user, [platform_row(content=CORRIDOR)])
    clock.advance(timedelta(days=3))
    later = _send(client, as_user, [platform_row(content=CORRIDOR, lat=FAR_LAT)])
    today = clock.now().date()
    answer = _hotspots(client, as_user, **{"from": today.isoformat(), "to": today.isoformat()})
    assert [c["numbers"] for c in answer["clusters"]] == [[later[0]["number"]]]
    category = answer["clusters"][0]["category_number"]
    other = 1 if category != 1 else 2
    assert _hotspots(client, as_user, category_number=other)["clusters"] == []
    assert len(_hotspots(client, as_user, category_number=category)["clusters"]) == 2
    assert len(_hotspots(client, as_user, open_only="true")["clusters"]) == 2


def test_hotspots_refuse_a_backwards_period_and_other_roles(client, as_user) -> None:
    backwards = client.get(
        "/api/v1/stats/hotspots",
        params={"from": "2026-11-20", "to": "2026-11-01"},
        headers=as_user("demo-dispatcher"),
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "from"
    assert "开始日期" in backwards.json()["error"]["message"]
    too_long = client.get(
        "/api/v1/stats/hotspots",
        params={"from": "2024-01-01", "to": "2026-11-01"},
        headers=as_user("demo-dispatcher"),
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "to"
    for user in ("demo-member", "demo-handler"):
        response = client.get("/api/v1/stats/hotspots", headers=as_user(user))
        assert response.status_code == 403


def test_the_work_list_filters_by_a_box(client, as_user) -> None:
    inside = _send(client, as_user, [platform_row(content=CORRIDOR)])[0]["number"]
    _send(client, as_user, [platform_row(content=CORRIDOR, lat=FAR_LAT)])
    box = f"{STREET_LNG - 0.001},{STREET_LAT - 0.001},{STREET_LNG + 0.001},{STREET_LAT + 0.001}"
    listed = client.get(
        "/api/v1/workorders", params={"bbox": box}, headers=as_user("demo-dispatcher")
    )
    assert [i["number"] for i in listed.json()["items"]] == [inside]
    bad = client.get(
        "/api/v1/workorders",
        params={"bbox": "121.5,31.2,121.4"},
        headers=as_user("demo-dispatcher"),
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "bbox"
