"""`gridline open311-key create --name NAME | list | revoke ID`: the API keys of the systems
that file Open311 requests. ``create`` prints the new key on its own last line (scripts read
it from there); only its hash is stored, so it cannot be shown again."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.errors import DomainError
from backend.open311 import service
from backend.scoring.cli import fail
from backend.timefmt import to_api

SessionFactory = Callable[[], AbstractContextManager[Session]]
Now = Callable[[], datetime]


def add_open311_key_parser(
    subparsers: Any, sessions: SessionFactory, now: Now
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "open311-key", help="create, list or revoke Open311 API keys"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new key, printed once on the last line")
    create.add_argument("--name", required=True, help="who the key is for, e.g. 区平台")
    actions.add_parser("list", help="every key: id, name, prefix, created, revoked")
    revoke = actions.add_parser("revoke", help="stop a key at once")
    revoke.add_argument("key_id", type=int)

    def run(args: argparse.Namespace) -> None:
        try:
            with sessions() as session:
                if args.action == "create":
                    row, key = service.create_key(session, args.name, now())
                    print(f"created Open311 key {row.id} for {row.name}; it is shown only once:")
                    print(key)
                elif args.action == "list":
                    for row in service.list_keys(session):
                        state = f"revoked {to_api(row.revoked_at)}" if row.revoked_at else "active"
                        print(
                            f"{row.id}\t{row.name}\t{row.prefix}…\t{to_api(row.created_at)}\t{state}"
                        )
                else:
                    row = service.revoke_key(session, args.key_id, now())
                    print(f"revoked Open311 key {row.id} ({row.name})")
        except DomainError as exc:
            fail("open311-key", exc.message)

    parser.set_defaults(func=run)
    return parser
