"""GET /api/v1/workorders: each role's work list, its filters, search and keyset paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.workorders.conftest import closure_body

# Different categories, so none is taken for a duplicate of another; each is dispatched to
# the demo handler's 片区 at intake.
GARBAGE = "路边有暴露垃圾没人清理"
BIKES = "人行道上有共享单车乱停放挡住盲道"
STALLS = "沿街商铺占道经营，水果摊摆到人行道上"
GREEN = "绿化带里有人种菜，破坏绿化"
CARS = "机动车乱停放在人行道上"


def _list(client, as_user, user: str, expect: int = 200, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/workorders", params=params, headers=as_user(user))
    assert response.status_code == expect, response.text
    return response.json()


def _all(client, as_user, user: str, **params: Any) -> list[dict[str, Any]]:
    """Every page, following next_cursor."""
    items, cursor = [], None
    while True:
        page = _list(client, as_user, user, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _to_verification(w, clock) -> None:
    """Accept, contact, check in, before/after photos and the closure report."""
    w.step("demo-handler", "accept")
    if w.order["profile"] == "zhenru":  # the command center calls first (seed 003)
        w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")
    w.step("demo-handler", "check-in", lat=31.24452, lng=121.40302)
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    photos = [w.last_photo("before"), w.last_photo("after")]
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos))
    assert w.order["status"] == "submitted", w.order["status"]


def test_handler_lists_its_orders_nearest_deadline_first(walker, client, as_user, clock) -> None:
    first = walker()
    clock.advance(timedelta(minutes=5))
    second = walker(GARBAGE)
    clock.advance(timedelta(minutes=5))
    third = walker(BIKES)
    # Accepting the first meets its accept clock: the next one counts down instead.
    first.step("demo-handler", "accept")

    items = _list(client, as_user, "demo-handler")["items"]
    ids = [i["id"] for i in items]
    assert set(ids) == {first.id, second.id, third.id}
    dues = [i["clock"]["due_at"] for i in items]
    assert dues == sorted(dues)
    by_id = {i["id"]: i for i in items}
    assert by_id[first.id]["clock"]["name"] != "accept"
    assert by_id[second.id]["clock"]["name"] in {c["name"] for c in second.order["clocks"]}
    top = by_id[second.id]
    assert top["clock"]["remaining_s"] > 0 and top["clock"]["state"] == "ok"
    assert top["clock"]["label"] and top["status_label"] == "已派单"
    assert top["thumbnail_url"].endswith("/thumbnail")
    assert "accept" in [s["step"] for s in top["next_steps"]]
    assert "accept" not in [s["step"] for s in by_id[first.id]["next_steps"]]
    thumbnail = client.get(top["thumbnail_url"], headers=as_user("demo-handler"))
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"

    # Time passes: the countdown turns red and the order is flagged overdue.
    clock.advance(timedelta(days=40))
    late = _list(client, as_user, "demo-handler", overdue="true")["items"]
    assert late and all(i["clock"]["state"] == "breached" for i in late)
    assert all(i["clock"]["remaining_s"] < 0 and "overdue" in i["flags"] for i in late)


def test_search_finds_words_and_order_numbers(walker, client, as_user) -> None:
    corridor, garbage, bikes = walker(), walker(GARBAGE), walker(BIKES)

    found = _list(client, as_user, "demo-dispatcher", q="垃圾")["items"]
    assert [i["id"] for i in found] == [garbage.id]
    assert _list(client, as_user, "demo-dispatcher", q="盲道")["items"][0]["id"] == bikes.id
    assert _list(client, as_user, "demo-dispatcher", q="消防通道")["items"][0]["id"] == corridor.id
    assert _list(client, as_user, "demo-dispatcher", q="垃圾 盲道")["items"] == []

    number = bikes.order["number"]  # WG20261123-0003
    assert [i["id"] for i in _list(client, as_user, "demo-dispatcher", q=number)["items"]] == [
        bikes.id
    ]
    assert [
        i["id"] for i in _list(client, as_user, "demo-dispatcher", q=number.lower())["items"]
    ] == [bikes.id]
    by_day = _list(client, as_user, "demo-dispatcher", q=number.split("-")[0])["items"]
    assert {i["id"] for i in by_day} == {corridor.id, garbage.id, bikes.id}
    # Searching within the handler's own list, and nothing for punctuation alone.
    handler_found = _list(client, as_user, "demo-handler", q="垃圾")["items"]
    assert all(i["id"] == garbage.id for i in handler_found)
    assert _list(client, as_user, "demo-dispatcher", q="，。！")["items"] == []


def test_inspector_lists_what_it_must_verify(walker, client, as_user, clock) -> None:
    waiting, other = walker(), walker(GARBAGE)
    _to_verification(waiting, clock)

    items = _list(client, as_user, "demo-inspector")["items"]
    assert [i["id"] for i in items] == [waiting.id]
    assert items[0]["status"] == "submitted"
    assert "verification" in [s["step"] for s in items[0]["next_steps"]]
    assert other.id not in [i["id"] for i in items]


def test_member_lists_its_reports_orders_with_their_status(walker, client, as_user, submit) -> None:
    mine = walker()
    theirs = walker(GARBAGE, user="demo-inspector")

    items = _list(client, as_user, "demo-member")["items"]
    assert [i["id"] for i in items] == [mine.id]
    assert items[0]["status"] == "dispatched" and items[0]["status_label"] == "已派单"
    assert theirs.id not in [i["id"] for i in items]
    reports = client.get("/api/v1/reports", headers=as_user("demo-member")).json()["items"]
    assert reports[0]["work_order_id"] == mine.id


def test_pages_follow_the_cursor_without_gaps_or_repeats(walker, client, as_user, clock) -> None:
    made = []
    for description in (GARBAGE, BIKES, STALLS, GREEN, CARS):
        made.append(walker(description).id)
        clock.advance(timedelta(minutes=1))
    for sort in ("due", "created", "updated"):
        paged = _all(client, as_user, "demo-dispatcher", sort=sort, limit=2)
        whole = _list(client, as_user, "demo-dispatcher", sort=sort, limit=100)["items"]
        assert [i["id"] for i in paged] == [i["id"] for i in whole]
        assert sorted(i["id"] for i in paged) == sorted(made)
    newest_first = [i["id"] for i in _all(client, as_user, "demo-dispatcher", sort="created")]
    assert newest_first == list(reversed(made))

    page = _list(client, as_user, "demo-dispatcher", sort="due", limit=2)
    other_sort = _list(
        client, as_user, "demo-dispatcher", 422, sort="created", cursor=page["next_cursor"]
    )
    assert other_sort["error"]["field"] == "cursor"
    bad = _list(client, as_user, "demo-dispatcher", 422, cursor="not-a-cursor")
    assert bad["error"]["field"] == "cursor"


def test_filters_and_bad_values(walker, client, as_user, clock) -> None:
    corridor, garbage = walker(), walker(GARBAGE)
    corridor.step("demo-handler", "accept")

    accepted = _list(client, as_user, "demo-dispatcher", status="accepted")["items"]
    assert [i["id"] for i in accepted] == [corridor.id]
    both = _list(client, as_user, "demo-dispatcher", status=["accepted", "dispatched"])["items"]
    assert {i["id"] for i in both} == {corridor.id, garbage.id}
    category = garbage.order["category_number"]
    by_category = _list(client, as_user, "demo-dispatcher", category_number=category)["items"]
    assert [i["id"] for i in by_category] == [garbage.id]
    lead = corridor.order["lead_department"]["id"]
    by_department = _list(client, as_user, "demo-dispatcher", department_id=lead)["items"]
    assert corridor.id in [i["id"] for i in by_department]
    later = (clock.now() + timedelta(minutes=1)).isoformat()
    assert _list(client, as_user, "demo-dispatcher", created_from=later)["items"] == []
    assert _list(client, as_user, "demo-handler", assigned="me")["items"]

    wrong = _list(client, as_user, "demo-dispatcher", 422, status="待派单")
    assert wrong["error"]["field"] == "status.0" or wrong["error"]["field"] == "status"
    assert "reported" in wrong["error"]["message"]
    assert _list(client, as_user, "demo-dispatcher", 422, limit=0)["error"]["field"] == "limit"
    assert _list(client, as_user, "demo-dispatcher", 422, sort="x")["error"]["field"] == "sort"


def test_hotline_caller_is_masked_in_lists(hotline_walker, client, as_user) -> None:
    w = hotline_walker()
    assert w.order["caller"]["masked"] is False  # the dispatcher's detail
    item = _list(client, as_user, "demo-dispatcher")["items"][0]
    assert item["caller"]["masked"] is True and "****" in item["caller"]["phone"]
    assert "platform" in item["flags"]


def test_my_reports_show_their_orders_and_honour_the_filters(walker, client, as_user) -> None:
    corridor, garbage = walker(), walker(GARBAGE)
    corridor.step("demo-handler", "accept")

    def reports(**params: Any) -> list[dict[str, Any]]:
        response = client.get("/api/v1/reports", params=params, headers=as_user("demo-member"))
        assert response.status_code == 200, response.text
        return response.json()["items"]

    everything = reports()
    assert [r["work_order_id"] for r in everything] == [garbage.id, corridor.id]
    assert everything[1]["work_order_status"] == "accepted"
    assert everything[1]["work_order_status_label"] == "已接单"
    assert everything[1]["work_order_number"] == corridor.order["number"]
    assert [r["work_order_id"] for r in reports(status="accepted")] == [corridor.id]
    assert [r["work_order_id"] for r in reports(q="垃圾")] == [garbage.id]
    assert reports(q="盲道") == []
    paged = client.get("/api/v1/reports", params={"limit": 1}, headers=as_user("demo-member"))
    assert len(paged.json()["items"]) == 1 and paged.json()["next_cursor"]
    # Another member's reports are not mine; the command center sees them all.
    assert client.get("/api/v1/reports", headers=as_user("demo-inspector")).json()["items"] == []
    street = client.get("/api/v1/reports", headers=as_user("demo-dispatcher")).json()["items"]
    assert len(street) == 2
