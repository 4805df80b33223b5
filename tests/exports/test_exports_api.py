"""Reports as .xlsx: made on demand and by the worker's schedule, once per kind and period,
kept as real files in storage, downloaded with their Chinese names, opened in openpyxl."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import openpyxl
from sqlalchemy import text

from backend.seams.notifier import Notifier
from backend.seams.storage import LocalStorage
from backend.worker import tick
from tests.conftest import SHANGHAI
from tests.hotline.rows import platform_row

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵，希望尽快清理"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Silent(Notifier):
    def send(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _orders(client, as_user, n: int) -> list[dict]:
    rows = [platform_row(content=CORRIDOR) for _ in range(n)]
    response = client.post("/api/v1/hotline/orders", json=rows, headers=as_user("demo-dispatcher"))
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _post(client, as_user, user: str = "demo-dispatcher", **body):
    return client.post("/api/v1/exports", json=body, headers=as_user(user))


def _download(client, as_user, export: dict):
    response = client.get(export["download"], headers=as_user("demo-dispatcher"))
    assert response.status_code == 200, response.text
    return response


def _cover(book) -> dict[str, object]:
    sheet = book["封面汇总"]
    return {
        str(label).strip(): value
        for label, value in sheet.iter_rows(min_row=5, max_col=2, values_only=True)
        if label
    }


def _files(root: Path) -> list[Path]:
    return [p for p in (root / "exports").rglob("*.xlsx")] if (root / "exports").exists() else []


def test_a_monthly_report_is_made_once_and_downloads_as_xlsx(
    client, as_user, clock, settings
) -> None:
    _orders(client, as_user, 3)
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI))
    made = _post(client, as_user, kind="monthly")
    assert made.status_code == 201, made.text
    export = made.json()
    assert export["kind"] == "monthly" and export["kind_label"] == "月报"
    assert (export["from"], export["to"]) == ("2026-11-01", "2026-11-30")
    assert export["status"] == "ready" and export["generated_at"].endswith("+08:00")
    # The same kind and period: the report there is, not a second one.
    again = _post(client, as_user, kind="monthly", **{"from": "2026-11-17"})
    assert again.status_code == 200 and again.json()["id"] == export["id"]
    assert len(_files(settings.media_root)) == 1

    response = _download(client, as_user, export)
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name == "网格工单月报_2026年11月.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["封面汇总", "部门", "网格员"]
    assert "双月通报" not in book.sheetnames
    assert "2026年11月" in book["封面汇总"]["A1"].value
    cover = _cover(book)
    assert cover["工单总数"] == 3
    assert cover["退单"] == 0 and cover["督办"] == 0

    listed = client.get("/api/v1/exports", headers=as_user("demo-leader")).json()
    assert [e["id"] for e in listed["items"]] == [export["id"]]


def test_refresh_makes_the_report_again_with_the_latest_figures(
    client, as_user, clock, settings
) -> None:
    _orders(client, as_user, 1)
    first = _post(client, as_user, kind="daily", **{"from": "2026-11-23"}).json()
    assert (first["from"], first["to"]) == ("2026-11-23", "2026-11-23")
    _orders(client, as_user, 2)
    clock.advance(timedelta(hours=1))
    refreshed = _post(client, as_user, kind="daily", refresh=True, **{"from": "2026-11-23"})
    assert refreshed.status_code == 201
    assert refreshed.json()["id"] == first["id"]
    assert refreshed.json()["generated_at"] > first["generated_at"]
    book = openpyxl.load_workbook(io.BytesIO(_download(client, as_user, refreshed.json()).content))
    assert _cover(book)["工单总数"] == 3


def test_the_worker_makes_each_scheduled_report_once(client, as_user, clock, settings, db) -> None:
    _orders(client, as_user, 2)
    now = datetime(2026, 12, 2, 1, 0, tzinfo=SHANGHAI)
    storage = LocalStorage(settings.media_root)
    tick(db, now, _Silent(), settings, storage)
    listed = client.get("/api/v1/exports", headers=as_user("demo-dispatcher")).json()["items"]
    periods = {(e["kind"], e["from"], e["to"]) for e in listed}
    assert periods == {
        ("daily", "2026-12-01", "2026-12-01"),
        ("weekly", "2026-11-23", "2026-11-29"),
        ("monthly", "2026-11-01", "2026-11-30"),
        ("bimonthly", "2026-09-01", "2026-10-31"),
    }
    assert all(e["status"] == "ready" and e["requested_by"] is None for e in listed)
    generated = {e["id"]: e["generated_at"] for e in listed}
    # Run again, later the same day: nothing new, nothing made again.
    tick(db, now + timedelta(hours=5), _Silent(), settings, storage)
    again = client.get("/api/v1/exports", headers=as_user("demo-dispatcher")).json()["items"]
    assert {e["id"]: e["generated_at"] for e in again} == generated
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_export")).scalar_one() == 4
    weekly = next(e for e in listed if e["kind"] == "weekly")
    book = openpyxl.load_workbook(io.BytesIO(_download(client, as_user, weekly).content))
    assert _cover(book)["工单总数"] == 2


def test_a_report_made_before_its_period_ended_is_made_again_by_the_schedule(
    client, as_user, clock, settings, db
) -> None:
    # Made on demand on the 23rd, with the week half over.
    early = _post(client, as_user, kind="weekly", **{"from": "2026-11-23"}).json()
    _orders(client, as_user, 1)
    now = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    tick(db, now, _Silent(), settings, LocalStorage(settings.media_root))
    weekly = [
        e
        for e in client.get("/api/v1/exports", headers=as_user("demo-dispatcher")).json()["items"]
        if e["kind"] == "weekly"
    ]
    assert [e["id"] for e in weekly] == [early["id"]]
    assert weekly[0]["generated_at"].startswith("2026-11-30")
    book = openpyxl.load_workbook(io.BytesIO(_download(client, as_user, weekly[0]).content))
    assert _cover(book)["工单总数"] == 1


def test_exports_refuse_bad_input_and_other_roles(client, as_user, clock) -> None:
    bad_kind = _post(client, as_user, kind="yearly")
    assert bad_kind.status_code == 422 and bad_kind.json()["error"]["field"] == "kind"
    future = _post(client, as_user, kind="daily", **{"from": "2027-01-01"})
    assert future.status_code == 422
    assert future.json()["error"] == {
        "code": "period_not_started",
        "message": "该期间尚未开始，无法生成报表",
        "field": "from",
    }
    assert (
        client.get("/api/v1/exports/999999/download", headers=as_user("demo-admin")).status_code
        == 404
    )
    for user in ("demo-member", "demo-handler", "demo-inspector"):
        assert _post(client, as_user, user, kind="daily").status_code == 403
        assert client.get("/api/v1/exports", headers=as_user(user)).status_code == 403
