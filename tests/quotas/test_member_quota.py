"""A member's week through the API: valid finds, the day-off bonus by the working calendar,
the timeline penalties, who may look, and bad input."""

from __future__ import annotations

from backend.seams.notifier import NullNotifier
from backend.worker import tick
from tests.hotline.rows import platform_row
from tests.quotas.conftest import at
from tests.workorders.conftest import CORRIDOR, closure_body

VAGUE = "这里有问题请处理"  # the classifier is unsure: the order waits for a dispatcher
STALL = "路边有人无证设摊卖水果，占用人行道"

SHAPE = {
    "member", "profile", "note", "week", "from", "to", "working_days", "finds", "quota",
    "target", "missing", "bonus", "penalty", "points", "warning", "exempt", "provisional",
    "closed", "closed_at", "empty_weeks_in_a_row", "recommend_replacement", "find_list",
    "ledger", "so_far", "year_points",
}  # fmt: skip


def test_a_find_on_the_make_up_saturday_earns_no_bonus_one_on_sunday_does(
    submit, clock, quota, user_id
) -> None:
    member = user_id("demo-member")
    clock.set(at(10))  # Saturday 2026-10-10: a 调休 working day
    assert submit(description=CORRIDOR).status_code == 201
    week = quota("demo-member", member, "2026-W41").json()
    assert set(week) == SHAPE
    assert week["profile"] == "heyang" and week["week"] == "2026-W41"
    assert (week["from"], week["to"]) == ("2026-10-05", "2026-10-11")
    # Three working days (8th, 9th, the 调休 10th): the minimum of 2 pro-rated to 1.
    assert (week["working_days"], week["quota"], week["finds"], week["missing"]) == (3, 1, 1, 0)
    assert week["bonus"] == 0 and week["points"] == 0 and week["warning"] is False
    assert [f["day_off"] for f in week["find_list"]] == [False]
    assert week["find_list"][0]["at"].startswith("2026-10-10T10:00:00")
    assert week["closed"] is False and week["ledger"] == [] and week["closed_at"] is None
    assert week["member"]["grids"][0]["name"] == "铜川路社区第1网格"

    clock.set(at(11))  # Sunday 2026-10-11: a day off
    assert submit(description=STALL, lat=31.2436, lng=121.4095).status_code == 201
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 2 and week["bonus"] == 1 and week["points"] == 1
    assert [f["day_off"] for f in week["find_list"]] == [False, True]
    # Without ?week=, the current week on the Shanghai wall clock.
    assert quota("demo-member", member).json()["week"] == "2026-W41"


def test_rejected_and_merged_reports_are_not_finds(submit, client, as_user, clock, quota, user_id):
    member = user_id("demo-member")
    clock.set(at(8))  # Thursday, a working day
    dispatcher = as_user("demo-dispatcher")
    kept = submit(description=CORRIDOR).json()
    vague = submit(description=VAGUE, lat=31.2358, lng=121.4152).json()
    again = submit(description=CORRIDOR, lat=31.24468, lng=121.403).json()  # 20 m from kept

    def order(order_id: int) -> dict:
        return client.get(f"/api/v1/workorders/{order_id}", headers=dispatcher).json()

    before = quota("demo-member", member, "2026-W41").json()
    assert before["finds"] == 3
    rejected = client.post(
        f"/api/v1/workorders/{vague['work_order_id']}/reject",
        json={
            "version": order(vague["work_order_id"])["version"],
            "reason_code": "incomplete_order",
        },
        headers=dispatcher,
    )
    assert rejected.status_code == 200, rejected.text
    merged = client.post(
        f"/api/v1/workorders/{again['work_order_id']}/merge",
        json={
            "version": order(again["work_order_id"])["version"],
            "into_work_order_id": kept["work_order_id"],
        },
        headers=dispatcher,
    )
    assert merged.status_code == 200, merged.text
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 1
    assert [f["work_order_id"] for f in week["find_list"]] == [kept["work_order_id"]]


def test_who_may_see_a_members_week(quota, user_id) -> None:
    member = user_id("demo-member")
    for viewer in ("demo-member", "demo-chief", "demo-dispatcher", "demo-leader", "demo-admin"):
        assert quota(viewer, member, "2026-W41").status_code == 200, viewer
    # Another member of the same grid, a handler, the chief of another community's grids.
    for viewer in ("demo-inspector", "demo-handler", "demo-chief-b"):
        response = quota(viewer, member, "2026-W41")
        assert response.status_code == 403, viewer
        assert response.json()["error"]["code"] == "quota_forbidden"
    assert quota("demo-dispatcher", 999_999, "2026-W41").status_code == 404


def test_a_bad_week_is_refused_naming_it(quota, user_id) -> None:
    member = user_id("demo-member")
    for week in ("2026-W54", "2025-W53", "W47", "2026-47", "2026-W00"):
        response = quota("demo-member", member, week)
        assert response.status_code == 422, week
        error = response.json()["error"]
        assert error["field"] == "week" and error["message"], week


def test_three_citizen_calls_before_the_members_report_cost_five(
    submit, client, as_user, clock, quota, user_id
) -> None:
    """五(二): 被动接受反复投诉3次以上 — three hotline orders about the corridor at the same
    place and category before the member reported it."""
    member = user_id("demo-member")
    clock.set(at(8, 9))
    for minute in range(3):
        response = client.post(
            "/api/v1/hotline/orders",
            json=platform_row(content=CORRIDOR, received_at=f"2026-10-08T09:0{minute}:00+08:00"),
            headers=as_user("demo-dispatcher"),
        )
        assert response.status_code == 201, response.text
    clock.set(at(8, 11))
    assert submit(description=CORRIDOR).status_code == 201
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 1 and week["missing"] == 0
    assert week["penalty"] == 5 and week["points"] == -5
    # A member who reports before the citizens' third call is not charged.
    clock.set(at(9, 9))
    assert submit(description=STALL, lat=31.2436, lng=121.4095).status_code == 201
    assert quota("demo-member", member, "2026-W41").json()["penalty"] == 5


def _call(client, as_user, received_at: str, **fields) -> dict:
    response = client.post(
        "/api/v1/hotline/orders",
        json=platform_row(**{"content": CORRIDOR, "received_at": received_at, **fields}),
        headers=as_user("demo-dispatcher"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_three_calls_the_member_never_reported_cost_every_member_of_the_grid_five(
    db, submit, client, as_user, clock, quota, user_id, settings
) -> None:
    """五(二): 未主动发现问题、被动接受反复投诉3次以上 … 网格员未及时巡查上报 — the grid's members
    never report the corridor; the third citizen call is the 起, charged once in its week."""
    member, inspector = user_id("demo-member"), user_id("demo-inspector")
    clock.set(at(8, 9))
    calls = [_call(client, as_user, f"2026-10-08T09:0{m}:00+08:00") for m in range(3)]
    third = calls[2]["results"][0]
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 0 and week["penalty"] == 1 + 5  # one find missing, one 起
    passive = [line for line in week["so_far"] if line["reason"] == "passive_discovery"]
    assert [(line["points"], line["work_order_id"]) for line in passive] == [
        (-5, third["work_order_id"])
    ]
    assert passive[0]["number"] and "反复投诉" in passive[0]["reason_label"]
    # The inspector placed in the same grid is one of its members: charged alike.
    assert quota("demo-inspector", inspector, "2026-W41").json()["penalty"] == 1 + 5
    # A 4th call and the member's report afterwards are the same 起: not charged again.
    clock.set(at(9, 9))
    _call(client, as_user, "2026-10-09T09:00:00+08:00")
    assert submit(description=CORRIDOR).status_code == 201
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 1 and week["penalty"] == 5
    # The weekly close (the worker, Monday) books exactly the lines the week showed.
    clock.set(at(12, 0))
    tick(db, clock.now(), NullNotifier(), settings)
    booked = quota("demo-member", member, "2026-W41").json()
    assert booked["closed"] is True and booked["so_far"] == []
    assert [(x["reason"], x["points"], x["work_order_id"]) for x in booked["ledger"]] == [
        (x["reason"], x["points"], x["work_order_id"]) for x in week["so_far"]
    ]


def test_calls_after_the_members_report_or_in_another_grid_cost_nothing(
    submit, client, as_user, clock, quota, user_id
) -> None:
    member = user_id("demo-member")
    clock.set(at(8, 9))
    assert submit(description=CORRIDOR).status_code == 201  # found first: 主动发现
    for minute in range(3):
        _call(client, as_user, f"2026-10-08T10:0{minute}:00+08:00")
    # Three calls about a stall in 真北社区 (another grid): not this member's to find.
    for minute in range(3):
        elsewhere = _call(
            client, as_user, f"2026-10-08T11:0{minute}:00+08:00",
            content=STALL, address="真北路1号", lat=31.236, lng=121.403,
        )["results"][0]  # fmt: skip
    order = client.get(
        f"/api/v1/workorders/{elsewhere['work_order_id']}", headers=as_user("demo-dispatcher")
    ).json()
    grids = client.get("/api/v1/grids", params={"level": 3}, headers=as_user("demo-admin"))
    names = {g["id"]: g["name"] for g in grids.json()["items"]}
    assert names[order["grid_id"]] == "真北社区第1网格"
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 1 and week["penalty"] == 0
    assert all(line["reason"] != "passive_discovery" for line in week["so_far"])


def test_a_failed_verification_of_the_members_order_costs_five(walker, clock, quota, user_id):
    """五(二): 核查结果不真实、未整改工单 — charged in the week the verification failed."""
    member = user_id("demo-member")
    clock.set(at(8, 9))
    w = walker()
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    photos = [w.last_photo("before"), w.last_photo("after")]
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos))
    w.step("demo-inspector", "verification", passed=False, reasons="现场复查仍有杂物")
    week = quota("demo-member", member, "2026-W41").json()
    assert week["finds"] == 1 and week["penalty"] == 5 and week["points"] == -5
    # The same order failing again is the same 件: not charged twice.
    w.upload("demo-handler", "signoff")
    signed = {"responsible_signoff_photo_id": w.last_photo("signoff")}
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
    w.step("demo-inspector", "verification", passed=False, reasons="仍未整改")
    assert quota("demo-member", member, "2026-W41").json()["penalty"] == 5
