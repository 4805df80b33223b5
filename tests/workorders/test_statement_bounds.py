"""How many SQL statements a request runs stays put as orders grow: the detail of a busy order,
the dispatcher queue with many orders waiting, and a step on a busy order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from backend.auth import repository as auth_repo
from backend.config import Settings
from backend.db import row_id, session_scope
from backend.reports.models import Report
from backend.seams.clock import FrozenClock
from backend.sla import service as sla
from backend.workorders.opening import NewOrder, open_order
from backend.workorders.states import Source
from tests.reports.conftest import STREET_LAT, STREET_LNG, photo_bytes
from tests.statements import count_statements
from tests.workorders.conftest import OrderWalker

DETAIL_BOUND = 10
# Three different phones' photos, so each report carries three distinct images.
REPORT_PHOTOS = [
    "exif-samples__jpg_gps_DSCN0010.jpg",
    "exif-samples__jpg_mobile_jolla.jpg",
    "exif-samples__jpg_Canon_40D.jpg",
]
# The busy order is about 140 m west of the small one (not its duplicate); its two later
# reports are about 20 m north and south of it, so they are offered as its duplicates.
BIG_LNG = 121.4015
NEARBY_LATS = (STREET_LAT + 0.00018, STREET_LAT - 0.00018)
BIG_EVENTS = 30


def _supervise(w: OrderWalker, notice: str) -> None:
    w.step("demo-dispatcher", "supervisions", kind="in_progress", level="street", notice=notice)


@pytest.fixture
def small_order(walker) -> OrderWalker:
    """One report with one photo, dispatched at once: three events. The walker's own checks
    of next_steps would add requests to the counts: they are off here."""
    return walker(check_steps=False)


@pytest.fixture
def big_order(submit, client, as_user, db: Engine) -> OrderWalker:
    """Three reports of the same problem with three photos each, the two later ones merged
    into the first (the merge step), and 30 events on the first, all through the API.

    A merge keeps each report on its own (merged) order, so the two later reports are then
    moved onto the first order by SQL: the detail must stay bounded however many reports,
    and so photos, point at one order.
    """
    photos = [(f"scene-{i}.jpg", photo_bytes(name)) for i, name in enumerate(REPORT_PHOTOS)]
    first = submit(photos=photos, lng=BIG_LNG)
    assert first.status_code == 201, first.text
    w = OrderWalker(client, as_user, first.json()["work_order_id"], check_steps=False)
    assert w.order["status"] == "dispatched"
    dispatcher = as_user("demo-dispatcher")
    later_reports = []
    for lat in NEARBY_LATS:
        report = submit(photos=photos, lat=lat, lng=BIG_LNG)
        assert report.status_code == 201, report.text
        later_reports.append(report.json()["id"])
        duplicate = client.get(
            f"/api/v1/workorders/{report.json()['work_order_id']}", headers=dispatcher
        ).json()
        assert duplicate["status"] == "reported", duplicate["routing_reason"]
        merged = client.post(
            f"/api/v1/workorders/{duplicate['id']}/merge",
            json={"version": duplicate["version"], "into_work_order_id": w.id},
            headers=dispatcher,
        )
        assert merged.status_code == 200, merged.text
    with db.begin() as conn:
        conn.execute(
            text("UPDATE report SET work_order_id = :o WHERE id IN (:a, :b)"),
            {"o": w.id, "a": later_reports[0], "b": later_reports[1]},
        )
    w.get("demo-dispatcher")
    while len(w.order["events"]) < BIG_EVENTS:
        _supervise(w, f"请加快处理（第{len(w.order['events'])}次）")
    assert len(w.order["evidence"]["reports"]) == 3
    assert sum(len(r["photos"]) for r in w.order["evidence"]["reports"]) == 9
    assert len(w.order["events"]) == BIG_EVENTS
    return w


def _detail_statements(client: TestClient, as_user, db: Engine, order_id: int) -> int:
    headers = as_user("demo-dispatcher")  # logged in before counting
    with count_statements(db) as counted:
        response = client.get(f"/api/v1/workorders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    assert len(counted) <= DETAIL_BOUND, counted.report()
    return len(counted)


def test_the_detail_of_a_busy_order_runs_a_few_statements(
    small_order, big_order, client, as_user, db
) -> None:
    big = _detail_statements(client, as_user, db, big_order.id)
    small = _detail_statements(client, as_user, db, small_order.id)
    print(f"GET /workorders/{{id}}: {big} statements (busy order), {small} (small order)")
    assert big == small


# -- the dispatcher queue ------------------------------------------------------------------


def _queue_orders(db: Engine, settings: Settings, now: datetime, count: int) -> None:
    """Orders waiting for dispatch as the intake leaves them (order, event, dispatch clock,
    report), written directly: a photo upload each would make 100 of them slow. They sit
    10 m apart along a street, so each has open duplicates nearby to look up."""
    with session_scope(db) as session:
        member = auth_repo.user_by_username(session, "demo-member")
        assert member is not None
        for i in range(count):
            lat = STREET_LAT + 0.00009 * i
            order = open_order(
                session,
                NewOrder(
                    source=Source.patrol,
                    level=sla.default_level(sla.profile_for(settings), "patrol"),
                    description="楼道里堆满了纸箱和旧家具，消防通道被堵",
                    address=None,
                    lat=lat,
                    lng=STREET_LNG,
                    category_number=66,
                    grid_id=None,
                    suggestions=[],
                    confident=False,
                ),
                actor_id=member.id,
                first_event={"source": "patrol"},
                settings=settings,
                now=now,
            )
            session.add(
                Report(
                    client_uuid=str(uuid.uuid4()),
                    reporter_id=row_id(member),
                    description=order.description,
                    lat=lat,
                    lng=STREET_LNG,
                    crs="wgs84",
                    submitted_lat=lat,
                    submitted_lng=STREET_LNG,
                    received_at=now,
                    work_order_id=order.id,
                )
            )


def _queue_statements(client: TestClient, as_user, db: Engine, expected: int) -> int:
    headers = as_user("demo-dispatcher")
    with count_statements(db) as counted:
        response = client.get("/api/v1/dispatch/queue", headers=headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == expected
    assert all(len(i["report_ids"]) == 1 and i["duplicates"] for i in items)
    return len(counted)


def test_the_dispatcher_queue_runs_the_same_statements_for_5_and_100_orders(
    client, as_user, db, settings, clock
) -> None:
    as_user("demo-dispatcher")
    _queue_orders(db, settings, clock.now(), 5)
    few = _queue_statements(client, as_user, db, 5)
    _queue_orders(db, settings, clock.now(), 95)
    many = _queue_statements(client, as_user, db, 100)
    print(f"GET /dispatch/queue: {few} statements (5 orders), {many} (100 orders)")
    assert few == many


# -- a step on a busy order ----------------------------------------------------------------


def _step_statements(w: OrderWalker, db: Engine, clock: FrozenClock) -> dict[str, int]:
    """Accept, a photo upload and a supervision notice, each counted. Time moves on first:
    a step at the very instant of the last one may find nothing to update."""
    clock.advance(timedelta(minutes=5))
    counts: dict[str, int] = {}
    w.as_user("demo-handler")  # logged in before counting
    w.as_user("demo-dispatcher")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("accept", lambda: w.step("demo-handler", "accept")),
        ("evidence", lambda: w.upload("demo-handler", "before")),
        ("supervisions", lambda: _supervise(w, "请于今日内回复处理进展")),
    ]
    for name, run in steps:
        with count_statements(db) as counted:
            run()
        counts[name] = len(counted)
    return counts


def test_a_step_runs_the_same_statements_on_a_small_and_a_busy_order(
    small_order, big_order, db, clock
) -> None:
    small = _step_statements(small_order, db, clock)
    big = _step_statements(big_order, db, clock)
    print(f"steps, small order: {small}; busy order: {big}")
    assert big == small
