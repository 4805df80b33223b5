"""Seed 002 五's 双月通报: per department, late acceptances, missing first contact, overdue
orders, returns, unsatisfied orders, satisfaction and score, against the two months before
(环比) and the same two months a year before (同比). Under the xiayang profile (seed 002),
whose hotline orders carry an accept clock."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from backend.config import Settings
from backend.worker import sweep
from tests.conftest import SHANGHAI
from tests.hotline.rows import platform_row

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵，希望尽快清理"


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        dev_mode=True,
        inprocess_worker=False,
        policy_profile="xiayang",
    )


def test_the_bimonthly_report_compares_with_the_period_before_and_a_year_before(
    client, as_user, clock, settings, db
) -> None:
    response = client.post(
        "/api/v1/hotline/orders",
        json=[platform_row(content=CORRIDOR)],
        headers=as_user("demo-dispatcher"),
    )
    assert response.status_code == 200, response.text
    # Nobody accepts: the accept and first-contact clocks are breached in November.
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    sweep(db, clock.now(), settings=settings)
    made = client.post(
        "/api/v1/exports",
        json={"kind": "bimonthly", "from": "2026-11-10"},
        headers=as_user("demo-dispatcher"),
    )
    assert made.status_code == 201, made.text
    export = made.json()
    assert (export["from"], export["to"]) == ("2026-11-01", "2026-12-31")
    assert export["kind_label"] == "双月通报"
    response = client.get(export["download"], headers=as_user("demo-leader"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["双月通报"]
    assert sheet["B1"].value == "未按时先行接单"
    assert [sheet.cell(row=2, column=c).value for c in range(2, 7)] == [
        "本期",
        "2026年9-10月",
        "环比增减",
        "2025年11-12月",
        "同比增减",
    ]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    team = rows["第一片区"]
    # 未按时先行接单: this period, the two months before, the change, a year before, the change.
    assert team[1:6] == (1, 0, 1, 0, 1)
    assert team[6] == 1  # 未先行联系, this period
    assert team[11] == 0  # 逾期: the resolve clock is not due yet
