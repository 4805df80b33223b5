"""回潮 (seed 000 二(二)5): a problem that comes back at the place of a closed order of its
category is supervised as a repeat (重复交办事项督办) — on the new order, once, with its
timeline saying why and the department told."""

from __future__ import annotations

from datetime import timedelta

from tests.hotspots.walks import walk_to_closed
from tests.reports.conftest import STREET_LNG

# ~570 m east, in the next grid cell of the same community (the same area team).
EAST_LNG = STREET_LNG + 0.006


def _handler_inbox(client, as_user) -> list[dict]:
    response = client.get("/api/v1/inbox", headers=as_user("demo-handler"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_problem_back_after_closure_raises_a_repeat_supervision(
    walker, client, as_user, clock, settings
) -> None:
    first = walker(check_steps=False)
    walk_to_closed(first, settings.policy_profile)
    closed_number = first.order["number"]

    clock.advance(timedelta(days=3))
    again = walker(check_steps=False)
    order = again.get("demo-dispatcher")
    assert order["status"] == "dispatched"
    assert order["category_number"] == first.order["category_number"]
    repeated = [s for s in order["supervisions"] if s["kind"] == "repeated"]
    assert len(repeated) == 1
    assert closed_number in repeated[0]["notice"] and "回潮" in repeated[0]["notice"]
    kinds = [e["kind"] for e in order["events"]]
    assert kinds.index("dispatched") < kinds.index("came_back") < kinds.index("supervision_issued")
    came_back = next(e for e in order["events"] if e["kind"] == "came_back")
    assert came_back["payload"]["earlier"] == [closed_number]
    # The lead department hears of the notice and is asked to reply.
    notices = [n for n in _handler_inbox(client, as_user) if n["kind"] == "supervision"]
    assert any(n["work_order_id"] == again.id for n in notices), notices
    assert any(c["name"] == "supervision_reply" for c in order["clocks"])
    # The closed order itself is left as it was.
    assert first.get("demo-dispatcher")["supervisions"] == []


def test_no_repeat_supervision_while_the_earlier_order_is_open_or_elsewhere(
    walker, client, as_user, clock, settings
) -> None:
    open_one = walker(check_steps=False)
    assert open_one.order["status"] == "dispatched"
    closed = walker(check_steps=False, lng=EAST_LNG, address="铜川路东段")
    walk_to_closed(closed, settings.policy_profile)
    clock.advance(timedelta(days=1))
    # Next to the open order: a possible duplicate, queued; dispatched by hand, no 回潮.
    beside = walker(check_steps=False)
    assert beside.order["status"] == "reported", beside.order["routing_reason"]
    beside.step("demo-dispatcher", "dispatch", category_number=open_one.order["category_number"])
    assert beside.order["status"] == "dispatched"
    assert [s for s in beside.order["supervisions"] if s["kind"] == "repeated"] == []
    # Far from the closed order's place (and with another address): no 回潮 either.
    elsewhere = walker(check_steps=False, lng=STREET_LNG + 0.003, address="铜川路中段")
    assert elsewhere.get("demo-dispatcher")["supervisions"] == []


def test_a_comeback_dispatched_by_hand_is_supervised_once(
    walker, client, as_user, clock, settings
) -> None:
    first = walker(check_steps=False)
    walk_to_closed(first, settings.policy_profile)
    clock.advance(timedelta(days=2))
    # A report the classifier is unsure of waits for the dispatcher.
    again = walker("这里又有问题了，麻烦看看", check_steps=False)
    assert again.order["status"] == "reported", again.order["routing_reason"]
    again.step("demo-dispatcher", "dispatch", category_number=first.order["category_number"])
    repeated = [s for s in again.order["supervisions"] if s["kind"] == "repeated"]
    assert len(repeated) == 1 and first.order["number"] in repeated[0]["notice"]
