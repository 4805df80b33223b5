"""The member who reported a problem hears how it goes (issue 11: notifications that reach
the reporter)."""

from __future__ import annotations

from tests.workorders.conftest import CORRIDOR

VAGUE = "这里有点问题，麻烦来看一下"


def _inbox(client, as_user, user: str = "demo-member") -> list[dict]:
    response = client.get("/api/v1/inbox", headers=as_user(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_clear_report_tells_its_reporter_where_it_was_dispatched(submit, client, as_user):
    report = submit(description=CORRIDOR)
    assert report.status_code == 201, report.text
    kinds = {n["kind"]: n for n in _inbox(client, as_user)}
    assert "report_dispatched" in kinds and "第一片区" in kinds["report_dispatched"]["body"]
    assert kinds["report_dispatched"]["work_order_id"] == report.json()["work_order_id"]


def test_a_queued_report_is_acknowledged_then_its_dispatch_or_rejection_told(
    submit, client, as_user
) -> None:
    first = submit(description=VAGUE).json()
    assert [n["kind"] for n in _inbox(client, as_user)] == ["report_received"]
    order_id = first["work_order_id"]
    order = client.get(f"/api/v1/workorders/{order_id}", headers=as_user("demo-dispatcher"))
    rejected = client.post(
        f"/api/v1/workorders/{order_id}/reject",
        json={"version": order.json()["version"], "reason_code": "incomplete_order"},
        headers=as_user("demo-dispatcher"),
    )
    assert rejected.status_code == 200, rejected.text
    told = next(n for n in _inbox(client, as_user) if n["kind"] == "report_rejected")
    assert "工单要素不全" in told["body"]
    # Nobody else hears about the member's report.
    assert not [
        n for n in _inbox(client, as_user, "demo-inspector") if n["kind"].startswith("report_")
    ]
