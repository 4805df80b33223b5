"""From report to dispatched order, the queue, duplicates and manual dispatch, over HTTP."""

from __future__ import annotations

from datetime import timedelta

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵"
VAGUE = "这里有问题请处理"


def _order(client, headers, order_id):
    response = client.get(f"/api/v1/workorders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_classify_answers_the_contract(client, as_user) -> None:
    body = client.post(
        "/api/v1/classify", json={"text": CORRIDOR}, headers=as_user("demo-member")
    ).json()
    assert set(body) == {"candidates", "confident"}
    assert 1 <= len(body["candidates"]) <= 3
    assert 66 in [c["number"] for c in body["candidates"]]
    assert all(set(c) == {"number", "name", "score"} for c in body["candidates"])
    empty = client.post("/api/v1/classify", json={"text": ""}, headers=as_user("demo-member"))
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"


def test_a_clear_report_in_a_grid_is_dispatched_at_once_to_the_area_team(
    submit, client, as_user
) -> None:
    report = submit(description=CORRIDOR).json()
    order = _order(client, as_user("demo-dispatcher"), report["work_order_id"])
    assert order["status"] == "dispatched" and order["dispatch_mode"] == "auto"
    assert order["number"].startswith("WG20261123-")
    assert order["category_number"] == 66 and order["grid_id"] == report_grid(
        client, as_user, report
    )
    assert order["lead_department"]["name"] == "第一片区"
    assert order["dispatched_at"] is not None
    clocks = {c["name"]: c for c in order["clocks"]}
    assert clocks["dispatch"]["met_at"] is not None
    assert "resolve" in set(clocks)
    # A grid find has no caller: no first-contact clock that could only breach (seed 003).
    assert "first_contact" not in clocks
    assert [e["kind"] for e in order["events"]] == ["reported", "dispatched"]
    # The handler of the area team is told, and sees the order.
    handler = as_user("demo-handler")
    inbox = client.get("/api/v1/inbox", headers=handler).json()["items"]
    assert any(n["work_order_id"] == order["id"] and n["kind"] == "dispatched" for n in inbox)
    assert _order(client, handler, order["id"])["id"] == order["id"]
    assert client.get(f"/api/v1/workorders/{order['id']}/chain", headers=handler).json() == {
        "valid": True,
        "events": 2,
    }


def report_grid(client, as_user, report) -> int:
    return client.get(f"/api/v1/reports/{report['id']}", headers=as_user("demo-member")).json()[
        "grid_id"
    ]


def test_an_unclear_report_waits_in_the_queue_with_its_countdown(
    submit, client, as_user, clock
) -> None:
    report = submit(description=VAGUE).json()
    dispatcher = as_user("demo-dispatcher")
    clock.advance(timedelta(minutes=5))
    queue = client.get("/api/v1/dispatch/queue", headers=dispatcher).json()["items"]
    item = next(i for i in queue if i["id"] == report["work_order_id"])
    assert item["remaining_s"] == 25 * 60
    assert item["confident"] is False and item["out_of_jurisdiction"] is False
    assert item["report_ids"] == [report["id"]]
    order = _order(client, dispatcher, item["id"])
    assert order["status"] == "reported" and order["dispatch_mode"] is None
    inbox = client.get("/api/v1/inbox", headers=dispatcher).json()["items"]
    assert any(n["kind"] == "dispatch_needed" and n["work_order_id"] == item["id"] for n in inbox)
    assert client.get("/api/v1/dispatch/queue", headers=as_user("demo-handler")).status_code == 403


def test_a_point_outside_every_grid_is_never_auto_dispatched(submit, client, as_user) -> None:
    report = submit(description=CORRIDOR, lat=31.30, lng=121.50).json()
    item = next(
        i
        for i in client.get("/api/v1/dispatch/queue", headers=as_user("demo-dispatcher")).json()[
            "items"
        ]
        if i["id"] == report["work_order_id"]
    )
    assert item["out_of_jurisdiction"] is True and item["grid_id"] is None


def test_dispatcher_dispatches_from_the_queue_with_the_version_seen(
    submit, client, as_user
) -> None:
    order_id = submit(description=VAGUE).json()["work_order_id"]
    dispatcher = as_user("demo-dispatcher")
    version = _order(client, dispatcher, order_id)["version"]
    body = {"version": version, "category_number": 34}
    assert (
        client.post(
            f"/api/v1/workorders/{order_id}/dispatch", json=body, headers=as_user("demo-handler")
        ).status_code
        == 403
    )
    response = client.post(f"/api/v1/workorders/{order_id}/dispatch", json=body, headers=dispatcher)
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["status"] == "dispatched" and order["dispatch_mode"] == "manual"
    assert order["lead_department"]["name"] == "综合行政执法队"
    assert order["version"] == version + 1
    stale = client.post(f"/api/v1/workorders/{order_id}/dispatch", json=body, headers=dispatcher)
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    again = client.post(
        f"/api/v1/workorders/{order_id}/dispatch",
        json={**body, "version": order["version"]},
        headers=dispatcher,
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


def test_dispatch_input_errors_name_the_field(submit, client, as_user) -> None:
    order_id = submit(description=VAGUE).json()["work_order_id"]
    dispatcher = as_user("demo-dispatcher")
    version = _order(client, dispatcher, order_id)["version"]
    cases = [
        ({"version": version, "category_number": 999}, "category_number"),
        ({"version": version, "category_number": 34, "level": "galactic"}, "level"),
        ({"version": version, "category_number": 85}, "lead_department_id"),
        (
            {"version": version, "category_number": 34, "assist_department_ids": [9999]},
            "assist_department_ids",
        ),
        ({"category_number": 34}, "version"),
    ]
    for body, field in cases:
        response = client.post(
            f"/api/v1/workorders/{order_id}/dispatch", json=body, headers=dispatcher
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field
    assert _order(client, dispatcher, order_id)["status"] == "reported"  # nothing half-written


def test_a_nearby_open_order_of_the_same_category_is_offered_as_a_duplicate(
    submit, client, as_user
) -> None:
    first = submit(description=CORRIDOR).json()
    # About 20 m away: same problem, reported again.
    second = submit(description=CORRIDOR, lat=31.24468, lng=121.403).json()
    dispatcher = as_user("demo-dispatcher")
    assert _order(client, dispatcher, first["work_order_id"])["status"] == "dispatched"
    item = next(
        i
        for i in client.get("/api/v1/dispatch/queue", headers=dispatcher).json()["items"]
        if i["id"] == second["work_order_id"]
    )
    assert [d["id"] for d in item["duplicates"]] == [first["work_order_id"]]
    assert 10 < item["duplicates"][0]["distance_m"] < 30
    merged = client.post(
        f"/api/v1/workorders/{item['id']}/merge",
        json={"version": item["version"], "into_work_order_id": first["work_order_id"]},
        headers=dispatcher,
    )
    assert merged.status_code == 200, merged.text
    assert (
        merged.json()["status"] == "merged"
        and merged.json()["duplicate_of_id"] == first["work_order_id"]
    )
    target = _order(client, dispatcher, first["work_order_id"])
    assert target["repeat_count"] == 1 and target["events"][-1]["kind"] == "duplicate_merged"
    # Both reporters stay credited: each report still leads to the problem.
    assert (
        client.get(f"/api/v1/reports/{second['id']}", headers=as_user("demo-member")).json()[
            "work_order_id"
        ]
        == item["id"]
    )


def test_group_rental_coming_back_to_the_same_address_goes_to_the_safety_office(
    submit, client, as_user
) -> None:
    text = "小区里有人群租，一套房住了十几个人"
    first = submit(description=text, address="铜川路100弄5号").json()
    second = submit(description=text, address="铜川路100弄5号", lat=31.2449, lng=121.4045).json()
    dispatcher = as_user("demo-dispatcher")
    assert (
        _order(client, dispatcher, first["work_order_id"])["lead_department"]["name"] == "第一片区"
    )
    second_order = _order(client, dispatcher, second["work_order_id"])
    # The repeat may also be offered as a duplicate; either way its lead follows 返潮.
    if second_order["status"] == "reported":
        second_order = client.post(
            f"/api/v1/workorders/{second_order['id']}/dispatch",
            json={"version": second_order["version"], "category_number": 26},
            headers=dispatcher,
        ).json()
    assert second_order["lead_department"]["name"] == "社区平安办"


def test_orders_are_hidden_from_unrelated_people(submit, client, as_user) -> None:
    # In 真北社区第2网格: not the inspector's grid.
    order_id = submit(description="有人在绿地里私自搭建违章建筑", lat=31.236, lng=121.409).json()[
        "work_order_id"
    ]
    assert (
        client.get(f"/api/v1/workorders/{order_id}", headers=as_user("demo-handler")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/workorders/{order_id}", headers=as_user("demo-inspector")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/workorders/{order_id}", headers=as_user("demo-member")).status_code
        == 200
    )
    assert (
        client.get("/api/v1/workorders/999999", headers=as_user("demo-dispatcher")).status_code
        == 404
    )


def test_the_confidence_threshold_is_a_setting(settings, clock, demo) -> None:
    from fastapi.testclient import TestClient

    from backend.main import create_app

    # Scores are probabilities: no report reaches this, so nothing is automatic.
    strict = settings.model_copy(update={"classifier_min_score": 1.01})
    with TestClient(create_app(strict, clock)) as client:
        token = client.post(
            "/api/v1/auth/login", data={"username": "demo-member", "password": "gridline-demo"}
        ).json()["access_token"]
        body = client.post(
            "/api/v1/classify",
            json={"text": CORRIDOR},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert body["candidates"][0]["number"] == 66 and body["confident"] is False
