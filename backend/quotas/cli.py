"""`gridline quota`: a grid member's week from a JSON list of the member's valid finds.

backend/cli.py registers it with add_quota_parser. ``--profile heyang --week 2026-W47
--finds FILE.json`` (a JSON list of ISO 8601 instants; without an offset an instant is read as
Asia/Shanghai) prints JSON with ``finds``, ``quota``, ``bonus``, ``penalty``, ``points``
(bonus − penalty) and ``warning`` (no find), plus the week's working days and which finds
earned the bonus. A week on a provisional calendar also warns on stderr. Bad input exits 2 with
one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from backend.quotas.quota_data import QuotasFile, member_quota, shipped_quotas
from backend.quotas.rules import IsoWeek, weekly_quota
from backend.scoring.cli import fail, print_json, read_json_file
from backend.sla.calendar import SHANGHAI, WorkCalendar
from backend.sla.calendar_data import default_calendar

CalendarFactory = Callable[[], WorkCalendar]
QuotasFactory = Callable[[], QuotasFile]


def parse_finds(raw: Any) -> list[datetime]:
    """A JSON list of ISO 8601 instants; naive ones are Asia/Shanghai. ValueError naming the
    first bad item."""
    if not isinstance(raw, list):
        raise ValueError('--finds: 应为 ISO 8601 时间的 JSON 列表，例如 ["2026-11-18T10:00+08:00"]')
    finds: list[datetime] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str):
            raise ValueError(f"--finds: 第 {index + 1} 项应为 ISO 8601 时间字符串（收到 {item!r}）")
        try:
            moment = datetime.fromisoformat(item)
        except ValueError:
            raise ValueError(
                f"--finds: 第 {index + 1} 项不是 ISO 8601 时间：{item!r}"
                "（例如 2026-11-18T10:00:00+08:00）"
            ) from None
        moment = moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"--finds: 第 {index + 1} 项超出可处理的时间范围：{item!r}") from None
        finds.append(moment)
    return finds


def add_quota_parser(
    subparsers: Any,
    calendar_factory: CalendarFactory = default_calendar,
    quotas_factory: QuotasFactory = shipped_quotas,
) -> argparse.ArgumentParser:
    """Register `quota`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "quota",
        help="a grid member's weekly quota and points",
        description="A member's week (Monday-Sunday, Asia/Shanghai) by the profile's quota "
        "rules, from a JSON list of the instants of the member's valid finds.",
    )
    parser.add_argument("--profile", required=True, help="e.g. heyang")
    parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
    parser.add_argument("--finds", required=True, metavar="FILE.json", help="JSON list")

    def run(args: argparse.Namespace) -> None:
        try:
            rule = member_quota(args.profile, quotas_factory())
            week = IsoWeek.parse(args.week)
        except ValueError as exc:
            fail("quota", str(exc))
        raw = read_json_file("quota", args.finds, "--finds")
        try:
            result = weekly_quota(week, parse_finds(raw), calendar_factory(), rule)
        except ValueError as exc:
            fail("quota", str(exc))
        if result.provisional_years:
            years = ", ".join(map(str, sorted(result.provisional_years)))
            print(
                f"warning: {years} has no official holiday schedule yet; "
                "the working days of this week are provisional",
                file=sys.stderr,
            )
        print_json(result.as_dict(args.profile))

    parser.set_defaults(func=run)
    return parser
