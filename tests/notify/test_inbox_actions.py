"""Notifications that reach people, and items that ask for an action resolved once it is taken
(issue 11): the reporter hears how the report goes, the dispatcher's "待派单" is resolved by the
dispatch whoever dispatches, a handler hears how its return and extension were decided, an
inspector hears of an order waiting for its verification; the tab bar's unread count."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.config import Settings
from tests.workorders.conftest import CORRIDOR, OrderWalker, closure_body

VAGUE = "这里有点问题，麻烦来看一下"
PASSWORD = "another-pass-1"


@pytest.fixture
def settings(request, database_url, tmp_path) -> Settings:
    """The default profile (zhenru), or the one a test names."""
    return Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        dev_mode=True,
        inprocess_worker=False,
        policy_profile=getattr(request, "param", "zhenru"),
    )


def _inbox(client, headers: dict[str, str], **query: Any) -> list[dict]:
    response = client.get("/api/v1/inbox", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _unread(client, headers: dict[str, str]) -> int:
    response = client.get("/api/v1/inbox/unread-count", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["unread"]


def _about(items: list[dict], order_id: int, kind: str) -> dict:
    """The newest item of ``kind`` about the order."""
    found = [n for n in items if n["work_order_id"] == order_id and n["kind"] == kind]
    assert found, [(n["kind"], n["work_order_id"]) for n in items]
    return found[0]


def _department_id(client, as_user, name: str) -> int:
    items = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()["items"]
    return next(d["id"] for d in items if d["name"] == name)


def _new_user(client, as_user, username: str, role: str) -> dict[str, str]:
    body = {"username": username, "display_name": username, "role": role, "password": PASSWORD}
    created = client.post("/api/v1/users", json=body, headers=as_user("demo-admin"))
    assert created.status_code == 201, created.text
    return as_user(username, PASSWORD)


def _in_progress(w: OrderWalker) -> None:
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")


def test_a_queued_report_is_dispatched_and_every_dispatchers_item_is_resolved(
    submit, client, as_user
) -> None:
    other_dispatcher = _new_user(client, as_user, "dispatcher-b", "dispatcher")
    dispatcher = as_user("demo-dispatcher")
    before = _unread(client, dispatcher)
    report = submit(description=VAGUE)
    assert report.status_code == 201, report.text
    order_id = report.json()["work_order_id"]

    for headers in (dispatcher, other_dispatcher):
        queued = _about(_inbox(client, headers), order_id, "dispatch_needed")
        assert queued["title"].startswith("待派单")
        assert queued["action"] == "dispatch"
        assert queued["resolved"] is False and queued["resolved_at"] is None
        assert queued["id"] in {n["id"] for n in _inbox(client, headers, actionable="true")}
    assert _unread(client, dispatcher) == before + 1
    member = as_user("demo-member")
    assert [n["kind"] for n in _inbox(client, member)] == ["report_received"]
    assert "已受理" in _inbox(client, member)[0]["title"]

    # One dispatcher dispatches: the item is resolved for both, and leaves the badge.
    w = OrderWalker(client, as_user, order_id)
    team = _department_id(client, as_user, "第一片区")
    w.step("demo-dispatcher", "dispatch", category_number=66, lead_department_id=team)
    for headers in (dispatcher, other_dispatcher):
        done = _about(_inbox(client, headers), order_id, "dispatch_needed")
        assert done["resolved"] is True and done["resolved_at"] is not None
        assert done["read_at"] is None
        assert order_id not in {n["work_order_id"] for n in _inbox(client, headers, unread="true")}
        assert order_id not in {
            n["work_order_id"] for n in _inbox(client, headers, actionable="true")
        }
    assert _unread(client, dispatcher) == before

    # The reporter hears where it went; the lead department is asked to accept it.
    told = _about(_inbox(client, member), order_id, "report_dispatched")
    assert "已派至第一片区处理" in told["body"] and told["action"] is None
    handler = as_user("demo-handler")
    new_order = _about(_inbox(client, handler), order_id, "dispatched")
    assert new_order["action"] == "accept" and new_order["resolved"] is False
    unread = _unread(client, handler)
    w.step("demo-handler", "accept")
    assert _about(_inbox(client, handler), order_id, "dispatched")["resolved"] is True
    assert _unread(client, handler) == unread - 1


def test_a_merged_duplicate_resolves_the_queue_item_and_tells_its_reporter(
    walker, submit, client, as_user
) -> None:
    first = walker()
    duplicate = submit(description=CORRIDOR, lat=first.order["lat"] + 0.00005)
    assert duplicate.status_code == 201, duplicate.text
    w = OrderWalker(client, as_user, duplicate.json()["work_order_id"])
    assert w.order["status"] == "reported", w.order["routing_reason"]
    dispatcher = as_user("demo-dispatcher")
    assert _about(_inbox(client, dispatcher), w.id, "dispatch_needed")["resolved"] is False
    w.step("demo-dispatcher", "merge", into_work_order_id=first.id)
    assert _about(_inbox(client, dispatcher), w.id, "dispatch_needed")["resolved"] is True
    merged = _about(_inbox(client, as_user("demo-member")), w.id, "report_merged")
    assert first.order["number"] in merged["title"]


def test_the_reporter_hears_of_the_closure_and_the_callback_and_the_inspector_verifies(
    walker, submit, client, as_user
) -> None:
    elsewhere = _new_user(client, as_user, "inspector-b", "inspector")  # patrols no grid
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos))
    assert w.order["status"] == "submitted"

    # The inspector of the order's grid and the command center are asked to verify it.
    inspector, dispatcher = as_user("demo-inspector"), as_user("demo-dispatcher")
    waiting = _about(_inbox(client, inspector, actionable="true"), w.id, "closure_submitted")
    assert waiting["title"] == f"待核查：{w.order['number']}"
    assert waiting["action"] == "verification"
    assert _about(_inbox(client, dispatcher), w.id, "closure_submitted")["action"] == "verification"
    assert not [n for n in _inbox(client, elsewhere) if n["work_order_id"] == w.id]
    member = as_user("demo-member")
    handled = _about(_inbox(client, member), w.id, "report_handled")
    assert "已处置" in handled["title"]

    # The inspector verifies: the item is resolved for the command center too.
    unread = _unread(client, dispatcher)
    w.step("demo-inspector", "verification", passed=True)
    for headers in (inspector, dispatcher):
        assert _about(_inbox(client, headers), w.id, "closure_submitted")["resolved"] is True
    assert _unread(client, dispatcher) == unread - 1

    w.step("demo-dispatcher", "callback", satisfaction="satisfied", resolution="resolved")
    assert w.order["status"] == "closed"
    closed = _about(_inbox(client, member), w.id, "report_closed")
    assert closed["title"] == f"您上报的问题已办结：{w.order['number']}"
    assert "回访结果：满意" in closed["body"]
    kinds = [n["kind"] for n in _inbox(client, member) if n["work_order_id"] == w.id]
    assert kinds == ["report_closed", "report_handled", "report_dispatched"]
    # A closed order asks nothing more of anyone.
    assert not [
        n
        for user in ("demo-handler", "demo-dispatcher", "demo-inspector")
        for n in _inbox(client, as_user(user), actionable="true")
        if n["work_order_id"] == w.id
    ]


# Jiangning takes a return without a signed form: one sent before acceptance, which carries
# no evidence yet.
@pytest.mark.parametrize("settings", ["jiangning"], indirect=True)
def test_a_handler_hears_how_its_return_was_decided(walker, client, as_user) -> None:
    handler, dispatcher = as_user("demo-handler"), as_user("demo-dispatcher")
    other = _department_id(client, as_user, "社区管理办")

    def request_return(w: OrderWalker) -> int:
        signed: dict[str, int] = {}
        if w.order["status"] != "dispatched":  # evidence comes with the order once accepted
            w.upload("demo-handler", "signoff")
            signed["signoff_photo_id"] = w.last_photo("signoff")
        w.step(
            "demo-handler",
            "returns",
            reason="楼道隔断属社区管理办职责",
            suggested_department_id=other,
            **signed,
        )
        asked = _about(_inbox(client, dispatcher), w.id, "return_requested")
        assert asked["action"] == "return-decision" and asked["resolved"] is False
        return w.order["returns"][-1]["id"]

    # Returned before acceptance and refused: the department is asked to accept it again.
    refused = walker()
    return_id = request_return(refused)
    assert _about(_inbox(client, handler), refused.id, "dispatched")["resolved"] is True
    refused.step(
        "demo-dispatcher", f"returns/{return_id}/decision", approve=False, note="属片区职责"
    )
    assert refused.order["status"] == "dispatched"
    told = _about(_inbox(client, handler), refused.id, "return_refused")
    assert told["title"].startswith("退单未通过") and "审核意见：属片区职责" in told["body"]
    assert told["action"] == "accept" and told["resolved"] is False
    assert _about(_inbox(client, dispatcher), refused.id, "return_requested")["resolved"] is True

    # Accepted, returned again and approved: the department hears where the order went.
    w = refused
    w.step("demo-handler", "accept")
    assert _about(_inbox(client, handler), w.id, "return_refused")["resolved"] is True
    return_id = request_return(w)
    decider = "demo-leader" if w.order["returns"][-1]["needs_leader"] else "demo-dispatcher"
    w.step(decider, f"returns/{return_id}/decision", approve=True)
    told = _about(_inbox(client, handler), w.id, "return_approved")
    assert told["title"] == f"退单已通过：{w.order['number']}"
    assert "已改派至社区管理办" in told["body"]
    asked = [n for n in _inbox(client, as_user(decider)) if n["kind"] == "return_requested"]
    assert asked and all(n["resolved"] for n in asked)


def test_a_handler_hears_how_its_extension_was_decided(walker, client, as_user) -> None:
    w = walker()
    _in_progress(w)
    handler = as_user("demo-handler")

    def ask(days: int) -> tuple[int, str]:
        """Asks for ``days`` more; answers the extension's id and who decides it."""
        due = datetime.fromisoformat(w.clock("resolve")["due_at"])
        w.step(
            "demo-handler",
            "extensions",
            reason="需协调物业和居民共同清理",
            plan="两天内协调，三天内清运",
            milestones=[{"date": "2026-11-25", "text": "协调会"}],
            photo_ids=[w.last_photo("before")],
            requested_due_at=(due + timedelta(days=days)).isoformat(),
        )
        extension = w.order["extensions"][-1]
        approver = "demo-leader" if extension["needs_leader"] else "demo-dispatcher"
        asked = _about(_inbox(client, as_user(approver)), w.id, "extension_requested")
        assert asked["action"] == "extension-decision" and asked["resolved"] is False
        return extension["id"], approver

    extension_id, approver = ask(1)
    w.step(approver, f"extensions/{extension_id}/decision", approve=False, note="时限内可完成")
    refused = _about(_inbox(client, handler), w.id, "extension_decided")
    assert refused["title"] == f"延期未批准：{w.order['number']}"
    assert "请在原时限" in refused["body"] and "审核意见：时限内可完成" in refused["body"]
    asked = _about(_inbox(client, as_user(approver)), w.id, "extension_requested")
    assert asked["resolved"] is True

    extension_id, approver = ask(2)
    w.step(approver, f"extensions/{extension_id}/decision", approve=True)
    approved = _about(_inbox(client, handler), w.id, "extension_decided")
    assert approved["title"] == f"延期已批准：{w.order['number']}"
    new_due = datetime.fromisoformat(w.clock("resolve")["due_at"])
    assert f"办结时限延至 {new_due:%Y-%m-%d %H:%M}" in approved["body"]
    asked_all = [n for n in _inbox(client, as_user(approver)) if n["kind"] == "extension_requested"]
    assert len(asked_all) == 2 and all(n["resolved"] for n in asked_all)


def test_the_unread_count_counts_what_is_neither_read_nor_resolved(submit, client, as_user) -> None:
    assert client.get("/api/v1/inbox/unread-count").status_code == 401
    member, dispatcher = as_user("demo-member"), as_user("demo-dispatcher")
    assert _unread(client, member) == 0
    for _ in range(2):
        assert submit(description=VAGUE).status_code == 201
    assert _unread(client, member) == 2
    items = _inbox(client, dispatcher, unread="true")
    assert _unread(client, dispatcher) == len(items) == 2
    read = client.post(f"/api/v1/inbox/{items[0]['id']}/read", headers=dispatcher)
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None and read.json()["resolved"] is False
    assert _unread(client, dispatcher) == 1
    # Another user's count is their own.
    assert _unread(client, as_user("demo-handler")) == 0
