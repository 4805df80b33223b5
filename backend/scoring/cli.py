"""`gridline score`: a department score from a JSON file of counts.

backend/cli.py registers it with add_score_parser. ``--scheme jiangning|zhenru|dongcheng
--counts FILE.json`` reads a JSON object of counts and prints the score as JSON (``total``, each
part by name, ``grade`` where the scheme has one, what had no data and how the total treated
it). ``--department ID --from DATE --to DATE`` instead derives the counts from the database's
timeline (backend.scoring.metrics) and prints the same JSON with the department, the period,
each count's definition and the link to its orders. Bad input exits 2 with one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from backend.scoring.scheme_data import SchemesFile, shipped_schemes
from backend.scoring.schemes import SCHEME_NAMES, score

WeightsFactory = Callable[[], SchemesFile]


def fail(command: str, message: str) -> NoReturn:
    """One line on stderr, exit status 2 (bad input, as argparse does)."""
    print(f"gridline {command}: error: {message}", file=sys.stderr)
    sys.exit(2)


def read_json_file(command: str, path: str, option: str) -> Any:
    """The parsed JSON of ``path``; a one-line error for a missing, unreadable or bad file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(command, f"{option}: 文件不存在：{path}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(command, f"{option}: 无法读取 {path}：{exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        fail(command, f"{option}: {path} 不是有效的 JSON（{where}：{exc.msg}）")
    except (ValueError, RecursionError) as exc:  # a number too long to read, nesting too deep
        fail(command, f"{option}: {path} 无法解析：{exc}")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def add_score_parser(
    subparsers: Any, weights_factory: WeightsFactory = shipped_schemes
) -> argparse.ArgumentParser:
    """Register `score`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "score",
        help="a department score from counts",
        description="Score a department by a seed's scheme from a JSON object of counts "
        f"(schemes: {', '.join(SCHEME_NAMES)}).",
    )
    parser.add_argument("--scheme", required=True, help=", ".join(SCHEME_NAMES))
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--counts", metavar="FILE.json", help="JSON object of counts")
    source.add_argument(
        "--department",
        type=int,
        metavar="ID",
        help="derive the counts from the database for this department (needs --from, --to)",
    )
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD (含)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD (含)")
    parser.add_argument(
        "--variant",
        help="zhenru only: 'text' takes the text's 5 points per missed first contact or late "
        "order instead of the score sheet's 10",
    )

    def run(args: argparse.Namespace) -> None:
        if args.scheme not in SCHEME_NAMES:
            fail("score", f"未知的评分方案 {args.scheme!r}（可选：{'、'.join(SCHEME_NAMES)}）")
        if args.department is not None:
            print_json(_from_database(args))
            return
        if args.date_from is not None or args.date_to is not None:
            fail("score", "--from/--to 只能与 --department 一起使用")
        raw = read_json_file("score", args.counts, "--counts")
        try:
            result = score(args.scheme, raw, weights_factory(), variant=args.variant)
        except ValueError as exc:
            fail("score", str(exc))
        print_json(result.as_dict())

    parser.set_defaults(func=run)
    return parser


def _from_database(args: argparse.Namespace) -> dict[str, Any]:
    """The department's counts for the period, derived from the configured database."""
    from datetime import UTC, datetime

    from backend.config import get_settings
    from backend.db import engine_for, session_scope
    from backend.errors import InvalidInput
    from backend.scoring.service import department_score

    for option, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value is None:
            fail("score", f"{option}: --department 需要 --from 和 --to（YYYY-MM-DD）")
    settings = get_settings()
    try:
        with session_scope(engine_for(settings.database_url), write=False) as session:
            return department_score(
                session,
                args.scheme,
                args.department,
                args.date_from,
                args.date_to,
                settings,
                datetime.now(UTC),
                variant=args.variant,
            )
    except InvalidInput as exc:
        options = {"from": "--from", "to": "--to", "department": "--department"}
        fail("score", f"{options.get(exc.field or '', '--' + str(exc.field))}: {exc.message}")
    except ValueError as exc:
        fail("score", str(exc))
