"""Single steps and their refusals: closure lint, attachments, sign-offs, concurrency, the
chain, verification limits, supervision, 存电, 不予受理, returns that need more."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from tests.workorders.conftest import closure_body


def _in_progress(w) -> None:
    """Accept, first contact (both levels in zhenru), check in, before and after photos."""
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")


def test_closure_with_a_forbidden_phrase_is_refused_naming_it(walker) -> None:
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    refused = w.step(
        "demo-handler",
        "closure",
        expect=422,
        **closure_body(process="我们将会尽快处理楼道堆物问题", photo_ids=photos),
    )
    assert refused["error"]["code"] == "forbidden_phrase" and "将会" in refused["error"]["message"]
    assert refused["error"]["field"] == "process"
    assert w.get("demo-handler")["status"] == "in_progress"  # nothing changed


def test_a_fourth_attachment_is_refused(walker) -> None:
    w = walker()
    _in_progress(w)
    for _ in range(2):
        w.upload("demo-handler", "scene")
    photos = [p["id"] for p in w.order["evidence"]["photos"]][:4]
    refused = w.step("demo-handler", "closure", expect=422, **closure_body(photo_ids=photos))
    assert refused["error"]["code"] == "too_many_attachments" and "3" in refused["error"]["message"]
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos[:3]))


def test_untrue_finding_needs_a_leader_sign_off(walker) -> None:
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    body = closure_body(fact_finding="untrue", result="explained", photo_ids=photos)
    refused = w.step("demo-handler", "closure", expect=422, **body)
    assert refused["error"]["code"] == "leader_signoff_required"
    w.upload("demo-handler", "signoff")
    w.step(
        "demo-handler", "closure", **{**body, "leader_signoff_photo_id": w.last_photo("signoff")}
    )
    assert w.order["status"] == "submitted"


def test_two_handlers_accepting_at_once_one_wins(walker, client, as_user) -> None:
    w = walker()
    handlers = client.get("/api/v1/me", headers=as_user("demo-handler")).json()
    body = {
        "username": "handler-two",
        "display_name": "李承办",
        "role": "handler",
        "password": "long-enough-1",
        "department_id": handlers["department"]["id"],
    }
    assert client.post("/api/v1/users", json=body, headers=as_user("demo-admin")).status_code == 201
    headers = [as_user("demo-handler"), as_user("handler-two", "long-enough-1")]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def accept(h: dict[str, str]) -> None:
        barrier.wait()
        response = client.post(
            f"/api/v1/workorders/{w.id}/accept", json={"version": w.order["version"]}, headers=h
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert w.get("demo-dispatcher")["kinds" if False else "status"] == "accepted"
    assert [e["kind"] for e in w.order["events"]].count("accepted") == 1


def test_tampering_with_a_stored_event_breaks_the_chain(walker, client, as_user, db) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    chain = f"/api/v1/workorders/{w.id}/chain"
    assert client.get(chain, headers=as_user("demo-dispatcher")).json() == {
        "valid": True,
        "events": 3,
    }
    with db.begin() as conn:
        conn.execute(
            text("UPDATE work_order_event SET payload = :p WHERE work_order_id = :o AND seq = 2"),
            {"p": '{"mode": "manual"}', "o": w.id},
        )
    assert client.get(chain, headers=as_user("demo-dispatcher")).json() == {
        "valid": False,
        "events": 3,
    }


def test_more_than_five_failed_checks_start_overdue_supervision(walker) -> None:
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    w.upload("demo-handler", "signoff")  # zhenru: a closure sent back is signed (seed 003)
    signed = {"responsible_signoff_photo_id": w.last_photo("signoff")}
    for attempt in range(1, 7):
        w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
        w.step(
            "demo-inspector", "verification", passed=False, reasons=f"第{attempt}次核查仍未整改到位"
        )
        assert w.order["failed_checks"] == attempt
        overdue = [s for s in w.order["supervisions"] if s["kind"] == "overdue"]
        assert len(overdue) == (1 if attempt == 6 else 0)
    refused = w.step("demo-inspector", "verification", expect=409, passed=False, reasons="再查")
    assert refused["error"]["code"] == "illegal_transition"


def test_supervision_reply_and_unreplied_counts(walker, client, as_user, clock) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    w.step(
        "demo-leader",
        "supervisions",
        kind="leader_assigned",
        level="street",
        notice="请三日内清理完毕并回复",
    )
    notice = w.order["supervisions"][-1]
    assert notice["reply_due_at"].startswith("2026-11-30") and notice["reply"] is None
    counts = client.get("/api/v1/supervisions/unreplied", headers=as_user("demo-dispatcher")).json()
    assert counts["total"] == 1 and counts["by_department"][0]["count"] == 1
    bad = w.step(
        "demo-handler", f"supervisions/{notice['id']}/reply", expect=422, reply="正在处理中"
    )
    assert "正在" in bad["error"]["message"]
    w.step("demo-handler", f"supervisions/{notice['id']}/reply", reply="已组织清理，楼道恢复畅通")
    assert w.order["supervisions"][-1]["replied_at"] is not None
    assert (
        client.get("/api/v1/supervisions/unreplied", headers=as_user("demo-dispatcher")).json()[
            "total"
        ]
        == 0
    )
    wrong = w.step(
        "demo-leader", "supervisions", expect=422, kind="gossip", level="street", notice="随便看看"
    )
    assert wrong["error"]["field"] == "kind"


def test_stored_call_needs_both_sign_offs(walker, client, as_user) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    w.upload("demo-handler", "signoff")
    dispatcher_id = client.get("/api/v1/me", headers=as_user("demo-dispatcher")).json()["id"]
    leader_id = client.get("/api/v1/me", headers=as_user("demo-leader")).json()["id"]
    body = {
        "category": "handled_unsatisfied",
        "calls_same_matter": 6,
        "main_claim": "要求拆除邻居楼道隔断",
        "handling": "已多次现场核查并依法处置",
        "conclusion": "已依法处理完毕",
        "reply_points": "已多次解释说明",
        "department_signoff_photo_id": w.last_photo("signoff"),
    }
    wrong = w.step("demo-leader", "store", expect=422, **body, command_center_approver_id=leader_id)
    assert wrong["error"]["field"] == "command_center_approver_id"
    assert w.step(
        "demo-handler", "store", expect=403, **body, command_center_approver_id=dispatcher_id
    )
    # The 备案单 needs its evidence (证据材料): the sign-off form alone is not evidence.
    bare = w.step(
        "demo-leader", "store", expect=422, **body, command_center_approver_id=dispatcher_id
    )
    assert bare["error"]["field"] == "evidence"
    w.upload("demo-handler", "scene")
    w.step("demo-leader", "store", **body, command_center_approver_id=dispatcher_id)
    assert w.order["status"] == "stored" and w.order["satisfaction_exempt"] is True
    # Kept on file for later calls on the matter: not archived.
    assert w.step("demo-dispatcher", "archive", expect=409)["error"]["code"] == "illegal_transition"


def test_reject_needs_a_reason_from_the_list(walker) -> None:
    w = walker(description="这里有问题请处理")
    assert w.order["status"] == "reported"
    bad = w.step("demo-dispatcher", "reject", expect=422, reason_code="not_in_the_mood")
    assert bad["error"]["code"] == "invalid_reject_reason"
    w.step("demo-dispatcher", "reject", reason_code="incomplete_order", note="地址不明，无法联系")
    assert w.order["status"] == "rejected"
    assert next(c for c in w.order["clocks"] if c["name"] == "dispatch")["met_at"] is not None


def test_returns_approved_once_then_need_a_leader_and_coordination(walker, client, as_user) -> None:
    def department(name: str) -> int:
        items = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()["items"]
        return next(d["id"] for d in items if d["name"] == name)

    w = walker()
    w.step("demo-handler", "accept")
    w.upload("demo-handler", "signoff")
    self_id = client.get("/api/v1/me", headers=as_user("demo-handler")).json()["department"]["id"]
    bad = w.step(
        "demo-handler",
        "returns",
        expect=422,
        reason="不归我们管",
        suggested_department_id=self_id,
        signoff_photo_id=w.last_photo("signoff"),
    )
    assert bad["error"]["field"] == "suggested_department_id"
    w.step(
        "demo-handler",
        "returns",
        reason="楼道隔断属社区管理办职责",
        suggested_department_id=department("社区管理办"),
        signoff_photo_id=w.last_photo("signoff"),
    )
    assert w.order["returns"][-1]["needs_leader"] is False
    assert w.step(
        "demo-handler", f"returns/{w.order['returns'][-1]['id']}/decision", expect=403, approve=True
    )
    w.step("demo-dispatcher", f"returns/{w.order['returns'][-1]['id']}/decision", approve=True)
    assert w.order["status"] == "dispatched" and w.order["lead_department"]["name"] == "社区管理办"
    assert "return_approved" in [e["kind"] for e in w.order["events"]]
    # The old department no longer sees the order; the new one does.
    assert (
        client.get(f"/api/v1/workorders/{w.id}", headers=as_user("demo-handler")).status_code == 404
    )


def test_unsatisfied_callback_redo_is_breached_when_late(walker, clock, db) -> None:
    from backend.worker import sweep

    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos))
    w.step("demo-dispatcher", "verification", passed=True)
    w.step("demo-dispatcher", "callback", satisfaction="neutral", resolution="unresolved")
    assert w.order["warning_order"] is True
    clock.advance(timedelta(days=10))
    assert sweep(db, clock.now()).breached >= 1
    redo = next(c for c in w.get("demo-dispatcher")["clocks"] if c["name"] == "redo")
    assert redo["breached_at"] is not None


def test_a_repeat_complaint_marked_at_dispatch_needs_a_leader_to_return(
    walker, client, as_user
) -> None:
    w = walker(description="这里有问题请处理")
    items = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()["items"]
    team = next(d["id"] for d in items if d["name"] == "第一片区")
    other = next(d["id"] for d in items if d["name"] == "社区管理办")
    w.step(
        "demo-dispatcher",
        "dispatch",
        category_number=66,
        lead_department_id=team,
        marked_repeat=True,
    )
    w.step("demo-handler", "accept")
    w.upload("demo-handler", "signoff")
    w.step(
        "demo-handler",
        "returns",
        reason="属社区管理办职责",
        suggested_department_id=other,
        signoff_photo_id=w.last_photo("signoff"),
    )
    pending = w.order["returns"][-1]
    assert pending["needs_leader"] is True
    denied = w.step(
        "demo-dispatcher", f"returns/{pending['id']}/decision", expect=403, approve=True
    )
    assert denied["error"]["code"] == "leader_required"
    w.step("demo-leader", f"returns/{pending['id']}/decision", approve=True)
    assert w.order["lead_department"]["name"] == "社区管理办"


STEP_PATHS = [
    "accept",
    "first-contact",
    "check-in",
    "returns",
    "returns/1/decision",
    "extensions",
    "extensions/1/decision",
    "closure",
    "assist-report",
    "verification",
    "callback",
    "supervisions",
    "supervisions/1/reply",
    "store",
    "reject",
    "merge",
    "archive",
    "dispatch",
]


def test_bad_bodies_get_json_4xx_on_every_step(walker, client, as_user) -> None:
    w = walker()
    headers = as_user("demo-dispatcher")
    for path in STEP_PATHS:
        for body in (
            {},
            {"version": "x"},
            {"version": -1},
            [],
            {"version": w.order["version"], "junk": "∞" * 5000},
        ):
            response = client.post(f"/api/v1/workorders/{w.id}/{path}", json=body, headers=headers)
            assert 400 <= response.status_code < 500, (path, body, response.text)
            assert response.json()["error"]["code"], (path, body)
        missing = client.post(
            f"/api/v1/workorders/999999/{path}", json={"version": 1}, headers=headers
        )
        assert missing.status_code in (404, 422), (path, missing.text)
    assert w.get("demo-dispatcher")["version"] == w.order["version"]  # nothing was half-written


def test_sms_replaces_the_call_only_after_three_failed_calls_at_different_times(
    hotline_walker, clock
) -> None:
    w = hotline_walker()
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")
    w.upload("demo-handler", "sms")
    sms = {
        "level": "department",
        "outcome": "reached",
        "method": "sms",
        "sms_photo_id": w.last_photo("sms"),
    }
    for _ in range(3):  # three calls within twenty minutes: not "different times"
        w.step("demo-handler", "first-contact", level="department", outcome="failed")
        clock.advance(timedelta(minutes=10))
    refused = w.step("demo-handler", "first-contact", expect=422, **sms)
    assert (
        refused["error"]["code"] == "failed_attempts_required"
        and refused["error"]["field"] == "method"
    )
    for _ in range(2):
        clock.advance(timedelta(minutes=40))
        w.step("demo-handler", "first-contact", level="department", outcome="failed")
    w.step("demo-handler", "first-contact", **sms)
    assert w.order["status"] == "in_progress" and w.order["first_contact_at"] is not None
    assert next(c for c in w.order["clocks"] if c["name"] == "first_contact")["met_at"] is not None
