"""`gridline hotline-import FILE.csv`: a sheet exported from the district platform, one
order per row, with a header row of the API's field names."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import Any

from backend.hotline import rules
from backend.hotline.schemas import PlatformImportOut

FLAGS = frozenset({"anonymous", "confidential", "repeat_flag"})
_FLAG_WORDS = {**dict.fromkeys(rules.TRUE_WORDS, True), **dict.fromkeys(rules.FALSE_WORDS, False)}


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Rows as the API takes them: empty cells are absent, 是/否 cells are booleans (any
    other value is left for validation to refuse with the field named)."""
    reader = csv.DictReader(io.StringIO(rules.decode_sheet(data), newline=""))
    rows = []
    for record in reader:
        row: dict[str, Any] = {}
        for name, cell in record.items():
            if name is None or cell is None:
                continue  # a row longer than the header: the extra cells have no field
            key, value = name.strip(), cell.strip()
            if not value:
                continue
            row[key] = _FLAG_WORDS.get(value.lower(), value) if key in FLAGS else value
        rows.append(row)
    return rows


def report_lines(answer: PlatformImportOut) -> list[str]:
    lines = []
    for result in answer.results:
        where = f"row {result.row + 2}"  # the sheet's line: the header is line 1
        if result.error is not None:
            field = f" [{result.error.field}]" if result.error.field else ""
            lines.append(f"{where}: refused{field} {result.error.message}")
        else:
            lines.append(
                f"{where}: {result.outcome} {result.number} (id {result.work_order_id},"
                f" {result.external_no})"
            )
    lines.append(f"{answer.created} created, {answer.updated} updated, {answer.refused} refused")
    return lines


def add_hotline_import_parser(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "hotline-import", help="import platform orders (12345, 随申拍, …) from a CSV file"
    )
    command.add_argument("file", type=Path, help="CSV, UTF-8 or GB18030, with a header row")

    def run(args: argparse.Namespace) -> None:
        from backend.config import get_settings
        from backend.db import engine_for, session_scope
        from backend.hotline.service import import_orders
        from backend.seams.clock import SystemClock

        rows = read_rows(args.file.read_bytes())
        settings = get_settings()
        with session_scope(engine_for(settings.database_url)) as session:
            answer = import_orders(session, None, rows, settings, SystemClock().now())
        for line in report_lines(answer):
            print(line)

    command.set_defaults(func=run)
