"""An order driven through its real lifecycle over HTTP lands in the counts the timeline
facts imply, and the counts' links find it: the definitions read what the steps write."""

from __future__ import annotations

from datetime import timedelta

from tests.workorders.conftest import (  # noqa: F401  (fixtures)
    closure_body,
    hotline_walker,
    probe_hidden_steps,
    wav_bytes,
)

PERIOD = "from=2026-11-01&to=2026-11-30"


def test_a_hotline_order_walked_to_a_satisfied_close(
    hotline_walker,  # noqa: F811
    client,
    as_user,
    clock,
) -> None:
    w = hotline_walker()
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")  # zhenru: two levels of first contact
    clock.advance(timedelta(minutes=30))
    w.call_caller("demo-handler", "department")
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    w.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3), kind="reply")
    # Seed 003: at most 3 attachments; the department's own call and the reply.
    recordings = [r["id"] for r in w.order["evidence"]["recordings"]][-2:]
    w.step(
        "demo-handler",
        "closure",
        **closure_body(
            photo_ids=[w.last_photo("after")],
            recording_ids=recordings,
            reply_points="11月23日先行联系，当日答复：已清理完毕",
        ),
    )
    w.step("demo-dispatcher", "verification", passed=True)
    clock.advance(timedelta(hours=2))
    w.step("demo-dispatcher", "callback", satisfaction="satisfied", resolution="resolved")
    assert w.order["status"] == "closed"
    lead = w.order["lead_department"]["id"]
    desk = as_user("demo-dispatcher")

    expected = {
        "zhenru": {
            "accepted": 1, "total_orders": 1, "resolved": 1, "satisfied": 1,
            "missed_first_contact": 0, "late": 0, "untrue": 0, "unjustified_returns": 0,
        },
        "jiangning": {"dispatched": 1, "first_contacted": 1, "on_time": 1, "resolved": 1},
        "dongcheng": {
            "received": 1, "rated": 1, "done": 1, "interim_done": 0, "rework": 0, "visited": 1,
            "feedback_confirmed": 1, "satisfied": 1,
        },
    }  # fmt: skip
    for scheme, counts in expected.items():
        answer = client.get(f"/api/v1/stats/departments?{PERIOD}&scheme={scheme}", headers=desk)
        assert answer.status_code == 200, answer.text
        item = next(i for i in answer.json()["items"] if i["department"]["id"] == lead)
        for name, value in counts.items():
            assert item["score"]["counts"][name] == value, (scheme, name)
            page = client.get(item["links"][name], headers=desk).json()
            assert [o["number"] for o in page["items"]] == ([w.order["number"]] if value else []), (
                scheme,
                name,
            )
    grids = client.get(f"/api/v1/stats/grids?{PERIOD}", headers=desk).json()["items"]
    grid = next(g for g in grids if g["counts"]["closed"])
    assert grid["counts"] == {
        "closed": 1, "closed_within_24h": 1, "closed_on_time": 1, "verified_first_check": 1,
        "closed_overdue": 0,
    }  # fmt: skip
    assert grid["rates"]["timely_rate"] == 1.0


def test_the_latest_closure_report_walked_over_http_decides_untrue_and_interim(
    hotline_walker,  # noqa: F811
    client,
    as_user,
    clock,
) -> None:
    """A closure sent back and submitted again: the counts read the second report's findings
    (不属实, 部分解决), which the closure step keeps on the order."""
    w = hotline_walker()
    w.step("demo-handler", "accept")
    w.call_caller("demo-dispatcher", "command_center")
    clock.advance(timedelta(minutes=30))
    w.call_caller("demo-handler", "department")
    w.upload("demo-handler", "before")
    w.upload("demo-handler", "after")
    w.upload("demo-handler", "document", photo=None, recording=wav_bytes(0.3), kind="reply")
    recordings = [r["id"] for r in w.order["evidence"]["recordings"]][-2:]
    body = closure_body(
        photo_ids=[w.last_photo("after")],
        recording_ids=recordings,
        reply_points="11月23日先行联系，当日答复：已清理完毕",
    )
    w.step("demo-handler", "closure", **body)
    lead = w.order["lead_department"]["id"]
    desk = as_user("demo-dispatcher")

    def counts(scheme: str) -> dict[str, int]:
        answer = client.get(f"/api/v1/stats/departments?{PERIOD}&scheme={scheme}", headers=desk)
        assert answer.status_code == 200, answer.text
        item = next(i for i in answer.json()["items"] if i["department"]["id"] == lead)
        return item["score"]["counts"]

    assert counts("zhenru")["untrue"] == 0
    assert (counts("dongcheng")["done"], counts("dongcheng")["interim_done"]) == (1, 0)

    w.step("demo-dispatcher", "verification", passed=False, reasons="现场仍有堆物")
    w.upload("demo-handler", "after")
    w.upload("demo-handler", "signoff")
    responsible = w.last_photo("signoff")
    w.upload("demo-handler", "signoff")
    w.step(
        "demo-handler",
        "closure",
        **{
            **body,
            "photo_ids": [w.last_photo("after")],
            "fact_finding": "untrue",
            "result": "partly_resolved",
            "responsible_signoff_photo_id": responsible,
            "leader_signoff_photo_id": w.last_photo("signoff"),
        },
    )
    assert counts("zhenru")["untrue"] == 1
    assert (counts("dongcheng")["done"], counts("dongcheng")["interim_done"]) == (0, 1)
