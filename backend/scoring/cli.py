"""`gridline score`: a department score from a JSON file of counts.

backend/cli.py registers it with add_score_parser. ``--scheme jiangning|zhenru|dongcheng
--counts FILE.json`` reads a JSON object of counts and prints the score as JSON (``total``, each
part by name, ``grade`` where the scheme has one, what had no data and how the total treated
it). Bad input exits 2 with one line on stderr, never a traceback.
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
    parser.add_argument("--counts", required=True, metavar="FILE.json", help="JSON object")
    parser.add_argument(
        "--variant",
        help="zhenru only: 'text' takes the text's 5 points per missed first contact or late "
        "order instead of the score sheet's 10",
    )

    def run(args: argparse.Namespace) -> None:
        if args.scheme not in SCHEME_NAMES:
            fail("score", f"未知的评分方案 {args.scheme!r}（可选：{'、'.join(SCHEME_NAMES)}）")
        raw = read_json_file("score", args.counts, "--counts")
        try:
            result = score(args.scheme, raw, weights_factory(), variant=args.variant)
        except ValueError as exc:
            fail("score", str(exc))
        print_json(result.as_dict())

    parser.set_defaults(func=run)
    return parser
