"""The weekly close in the worker: the points ledger, the warning to the member and the grid
chief, the replacement recommendation after two empty weeks, idempotence; the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sqlalchemy import text

from backend.config import PROJECT_ROOT
from backend.seams.notifier import NullNotifier
from backend.worker import tick
from tests.quotas.conftest import at
from tests.workorders.conftest import CORRIDOR


def _inbox(client, as_user, username: str, member_id: int) -> list[dict[str, Any]]:
    items = client.get("/api/v1/inbox", headers=as_user(username)).json()["items"]
    return [i for i in items if i["data"].get("member_id") == member_id]


def _ledger_rows(db) -> list[tuple]:
    with db.connect() as conn:
        return conn.execute(
            text("SELECT member_id, week, reason, points FROM points_ledger ORDER BY id")
        ).all()


def test_two_empty_weeks_warn_then_recommend_replacement_once(
    db, client, as_user, clock, quota, user_id, settings
) -> None:
    member = user_id("demo-member")
    chief = user_id("demo-chief")
    # Monday 2026-10-12: 2026-W41 is over; the member found nothing in it.
    clock.set(at(12, 0))
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-member", member, "2026-W41").json()
    assert week["closed"] is True and week["closed_at"] is not None
    assert (week["quota"], week["finds"], week["missing"], week["points"]) == (1, 0, 1, -1)
    assert week["warning"] is True and week["empty_weeks_in_a_row"] == 1
    assert week["recommend_replacement"] is False
    assert [(line["reason"], line["points"]) for line in week["ledger"]] == [("missing_find", -1)]
    assert week["ledger"][0]["reason_label"] == "每周主动发现问题数不足扣分"
    assert week["year_points"] == -1
    assert [n["kind"] for n in _inbox(client, as_user, "demo-member", member)] == ["quota_warning"]
    assert [n["kind"] for n in _inbox(client, as_user, "demo-chief", member)] == ["quota_warning"]
    # The other community's chief hears nothing about this member.
    assert _inbox(client, as_user, "demo-chief-b", member) == []

    # Running the close again (another tick, the CLI's function) changes nothing.
    lines = _ledger_rows(db)
    tick(db, clock.now(), NullNotifier(), settings)
    assert _ledger_rows(db) == lines
    assert len(_inbox(client, as_user, "demo-member", member)) == 1

    # 2026-W42, five working days, quota 2: empty again → the chief is told to replace.
    clock.set(at(19, 1))
    tick(db, clock.now(), NullNotifier(), settings)
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-chief", member, "2026-W42").json()
    assert (week["quota"], week["missing"], week["points"]) == (2, 2, -2)
    assert week["empty_weeks_in_a_row"] == 2 and week["recommend_replacement"] is True
    assert week["year_points"] == -3
    told_chief = [n["kind"] for n in _inbox(client, as_user, "demo-chief", member)]
    assert sorted(told_chief) == ["quota_replacement", "quota_warning", "quota_warning"]
    told_member = [n["kind"] for n in _inbox(client, as_user, "demo-member", member)]
    assert told_member == ["quota_warning", "quota_warning"]  # not the recommendation
    assert chief not in {row[0] for row in _ledger_rows(db)}  # the chief is not judged


def test_a_closed_week_keeps_its_bonus_line_and_a_find_breaks_the_streak(
    db, submit, clock, quota, user_id, settings
) -> None:
    member = user_id("demo-member")
    clock.set(at(11))  # Sunday of 2026-W41
    report = submit(description=CORRIDOR).json()
    clock.set(at(12, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-member", member, "2026-W41").json()
    assert week["closed"] is True and week["warning"] is False
    assert week["empty_weeks_in_a_row"] == 0 and week["points"] == 1
    assert [(x["reason"], x["points"], x["work_order_id"]) for x in week["ledger"]] == [
        ("bonus_day_off", 1, report["work_order_id"])
    ]
    assert week["ledger"][0]["number"] == week["find_list"][0]["number"]
    # The next week empty: one week in a row, a warning, no recommendation yet.
    clock.set(at(19, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-member", member, "2026-W42").json()
    assert week["empty_weeks_in_a_row"] == 1 and week["recommend_replacement"] is False


def test_a_find_rejected_after_its_week_closed_is_corrected_at_the_next_close(
    db, client, as_user, submit, clock, quota, user_id, settings
) -> None:
    """The ledger is append-only: the bonus of a find rejected after the close is reversed by
    a new line, and the week's missing find is charged, when the next week closes."""
    member = user_id("demo-member")
    clock.set(at(11))  # Sunday of 2026-W41: +1
    vague = submit(description="这里有问题请处理", lat=31.2358, lng=121.4152).json()
    clock.set(at(12, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    closed = quota("demo-member", member, "2026-W41").json()
    assert (closed["finds"], closed["points"], closed["year_points"]) == (1, 1, 1)

    clock.set(at(13, 9))  # in 2026-W42 the command center finds it was no problem
    dispatcher = as_user("demo-dispatcher")
    order = client.get(f"/api/v1/workorders/{vague['work_order_id']}", headers=dispatcher).json()
    rejected = client.post(
        f"/api/v1/workorders/{vague['work_order_id']}/reject",
        json={"version": order["version"], "reason_code": "incomplete_order"},
        headers=dispatcher,
    )
    assert rejected.status_code == 200, rejected.text
    # Booked lines are final until the next close.
    assert quota("demo-member", member, "2026-W41").json()["points"] == 1

    clock.set(at(19, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-member", member, "2026-W41").json()
    lines = [(x["reason"], x["points"], x["work_order_id"]) for x in week["ledger"]]
    assert lines == [
        ("bonus_day_off", 1, vague["work_order_id"]),
        ("bonus_day_off", -1, vague["work_order_id"]),  # reversed
        ("missing_find", -1, None),  # quota 1, no valid find left
    ]
    assert all(x["note"].startswith("更正") for x in week["ledger"][1:])
    assert (week["finds"], week["missing"], week["points"]) == (0, 1, -1)
    # W42 (empty, quota 2) and the corrected W41 add up in the year.
    assert week["year_points"] == -1 - 2
    # Closing again corrects nothing twice.
    before = _ledger_rows(db)
    tick(db, clock.now(), NullNotifier(), settings)
    assert _ledger_rows(db) == before


def test_quota_close_command(database_url, tmp_path) -> None:
    env = {"GRID_DATABASE_URL": database_url, "GRID_MEDIA_ROOT": str(tmp_path), "PATH": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "backend.cli", *args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
            timeout=120,
        )

    bad = run("quota-close", "--week", "2026-W99")
    assert bad.returncode == 2 and "ISO" in bad.stderr
    done = run("quota-close", "--week", "2026-W41")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["week"] == "2026-W41"


def test_two_workers_closing_at_once_close_each_member_once(
    db, client, as_user, clock, user_id, settings
) -> None:
    import threading

    from backend.worker import close_quota_week

    member = user_id("demo-member")
    clock.set(at(12, 9))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            close_quota_week(db, clock.now(), settings)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = [row for row in _ledger_rows(db) if row[0] == member]
    assert rows == [(member, "2026-W41", "missing_find", -1)]
    assert len(_inbox(client, as_user, "demo-member", member)) == 1
    assert len(_inbox(client, as_user, "demo-chief", member)) == 1


def test_a_street_that_rechecks_no_week_keeps_the_book_as_closed(
    db, client, as_user, submit, clock, quota, user_id, settings
) -> None:
    settings.quota_recheck_weeks = 0
    member = user_id("demo-member")
    clock.set(at(11))  # Sunday of 2026-W41: +1
    vague = submit(description="这里有问题请处理", lat=31.2358, lng=121.4152).json()
    clock.set(at(12, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    clock.set(at(13, 9))
    dispatcher = as_user("demo-dispatcher")
    order = client.get(f"/api/v1/workorders/{vague['work_order_id']}", headers=dispatcher).json()
    rejected = client.post(
        f"/api/v1/workorders/{vague['work_order_id']}/reject",
        json={"version": order["version"], "reason_code": "incomplete_order"},
        headers=dispatcher,
    )
    assert rejected.status_code == 200, rejected.text
    clock.set(at(19, 9))
    tick(db, clock.now(), NullNotifier(), settings)
    week = quota("demo-member", member, "2026-W41").json()
    assert [(x["reason"], x["points"]) for x in week["ledger"]] == [("bonus_day_off", 1)]
    assert week["points"] == 1
