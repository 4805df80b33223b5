"""The responsibility list as clients see it."""

from __future__ import annotations


def test_categories_lists_all_104_items(client, as_user) -> None:
    response = client.get("/api/v1/categories", headers=as_user("demo-member"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["number"] for i in items] == list(range(1, 105))
    for item in items:
        assert item["name"] and isinstance(item["assists"], list)
        # Rows 85-87 have no 主办 in the seed; they go to a dispatcher.
        assert item["lead"]["text"] or item["lead"]["kind"] == "unassigned"


def test_group_rental_has_its_two_stage_lead(client, as_user) -> None:
    item = client.get("/api/v1/categories/26", headers=as_user("demo-member")).json()
    assert "群租" in item["name"]
    assert item["lead"]["kind"] == "repeat"
    assert item["lead"]["first"] == "片区" and item["lead"]["repeat"] == "社区平安办"
    assert item["must_solve"] == "群租"


def test_illegal_construction_is_led_by_the_enforcement_team(client, as_user) -> None:
    item = client.get("/api/v1/categories/34", headers=as_user("demo-member")).json()
    assert item["lead"]["kind"] == "department"
    assert item["lead"]["department"] == "综合行政执法队"


def test_six_must_solve_categories_are_marked(client, as_user) -> None:
    items = client.get("/api/v1/categories", headers=as_user("demo-member")).json()["items"]
    labels = {i["must_solve"] for i in items if i["must_solve"]}
    assert labels == {"群租", "垃圾堆放", "无证设摊", "楼道堆物", "新增违建", "飞线充电"}


def test_categories_need_login_and_unknown_number_is_404(client, as_user) -> None:
    assert client.get("/api/v1/categories").status_code == 401
    missing = client.get("/api/v1/categories/999", headers=as_user("demo-member"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "category_not_found"


def test_loading_twice_keeps_104(db, clock) -> None:
    from backend.catalog.repository import list_categories
    from backend.catalog.service import load_catalog
    from backend.db import session_scope

    for _ in range(2):
        with session_scope(db) as session:
            assert load_catalog(session, clock.now()) == 104
    with session_scope(db) as session:
        assert len(list_categories(session)) == 104
