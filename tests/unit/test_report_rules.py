"""The pure rules behind hotspots and reports: the ~100 m cells and their work-list boxes, the
report periods and their comparisons, the 回潮 notice, and the workbook built from plain
data (the statistics API's shapes)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from backend.exports.periods import (
    Kind,
    Period,
    last_finished,
    needs_generation,
    period_of,
    previous,
    weeks_of,
    year_before,
)
from backend.exports.workbook import IndicatorRow, ReportData, build, change, cover_rows
from backend.hotspots.rules import cell_bbox, cell_of
from backend.workorders.review.rules import comeback_notice

# -- hotspot cells ---------------------------------------------------------------------------


@given(st.floats(min_value=18.0, max_value=54.0), st.floats(min_value=73.0, max_value=135.0))
def test_a_point_lies_in_the_box_of_its_cell(lat: float, lng: float) -> None:
    min_lng, min_lat, max_lng, max_lat = cell_bbox(cell_of(lat), cell_of(lng))
    # The box is rounded to 6 decimals; a point that close to an edge may fall either side.
    assert min_lat - 1e-6 <= lat < max_lat + 1e-6
    assert min_lng - 1e-6 <= lng < max_lng + 1e-6
    assert round(max_lat - min_lat, 6) == 0.001


def test_cells_are_centred_on_three_decimal_coordinates() -> None:
    assert cell_of(31.2445) == cell_of(31.2449) == 31245
    assert cell_of(31.2444) == 31244
    assert cell_bbox(31245, 121403) == (121.4025, 31.2445, 121.4035, 31.2455)


# -- report periods ----------------------------------------------------------------------------


def test_the_schedule_makes_the_last_finished_period_of_each_kind() -> None:
    today = date(2026, 12, 2)  # a Wednesday
    assert last_finished(Kind.daily, today) == Period(
        Kind.daily, date(2026, 12, 1), date(2026, 12, 1)
    )
    assert last_finished(Kind.weekly, today) == Period(
        Kind.weekly, date(2026, 11, 23), date(2026, 11, 29)
    )
    assert last_finished(Kind.monthly, today) == Period(
        Kind.monthly, date(2026, 11, 1), date(2026, 11, 30)
    )
    # Two-month periods run Jan–Feb, Mar–Apr, …: Nov–Dec is not over, Sep–Oct is.
    assert last_finished(Kind.bimonthly, today) == Period(
        Kind.bimonthly, date(2026, 9, 1), date(2026, 10, 31)
    )
    assert last_finished(Kind.bimonthly, date(2027, 1, 1)).first == date(2026, 11, 1)


def test_comparisons_read_the_period_before_and_a_year_before() -> None:
    november = period_of(Kind.bimonthly, date(2026, 11, 10))
    assert (november.first, november.last) == (date(2026, 11, 1), date(2026, 12, 31))
    assert previous(november).first == date(2026, 9, 1)
    assert year_before(november) == Period(Kind.bimonthly, date(2025, 11, 1), date(2025, 12, 31))
    january = period_of(Kind.monthly, date(2027, 1, 15))
    assert previous(january) == Period(Kind.monthly, date(2026, 12, 1), date(2026, 12, 31))
    leap = period_of(Kind.daily, date(2028, 2, 29))
    assert year_before(leap).first == date(2027, 2, 28)
    week = period_of(Kind.weekly, date(2026, 11, 25))
    assert year_before(week).first.isocalendar()[1] == 48 == week.first.isocalendar()[1]


def test_member_weeks_are_those_starting_in_the_period() -> None:
    assert weeks_of(period_of(Kind.monthly, date(2026, 11, 5))) == [
        "2026-W45",
        "2026-W46",
        "2026-W47",
        "2026-W48",
        "2026-W49",
    ]
    assert weeks_of(period_of(Kind.daily, date(2026, 11, 25))) == ["2026-W48"]


def test_file_names_and_labels_are_chinese() -> None:
    assert period_of(Kind.weekly, date(2026, 11, 25)).file_name() == (
        "网格工单周报_2026年第48周（11月23日至11月29日）.xlsx"
    )
    assert period_of(Kind.bimonthly, date(2026, 3, 3)).label() == "2026年3-4月"


def test_a_report_is_made_again_only_when_it_missed_part_of_its_period_or_failed() -> None:
    end = datetime(2026, 12, 1, tzinfo=UTC)
    now = end + timedelta(hours=3)
    assert needs_generation(None, None, end, now)
    assert needs_generation("ready", end - timedelta(days=2), end, now)  # made mid-period
    assert not needs_generation("ready", end + timedelta(minutes=1), end, now)
    assert not needs_generation("failed", now - timedelta(minutes=10), end, now)
    assert needs_generation("failed", now - timedelta(hours=2), end, now)


# -- 回潮 -----------------------------------------------------------------------------------


def test_a_comeback_notice_names_the_closed_orders_once() -> None:
    earlier = [("WG20261120-0003", date(2026, 11, 21)), ("WG20261101-0001", date(2026, 11, 2))]
    notice = comeback_notice(True, ["overdue"], "楼道堆物", earlier)
    assert notice is not None
    assert "2026年11月21日" in notice and "WG20261120-0003、WG20261101-0001" in notice
    assert comeback_notice(True, ["repeated"], "楼道堆物", earlier) is None  # already issued
    assert comeback_notice(False, [], "楼道堆物", earlier) is None  # the profile turns it off
    assert comeback_notice(True, [], "楼道堆物", []) is None
    many = [(f"WG20261101-000{i}", date(2026, 11, 2)) for i in range(5)]
    assert "等5件" in (comeback_notice(True, [], None, many) or "")


# -- the workbook --------------------------------------------------------------------------------

SUMMARY = {
    "orders": 12,
    "by_status": {"closed": 9, "in_progress": 3},
    "clocks": {"met": 20, "missed": 2, "running": 5},
    "dispatch_time_s": {"p50": 90.0, "p95": 1500.0},
    "satisfaction": {"satisfied": 7, "unsatisfied": 1},
    "returns": 2,
    "extensions": 1,
    "supervisions": 3,
}
DEPARTMENT = {
    **SUMMARY,
    "department": {"id": 7, "name": "第一片区"},
    "score": {
        "scheme": "jiangning",
        "label": "江宁路",
        "counts": {"dispatched": 12, "first_contacted": 11},
        "first_contact_score": 91.67,
        "on_time_score": None,
        "total": 95.5,
        "grade": None,
        "no_data": {},
        "notes": [],
    },
}
MEMBER = {
    "week": "2026-W47",
    "member": {"id": 3, "display_name": "张网格"},
    "grid": {"id": 1, "name": "铜川路社区第1网格"},
    "finds": 1,
    "quota": 2,
    "bonus": 0,
    "penalty": 1,
    "points": -1,
    "warning": False,
}


def _book(**overrides: object) -> openpyxl.Workbook:
    fields: dict[str, object] = {
        "title": "网格工单月报",
        "period_label": "2026年11月",
        "generated_at": datetime(2026, 12, 1, 1, 0),
        "summary": SUMMARY,
        "departments": [DEPARTMENT],
        "members": [MEMBER],
        **overrides,
    }
    data = ReportData(**fields)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(build(data)))


def test_the_workbook_shows_the_api_figures_sheet_by_sheet() -> None:
    book = _book()
    assert book.sheetnames == ["封面汇总", "部门", "网格员"]
    cover = dict(book["封面汇总"].iter_rows(min_row=5, max_col=2, values_only=True))
    assert cover["工单总数"] == 12 and cover["　已结案"] == 9 and cover["时限超时"] == 2
    assert cover["派单用时中位数（分钟）"] == 1.5 and cover["派单用时P95（分钟）"] == 25.0
    departments = list(book["部门"].iter_rows(values_only=True))
    header, row = departments[0], dict(zip(departments[0], departments[1], strict=True))
    assert header[:4] == ("部门", "工单数", "dispatched", "first_contacted")
    assert row["部门"] == "第一片区" and row["总分"] == 95.5 and row["first_contact_score"] == 91.67
    assert row["on_time_score"] is None and row["督办"] == 3
    members = list(book["网格员"].iter_rows(values_only=True))
    assert members[1] == ("2026-W47", "张网格", "铜川路社区第1网格", 1, 2, 0, 1, -1, None)


def test_a_source_not_yet_available_says_so_instead_of_showing_numbers() -> None:
    book = _book(departments=None, members=None)
    assert "尚未接入" in book["部门"]["A1"].value and "尚未接入" in book["网格员"]["A1"].value


def test_the_bimonthly_sheet_shows_changes_against_both_comparisons() -> None:
    row = IndicatorRow(
        "第一片区",
        {"late_accepts": 3, "satisfaction_rate": 0.9},
        {"late_accepts": 1, "satisfaction_rate": 0.8},
        {"late_accepts": 4, "satisfaction_rate": None},
    )
    book = _book(indicators=[row], comparison_labels=("2026年9-10月", "2025年11-12月"))
    sheet = book["双月通报"]
    values = next(sheet.iter_rows(min_row=3, values_only=True))
    assert values[:6] == ("第一片区", 3, 1, 2.0, 4, -1.0)
    rate = [c.value for c in sheet[1]].index("满意率（%）")
    assert values[rate : rate + 5] == (90.0, 80.0, 10.0, None, None)
    assert change(None, 1) is None
    assert cover_rows({})[0] == ("工单总数", 0)
