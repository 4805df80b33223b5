"""Acceptance (issue 13): the monthly .xlsx opens in openpyxl with the expected sheets, and its
totals equal the statistics API's — the cover against GET /api/v1/stats/summary, the
department sheet against GET /api/v1/stats/departments."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from tests.conftest import SHANGHAI
from tests.hotline.rows import platform_row
from tests.hotspots.walks import walk_to_closed

pytest.importorskip("backend.scoring.service", reason="the department scores are not merged yet")

CORRIDOR = "楼道里堆满了纸箱和旧家具，消防通道被堵，希望尽快清理"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def test_the_monthly_report_shows_the_api_figures(walker, client, as_user, clock, settings) -> None:
    walk_to_closed(walker(check_steps=False), settings.policy_profile)
    clock.advance(timedelta(hours=2))
    rows = [platform_row(content=CORRIDOR) for _ in range(3)]
    importer = as_user("demo-dispatcher")
    assert client.post("/api/v1/hotline/orders", json=rows, headers=importer).status_code == 200
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI))
    dispatcher = as_user("demo-dispatcher")  # a login of the new day: tokens live 15 minutes

    made = client.post("/api/v1/exports", json={"kind": "monthly"}, headers=dispatcher)
    assert made.status_code == 201, made.text
    export = made.json()
    assert (export["from"], export["to"]) == (NOVEMBER["from"], NOVEMBER["to"])
    content = client.get(export["download"], headers=dispatcher).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["封面汇总", "部门", "网格员"]

    summary = client.get("/api/v1/stats/summary", params=NOVEMBER, headers=dispatcher).json()
    cover = {
        str(label).strip(): value
        for label, value in book["封面汇总"].iter_rows(min_row=5, max_col=2, values_only=True)
        if label
    }
    assert cover["工单总数"] == summary["orders"] == 4
    assert cover["时限达标"] == summary["clocks"]["met"]
    assert cover["时限超时"] == summary["clocks"]["missed"]
    assert cover["退单"] == summary["returns"]
    assert cover["延期"] == summary["extensions"]
    assert cover["督办"] == summary["supervisions"]

    departments = client.get(
        "/api/v1/stats/departments", params=NOVEMBER, headers=dispatcher
    ).json()["items"]
    sheet = list(book["部门"].iter_rows(values_only=True))
    header = sheet[0]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in sheet[1:]}
    assert len(by_name) == len(departments)
    for item in departments:
        row = by_name[item["department"]["name"]]
        assert row["工单数"] == item["orders"]
        assert row["总分"] == item["score"]["total"]
        assert row["等级"] == item["score"].get("grade")
        for name, value in item["score"]["counts"].items():
            assert row[name] == value, name
