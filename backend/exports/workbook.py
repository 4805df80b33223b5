"""The report workbook (pure): plain data in, .xlsx bytes out, with openpyxl.

Sheets: 封面汇总 (the street's totals), 部门 (each department's counts under the scheme, its
parts, total and grade, clocks, dispatch time, returns, extensions, supervision), 网格员 (each
member's weeks: finds, quota, bonus, penalty, points, warning) and, for the 双月通报, seed
002 五's indicators with 环比 (the period before) and 同比 (a year before).

The data comes as the statistics API answers it (dicts), so a sheet shows the same figures as
the screen; a source that is not available yet (None) leaves a line saying so on its sheet.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from backend.workorders.states import STATUS_LABELS, Status

SHEET_COVER = "封面汇总"
SHEET_DEPARTMENTS = "部门"
SHEET_MEMBERS = "网格员"
SHEET_BIMONTHLY = "双月通报"
NOT_AVAILABLE = "（该数据来源尚未接入，见报表说明）"

SATISFACTION_LABELS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "neutral": "一般",
    "unsatisfied": "不满意",
}
# Seed 002 五1-5, in its order; each is a count per department except the rates and score.
INDICATORS: tuple[tuple[str, str], ...] = (
    ("late_accepts", "未按时先行接单"),
    ("missed_first_contact", "未先行联系"),
    ("overdue", "逾期工单"),
    ("returns", "退单"),
    ("unsatisfied", "不满意工单"),
    ("satisfaction_rate", "满意率"),
    ("score", "得分"),
)
_RATES = frozenset({"satisfaction_rate"})
# Keys of a score that are not one of its parts.
_SCORE_META = frozenset(
    {"scheme", "label", "total", "grade", "no_data", "total_rule", "counts", "notes", "links"}
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(bold=True, size=14)


@dataclass(frozen=True)
class IndicatorRow:
    """One department in the 双月通报: each indicator this period, the period before and the
    same period a year before (None: no data)."""

    department: str
    now: Mapping[str, float | int | None]
    before: Mapping[str, float | int | None]
    year_before: Mapping[str, float | int | None]


@dataclass(frozen=True)
class ReportData:
    title: str  # 网格工单月报
    period_label: str  # 2026年11月
    generated_at: datetime  # in the street's zone
    summary: Mapping[str, Any]  # GET /stats/summary's answer
    departments: Sequence[Mapping[str, Any]] | None  # GET /stats/departments' items
    members: Sequence[Mapping[str, Any]] | None  # member weeks, each with its "week"
    indicators: Sequence[IndicatorRow] | None = None  # the 双月通报 only
    comparison_labels: tuple[str, str] = ("上期", "去年同期")
    notes: Sequence[str] = field(default_factory=tuple)


def build(data: ReportData) -> bytes:
    book = Workbook()
    # The file's own times are the report's, so the same figures give the same bytes.
    moment = data.generated_at.replace(tzinfo=None)
    book.properties.created = book.properties.modified = moment
    cover = book.active
    assert cover is not None
    cover.title = SHEET_COVER
    _cover(cover, data)
    _departments(book.create_sheet(SHEET_DEPARTMENTS), data.departments)
    _members(book.create_sheet(SHEET_MEMBERS), data.members)
    if data.indicators is not None:
        _indicators(book.create_sheet(SHEET_BIMONTHLY), data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- cells ------------------------------------------------------------------------------------


def _name(value: Any) -> str:
    """A reference as a person reads it: {"name"}/{"display_name"}, or the value itself."""
    if isinstance(value, Mapping):
        return str(value.get("name") or value.get("display_name") or value.get("id") or "")
    if isinstance(value, list | tuple):
        return "、".join(_name(v) for v in value)
    return "" if value is None else str(value)


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def _header(sheet: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=2)


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _write(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row=row, column=column, value=value)


# -- 封面汇总 ---------------------------------------------------------------------------------


def cover_rows(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The cover's (label, value) lines, in the order the command center reads them."""
    by_status = summary.get("by_status") or {}
    clocks = summary.get("clocks") or {}
    dispatch = summary.get("dispatch_time_s") or {}
    satisfaction = summary.get("satisfaction") or {}
    rows: list[tuple[str, Any]] = [("工单总数", summary.get("orders", 0))]
    for status in Status:
        if status.value in by_status:
            rows.append((f"　{STATUS_LABELS[status]}", by_status[status.value]))
    rows += [
        ("时限达标", clocks.get("met", 0)),
        ("时限超时", clocks.get("missed", 0)),
        ("时限进行中", clocks.get("running", 0)),
        ("派单用时中位数（分钟）", _minutes(dispatch.get("p50"))),
        ("派单用时P95（分钟）", _minutes(dispatch.get("p95"))),
    ]
    for code, label in SATISFACTION_LABELS.items():
        if code in satisfaction:
            rows.append((f"回访{label}", satisfaction[code]))
    rows += [
        ("退单", summary.get("returns", 0)),
        ("延期", summary.get("extensions", 0)),
        ("督办", summary.get("supervisions", 0)),
    ]
    return rows


def _cover(sheet: Worksheet, data: ReportData) -> None:
    sheet.cell(row=1, column=1, value=f"{data.title}（{data.period_label}）").font = _TITLE_FONT
    sheet.cell(row=2, column=1, value=f"生成时间：{data.generated_at:%Y-%m-%d %H:%M}")
    _header(sheet, 4, ["指标", "数值"])
    row = 5
    for label, value in cover_rows(data.summary):
        _write(sheet, row, [label, value])
        row += 1
    if data.notes:
        row += 1
        sheet.cell(row=row, column=1, value="说明").font = _HEADER_FONT
        for note in data.notes:
            row += 1
            sheet.cell(row=row, column=1, value=note)
    _widths(sheet, [28, 16])


# -- 部门 -------------------------------------------------------------------------------------


def score_parts(score: Mapping[str, Any]) -> list[str]:
    return [
        k
        for k, v in score.items()
        if k not in _SCORE_META and (v is None or isinstance(v, int | float))
    ]


def _departments(sheet: Worksheet, rows: Sequence[Mapping[str, Any]] | None) -> None:
    if rows is None:
        sheet.cell(row=1, column=1, value=NOT_AVAILABLE)
        return
    scores = [r.get("score") or {} for r in rows]
    counts: list[str] = list(dict.fromkeys(k for s in scores for k in (s.get("counts") or {})))
    parts: list[str] = list(dict.fromkeys(k for s in scores for k in score_parts(s)))
    titles = [
        "部门",
        "工单数",
        *counts,
        *parts,
        "总分",
        "等级",
        "时限达标",
        "时限超时",
        "派单用时中位数（分钟）",
        "派单用时P95（分钟）",
        "退单",
        "延期",
        "督办",
    ]
    _header(sheet, 1, titles)
    for index, (row, score) in enumerate(zip(rows, scores, strict=True), start=2):
        clocks = row.get("clocks") or {}
        dispatch = row.get("dispatch_time_s") or {}
        score_counts = score.get("counts") or {}
        _write(
            sheet,
            index,
            [
                _name(row.get("department")),
                row.get("orders"),
                *(score_counts.get(k) for k in counts),
                *(score.get(k) for k in parts),
                score.get("total"),
                score.get("grade"),
                clocks.get("met"),
                clocks.get("missed"),
                _minutes(dispatch.get("p50")),
                _minutes(dispatch.get("p95")),
                row.get("returns"),
                row.get("extensions"),
                row.get("supervisions"),
            ],
        )
    _widths(sheet, [20] + [12] * (len(titles) - 1))


# -- 网格员 -----------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    ("week", "周"),
    ("member", "网格员"),
    ("grid", "网格"),
    ("finds", "有效发现"),
    ("quota", "定额"),
    ("bonus", "加分"),
    ("penalty", "扣分"),
    ("points", "积分"),
    ("warning", "预警"),
)


def _members(sheet: Worksheet, rows: Sequence[Mapping[str, Any]] | None) -> None:
    if rows is None:
        sheet.cell(row=1, column=1, value=NOT_AVAILABLE)
        return
    _header(sheet, 1, [title for _, title in MEMBER_COLUMNS])
    for index, row in enumerate(rows, start=2):
        member = row.get("member")
        grid = row.get("grid")
        if grid is None and isinstance(member, Mapping):
            grid = member.get("grids")
        values: list[Any] = [row.get("week"), _name(member), _name(grid)]
        values += [row.get(k) for k, _ in MEMBER_COLUMNS[3:8]]
        values.append("是" if row.get("warning") else "")
        _write(sheet, index, values)
    _widths(sheet, [12, 14, 22, 10, 8, 8, 8, 8, 8])


# -- 双月通报 ---------------------------------------------------------------------------------


def change(now: float | int | None, then: float | int | None) -> float | None:
    """增减 in the indicator's own unit (a rate in percentage points); None without data."""
    if now is None or then is None:
        return None
    return round(float(now) - float(then), 2)


def _shown(key: str, value: float | int | None) -> float | int | None:
    if value is None or key not in _RATES:
        return value
    return round(float(value) * 100, 1)  # rates as percentages


def _indicators(sheet: Worksheet, data: ReportData) -> None:
    rows = data.indicators or []
    before, year_before = data.comparison_labels
    sheet.cell(row=1, column=1, value="部门").font = _HEADER_FONT
    column = 2
    for key, title in INDICATORS:
        unit = "（%）" if key in _RATES else ""
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 4)
        sheet.cell(row=1, column=column, value=f"{title}{unit}").font = _HEADER_FONT
        for offset, sub in enumerate(("本期", before, "环比增减", year_before, "同比增减")):
            sheet.cell(row=2, column=column + offset, value=sub).font = _HEADER_FONT
        column += 5
    sheet.freeze_panes = "B3"
    for index, row in enumerate(rows, start=3):
        values: list[Any] = [row.department]
        for key, _ in INDICATORS:
            now = _shown(key, row.now.get(key))
            then = _shown(key, row.before.get(key))
            last_year = _shown(key, row.year_before.get(key))
            values += [now, then, change(now, then), last_year, change(now, last_year)]
        _write(sheet, index, values)
    _widths(sheet, [20] + [10] * (5 * len(INDICATORS)))
