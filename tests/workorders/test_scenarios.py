"""Each policy profile: one order from report to archive, with a refused return, an approved
extension, a failed verification, an unsatisfied callback and the redo."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.config import Settings
from tests.workorders.conftest import closure_body, wav_bytes

PROFILES = ["jiangning", "heyang", "xiayang", "zhenru", "dongcheng"]


@pytest.fixture(params=PROFILES)
def settings(request, database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        policy_profile=request.param,
        inprocess_worker=False,
    )


@pytest.fixture
def probe_hidden_steps() -> bool:
    """Every state these walks pass through is probed: each step not offered to the user
    who acts there is sent and must be refused."""
    return True


def _department_id(client, as_user, name: str) -> int:
    items = client.get("/api/v1/departments", headers=as_user("demo-admin")).json()["items"]
    return next(d["id"] for d in items if d["name"] == name)


def test_order_walks_from_report_to_archive(walker, client, as_user, clock, settings) -> None:
    w = walker()
    profile = settings.policy_profile
    assert w.order["status"] == "dispatched" and w.order["profile"] == profile
    clocks_at_dispatch = {c["name"] for c in w.order["clocks"]}
    assert {"dispatch", "resolve"} <= clocks_at_dispatch

    clock.advance(timedelta(minutes=10))
    w.step("demo-handler", "accept")
    assert w.order["status"] == "accepted"

    # A return that the command center refuses: the department keeps the order.
    w.upload("demo-handler", "signoff")
    other = _department_id(client, as_user, "社区自治办")
    w.step(
        "demo-handler",
        "returns",
        reason="楼道堆物应由物业和居委处理，建议改派社区自治办",
        suggested_department_id=other,
        signoff_photo_id=w.last_photo("signoff"),
    )
    assert w.order["status"] == "returned"
    return_id = w.order["returns"][-1]["id"]
    decider = "demo-leader" if w.order["returns"][-1]["needs_leader"] else "demo-dispatcher"
    w.step(decider, f"returns/{return_id}/decision", approve=False, note="属片区职责，请继续办理")
    assert w.order["status"] == "accepted"
    assert w.order["returns"][-1]["status"] == "refused"

    # First contact: zhenru has two levels (the command center first, then the department).
    clock.advance(timedelta(minutes=20))
    if profile == "zhenru":
        w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")
    assert w.order["status"] == "in_progress" and w.order["first_contact_at"] is not None

    w.step("demo-handler", "check-in", lat=31.24452, lng=121.40302)
    w.upload("demo-handler", "before")

    # An extension, approved: the resolve deadline moves and the timeline shows it. Jiangning
    # extends only 疑难 grid cases (seed 000): its 一般 grid order is refused.
    old_due = w.clock("resolve")["due_at"]
    requested = (datetime.fromisoformat(old_due) + timedelta(days=2)).isoformat()
    extends = profile != "jiangning"
    asked = w.step(
        "demo-handler",
        "extensions",
        expect=200 if extends else 422,
        reason="需协调物业和居民共同清理",
        plan="两天内协调，三天内清运",
        milestones=[{"date": "2026-11-25", "text": "协调会"}],
        photo_ids=[w.last_photo("before")],
        requested_due_at=requested,
    )
    if extends:
        extension = w.order["extensions"][-1]
        approver = "demo-leader" if extension["needs_leader"] else "demo-dispatcher"
        w.step(approver, f"extensions/{extension['id']}/decision", approve=True)
        assert w.clock("resolve")["due_at"] == extension["proposed_due_at"] != old_due
    else:
        assert asked["error"]["code"] == "extension_not_allowed"

    w.upload("demo-handler", "after")
    photos = [w.last_photo("before"), w.last_photo("after")]
    if profile == "heyang":  # seed 001 四(二)6: every result reply is signed and stamped
        w.upload("demo-handler", "signoff")
        signed = {"leader_signoff_photo_id": w.last_photo("signoff")}
    else:
        signed = {}
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
    if profile == "zhenru":  # seed 003 三(三)3: a closure sent back is signed by the 责任人
        w.upload("demo-handler", "signoff")
        signed = {"responsible_signoff_photo_id": w.last_photo("signoff")}
    assert w.order["status"] == "submitted"
    assert any(p["phase"] == "comparison" for p in w.order["evidence"]["photos"])

    # The inspector finds the corridor cluttered again: back to the department.
    w.step("demo-inspector", "verification", passed=False, reasons="现场复查仍有杂物")
    assert w.order["status"] == "in_progress" and w.order["failed_checks"] == 1
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
    w.step("demo-dispatcher", "verification", passed=True)
    assert w.order["status"] == "verified"
    # Seed 001 四(二)7: heyang's callbacks are recorded (影像记录或录音).
    recorded: dict[str, int] = {}
    if profile == "heyang":
        w.upload(
            "demo-dispatcher", "document", photo=None, recording=wav_bytes(0.3), kind="callback"
        )
        recorded = {"recording_id": w.last_recording()}

    # The caller is not satisfied: a warning order with the redo clock.
    clock.advance(timedelta(hours=1))
    w.step(
        "demo-dispatcher",
        "callback",
        satisfaction="unsatisfied",
        resolution="unresolved",
        **recorded,
    )
    assert w.order["status"] == "in_progress" and w.order["warning_order"] is True
    redo = w.clock("redo")
    assert redo is not None and redo["met_at"] is None
    if profile in ("xiayang", "zhenru"):  # seed 002: redo within 3 working days
        assert redo["due_at"].startswith("2026-11-26")
    w.step("demo-handler", "closure", **closure_body(photo_ids=photos, **signed))
    w.step("demo-dispatcher", "verification", passed=True)
    w.step(
        "demo-dispatcher", "callback", satisfaction="satisfied", resolution="resolved", **recorded
    )
    assert w.order["status"] == "closed" and w.order["closed_at"] is not None
    # The member who reported it hears of the dispatch, the redo and the closure.
    inbox = client.get("/api/v1/inbox", headers=as_user("demo-member")).json()["items"]
    heard = {n["kind"] for n in inbox}
    assert {"report_dispatched", "report_reopened", "report_closed"} <= heard
    w.step("demo-dispatcher", "archive")
    assert w.order["status"] == "archived"

    # Every clock ended met, none breached.
    for c in w.order["clocks"]:
        assert c["met_at"] is not None and c["breached_at"] is None, c
    expected = [
        "reported",
        "dispatched",
        "accepted",
        "evidence_added",
        "return_requested",
        "return_refused",
    ]
    assert w.kinds()[: len(expected)] == expected
    for kind in (
        "first_contact",
        "checked_in",
        *(["extension_requested", "extension_approved"] if extends else []),
        "closure_submitted",
        "verification_failed",
        "verified",
        "callback",
        "warning_order",
        "closed",
        "archived",
    ):
        assert kind in w.kinds(), kind
    assert w.kinds()[-2:] == ["closed", "archived"]
    chain = client.get(
        f"/api/v1/workorders/{w.id}/chain", headers=as_user("demo-dispatcher")
    ).json()
    assert chain == {"valid": True, "events": len(w.order["events"])}


def _contact_the_caller(w, profile: str) -> None:
    """First contact at every level the profile has (zhenru: the command center's first)."""
    if profile == "zhenru":
        w.call_caller("demo-dispatcher", "command_center")
    w.call_caller("demo-handler", "department")


def _return(w, client, as_user) -> None:
    """The department returns the order with its leader's signed sheet (some streets ask)."""
    w.upload("demo-handler", "signoff")
    w.step(
        "demo-handler",
        "returns",
        reason="楼道堆物应由物业和居委处理，建议改派社区自治办",
        suggested_department_id=_department_id(client, as_user, "社区自治办"),
        signoff_photo_id=w.last_photo("signoff"),
    )
    assert w.order["status"] == "returned" and w.order["returns"][-1]["status"] == "pending"


@pytest.mark.parametrize("ending", ["reject", "merge"])
def test_a_returned_order_rejected_or_merged_settles_its_return(
    hotline_walker, client, as_user, settings, ending
) -> None:
    w = hotline_walker()
    w.step("demo-handler", "accept")
    _contact_the_caller(w, settings.policy_profile)
    _return(w, client, as_user)
    if ending == "reject":
        w.step("demo-dispatcher", "reject", reason_code="out_of_jurisdiction")
        assert w.order["status"] == "rejected"
    else:
        other = hotline_walker(address="铜川路9号", caller_phone="13900001111")
        w.step("demo-dispatcher", "merge", into_work_order_id=other.id)
        assert w.order["status"] == "merged"
    # The department is relieved of the order: its return no longer waits for a decision.
    assert w.order["returns"][-1]["status"] == "approved"
    assert "return_approved" in w.kinds()
    w.step("demo-dispatcher", "archive")
    assert w.order["status"] == "archived"


def test_a_returned_order_dispatched_again_settles_its_return(
    hotline_walker, client, as_user, settings
) -> None:
    w = hotline_walker()
    w.step("demo-handler", "accept")
    _contact_the_caller(w, settings.policy_profile)
    _return(w, client, as_user)
    # Dispatched back to the same department: the department keeps it (a refused return).
    lead = w.order["lead_department"]["id"]
    w.step("demo-dispatcher", "dispatch", category_number=66, lead_department_id=lead)
    assert w.order["status"] == "dispatched"
    assert w.order["returns"][-1]["status"] == "refused"
    # The department may return it again: nothing is left pending from the first one.
    w.step("demo-handler", "accept")
    w.get("demo-handler")
    assert "returns" in [s["step"] for s in w.order["next_steps"]]


def test_a_caller_reached_by_sms_after_failed_calls_lets_the_closure_through(
    hotline_walker, clock, settings
) -> None:
    # Seed 003 附件6: three calls at different times unanswered, then an SMS with its
    # screenshot; the closure has no first-contact call to attach (zhenru's 七要素).
    w = hotline_walker()
    w.step("demo-handler", "accept")
    if settings.policy_profile == "zhenru":
        w.call_caller("demo-dispatcher", "command_center")
    for _ in range(3):
        w.step("demo-handler", "first-contact", level="department", outcome="failed")
        clock.advance(timedelta(minutes=40))
    w.upload("demo-handler", "sms")
    w.step(
        "demo-handler",
        "first-contact",
        level="department",
        outcome="reached",
        method="sms",
        sms_photo_id=w.last_photo("sms"),
    )
    assert w.order["status"] == "in_progress" and w.order["first_contact_at"] is not None
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    body = closure_body(photo_ids=[w.last_photo("before"), w.last_photo("after")])
    if settings.policy_profile == "zhenru":
        w.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3), kind="reply")
        body |= {
            "recording_ids": [w.last_recording()],
            "reply_points": "先行联系以短信告知，11月24日答复：已清理完毕",
        }
    if settings.policy_profile == "heyang":
        w.upload("demo-handler", "signoff")
        body["leader_signoff_photo_id"] = w.last_photo("signoff")
    closure = next(s for s in w.get("demo-handler")["next_steps"] if s["step"] == "closure")
    assert closure["ready"] and closure["needs"] == []
    w.step("demo-handler", "closure", **body)
    assert w.order["status"] == "submitted"
