"""Clocks on dispatch, the 20/30-minute warnings, the sweep with several workers, and
provisional deadlines across the year end."""

from __future__ import annotations

import multiprocessing
import os
import threading
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from backend.notify.models import Notification
from backend.worker import sweep
from tests.conftest import SHANGHAI, TESTDATA
from tests.hotline.rows import platform_row

VAGUE = "这里有问题请处理"
CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵"


def _notifications(db, kind: str) -> list[Notification]:
    with Session(db) as session:
        return list(session.exec(select(Notification).where(Notification.kind == kind)))


def test_command_center_is_warned_at_20_and_at_30_minutes(
    submit, client, as_user, clock, db
) -> None:
    order_id = submit(description=VAGUE).json()["work_order_id"]
    clock.advance(timedelta(minutes=19))
    assert sweep(db, clock.now()).reminded == 0
    clock.advance(timedelta(minutes=1))
    assert sweep(db, clock.now()).reminded == 1
    assert sweep(db, clock.now()).reminded == 0  # once
    inbox = client.get("/api/v1/inbox", headers=as_user("demo-dispatcher")).json()["items"]
    assert inbox[0]["kind"] == "clock_reminder" and "剩余 10 分钟" in inbox[0]["title"]
    clock.advance(timedelta(minutes=10))
    assert sweep(db, clock.now()).breached == 1
    order = client.get(f"/api/v1/workorders/{order_id}", headers=as_user("demo-dispatcher")).json()
    dispatch = next(c for c in order["clocks"] if c["name"] == "dispatch")
    assert dispatch["breached_at"] is not None and dispatch["remaining_s"] is None
    assert [e["kind"] for e in order["events"]][-2:] == ["clock_reminder", "clock_breached"]
    assert client.get(
        f"/api/v1/workorders/{order_id}/chain", headers=as_user("demo-dispatcher")
    ).json()["valid"]


def test_two_concurrent_sweeps_send_each_reminder_once(submit, clock, db) -> None:
    for _ in range(6):
        submit(description=VAGUE)
    clock.advance(timedelta(minutes=21))
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(sweep(db, clock.now(), limit=4))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whatever the split between the two workers, a third sweep picks up the rest.
    total = sum(r.reminded for r in results) + sweep(db, clock.now()).reminded
    assert total == 6
    reminders = _notifications(db, "clock_reminder")
    assert len(reminders) == 6  # one dispatcher, six orders, once each
    assert len({n.work_order_id for n in reminders}) == 6


def _die_after_claiming(database_url: str, now: datetime) -> None:
    from backend.db import make_engine

    sweep(make_engine(database_url), now, on_claimed=lambda clocks: os._exit(9) if clocks else None)


def test_a_killed_workers_clocks_are_picked_up_by_the_next_sweep(
    submit, clock, db, database_url
) -> None:
    for _ in range(3):
        submit(description=VAGUE)
    clock.advance(timedelta(minutes=21))
    worker = multiprocessing.get_context("spawn").Process(
        target=_die_after_claiming, args=(database_url, clock.now())
    )
    worker.start()
    worker.join(60)
    assert worker.exitcode == 9  # it claimed the clocks and died holding them
    assert _notifications(db, "clock_reminder") == []
    assert sweep(db, clock.now()).reminded == 3
    assert len(_notifications(db, "clock_reminder")) == 3


def test_a_deadline_into_a_year_without_data_is_provisional_until_the_year_is_loaded(
    submit, send, client, as_user, clock, db
) -> None:
    clock.set(datetime(2026, 12, 31, 15, 0, tzinfo=SHANGHAI))
    # A hotline caller: only an order with someone to contact has a first-contact clock.
    response = send(platform_row(received_at=clock.now().isoformat(), content=CORRIDOR))
    assert response.status_code == 201, response.text
    order_id = response.json()["results"][0]["work_order_id"]
    dispatcher = as_user("demo-dispatcher")
    order = client.get(f"/api/v1/workorders/{order_id}", headers=dispatcher).json()
    first_contact = next(c for c in order["clocks"] if c["name"] == "first_contact")
    # zhenru: first contact within 1 working day; 2027's holidays are not published yet.
    assert first_contact["due_at"] == "2027-01-04T15:00:00+08:00"
    assert first_contact["provisional"] is True
    submit(description=CORRIDOR, lat=31.236, lng=121.409)  # another order: no second warning
    warnings = _notifications(db, "calendar_provisional")
    assert len(warnings) == 1 and "2027" in warnings[0].title
    # The official 2027 schedule arrives (here: 4 January made a holiday, 9 January a make-up day).
    admin = as_user("demo-admin")
    body = {
        "days": [
            {"date": "2027-01-04", "workday": False, "note": "元旦调休"},
            {"date": "2027-01-09", "workday": True},
        ]
    }
    assert (
        client.put("/api/v1/calendar/years/2027", json=body, headers=dispatcher).status_code == 403
    )
    loaded = client.put("/api/v1/calendar/years/2027", json=body, headers=admin)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["official"] is True and loaded.json()["recomputed_clocks"] >= 1
    order = client.get(f"/api/v1/workorders/{order_id}", headers=dispatcher).json()
    first_contact = next(c for c in order["clocks"] if c["name"] == "first_contact")
    assert first_contact["due_at"] == "2027-01-05T15:00:00+08:00"
    assert first_contact["provisional"] is False


def test_loading_a_year_rejects_days_of_another_year(client, as_user) -> None:
    body = {"days": [{"date": "2028-01-01", "workday": False}]}
    response = client.put("/api/v1/calendar/years/2027", json=body, headers=as_user("demo-admin"))
    assert response.status_code == 422 and response.json()["error"]["field"] == "days.0.date"
    with_count = client.get("/api/v1/calendar/years/2027", headers=as_user("demo-admin")).json()
    assert with_count["days"] == [] and with_count["official"] is False


def test_worker_command_runs_one_sweep(submit, clock, db, database_url) -> None:
    import subprocess
    import sys

    submit(description=VAGUE)
    # The real clock is far past this frozen morning: the order's dispatch clock is overdue.
    env = {**os.environ, "GRID_DATABASE_URL": database_url}
    out = subprocess.run(
        [sys.executable, "-m", "backend.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "breaches recorded: 1" in out.stdout
    with Session(db) as session:
        assert (
            session.exec(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "clock_breached")
            ).one()
            == 1
        )


def test_the_api_process_runs_the_sweep_itself_in_embedded_mode(
    database_url, db, demo, clock, tmp_path
) -> None:
    import time

    from fastapi.testclient import TestClient

    from backend.config import Settings
    from backend.main import create_app

    settings = Settings(
        database_url=database_url,
        media_root=tmp_path / "m",
        inprocess_worker=True,
        worker_interval_s=0.05,
    )
    photo = (TESTDATA / "photos" / "exif-samples__jpg_mobile_jolla.jpg").read_bytes()
    with TestClient(create_app(settings, clock)) as client:
        token = client.post(
            "/api/v1/auth/login", data={"username": "demo-member", "password": "gridline-demo"}
        ).json()["access_token"]
        response = client.post(
            "/api/v1/reports",
            data={
                "client_uuid": "0b6f7a52-5a1e-4c11-8b59-8f1e6c0c0001",
                "description": VAGUE,
                "lat": 31.2445,
                "lng": 121.403,
            },
            files=[("photos", ("p.jpg", photo, "image/jpeg"))],
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
        clock.advance(timedelta(minutes=31))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _notifications(db, "clock_breached"):
            time.sleep(0.05)
    assert len(_notifications(db, "clock_breached")) == 1
