"""The `gridline` command: migrate, load data, serve."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from backend.config import PROJECT_ROOT, get_settings
from backend.db import engine_for, session_scope
from backend.hotline.cli import add_hotline_import_parser
from backend.open311.cli import add_open311_key_parser
from backend.quotas.cli import add_quota_parser
from backend.scoring.cli import add_score_parser
from backend.seams.clock import SystemClock
from backend.sla.cli import add_due_parser, add_workdays_parser

if TYPE_CHECKING:
    from backend.sla.calendar import WorkCalendar
    from backend.sla.profiles import Profile


def _migrate(_: argparse.Namespace) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.cmd_opts = argparse.Namespace(x=[f"url={get_settings().database_url}"])
    command.upgrade(config, "head")
    print("database migrated to head")


def _load_catalog(_: argparse.Namespace) -> None:
    from backend.catalog.service import load_catalog

    with session_scope(engine_for(get_settings().database_url)) as session:
        count = load_catalog(session, SystemClock().now())
    print(f"responsibility list loaded: {count} items")


def _demo(_: argparse.Namespace) -> None:
    from backend.dispatch.demo import create_demo_reports
    from backend.main import make_storage
    from backend.org.demo import DEMO_PASSWORD, create_demo_street

    settings = get_settings()
    with session_scope(engine_for(settings.database_url)) as session:
        users = create_demo_street(session, settings, SystemClock().now())
    with session_scope(engine_for(settings.database_url)) as session:
        reports = create_demo_reports(
            session, make_storage(settings), settings, SystemClock().now()
        )
    print(f"demo street ready with {reports} demo reports; demo users (password: {DEMO_PASSWORD}):")
    for user in users:
        print(f"  {user.username:<16} {user.role.value:<10} {user.display_name}")


def _calendar() -> WorkCalendar:
    """The working calendar with the database's official days, when there is a database."""
    from sqlalchemy.exc import SQLAlchemyError

    from backend.sla.calendar_data import default_calendar
    from backend.sla.service import calendar_for

    try:
        with session_scope(engine_for(get_settings().database_url)) as session:
            return calendar_for(session)
    except SQLAlchemyError:
        return default_calendar()


def _profile(name: str) -> Profile:
    from backend.sla.profiles import load_profile

    return load_profile(name, get_settings().policy_overrides or None)


def _worker(args: argparse.Namespace) -> None:
    import logging
    import threading

    from backend.exports.service import generate_scheduled
    from backend.main import make_storage
    from backend.notify.outbox import deliver_pending
    from backend.seams.notifier import notifier_from_url
    from backend.worker import close_quota_week, run_forever, sweep

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    engine = engine_for(settings.database_url)
    notifier = notifier_from_url(settings.wecom_webhook_url)
    storage = make_storage(settings)
    if args.once:
        now = SystemClock().now()
        result = sweep(engine, now, settings=settings)
        closed = close_quota_week(engine, now, settings)
        delivered = deliver_pending(engine, notifier, now)
        print(f"reminders sent: {result.reminded}, breaches recorded: {result.breached}")
        if closed is not None:
            print(f"quota week {closed.week} closed for {closed.closed} members")
        print(f"notifications delivered: {delivered.sent}, failed: {delivered.failed}")
        made = generate_scheduled(engine, storage, settings, now)
        print(f"reports made: {len(made)}")
        return
    run_forever(
        engine,
        SystemClock(),
        settings.worker_interval_s,
        threading.Event(),
        notifier,
        settings,
        storage,
    )


def _quota_close(args: argparse.Namespace) -> None:
    """Closes a members' week on demand (the worker closes last week by itself): the ledger
    lines and the warnings; a week already closed for a member is left as it is."""
    import json

    from backend.quotas import closing as quotas
    from backend.quotas.rules import IsoWeek
    from backend.quotas.service import active_rule

    try:
        week = IsoWeek.parse(args.week)
    except ValueError as exc:
        print(f"quota-close: {exc}", file=sys.stderr)
        sys.exit(2)
    settings = get_settings()
    now = SystemClock().now()
    if week >= IsoWeek.of(now, settings.tz):
        print(f"quota-close: {week} 尚未结束，不能结算", file=sys.stderr)
        sys.exit(2)
    if active_rule(settings).rule is None:
        print(f"quota-close: {active_rule(settings).note}", file=sys.stderr)
        sys.exit(2)
    with session_scope(engine_for(settings.database_url)) as session:
        result = quotas.close_week(session, week, settings, now)
    print(
        json.dumps(
            {
                "week": result.week,
                "closed": result.closed,
                "lines": result.lines,
                "notified": result.notified,
            },
            ensure_ascii=False,
        )
    )


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "backend.main:create_app", factory=True, host=args.host, port=args.port, log_level="info"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gridline", description="Gridline 网格通")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    commands.add_parser("load-catalog", help="load the responsibility list").set_defaults(
        func=_load_catalog
    )
    commands.add_parser("demo", help="create the demo street and users").set_defaults(func=_demo)
    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.set_defaults(func=_serve)
    worker = commands.add_parser(
        "worker", help="run the deadline sweep (reminders, breaches) and the members' weekly close"
    )
    worker.add_argument("--once", action="store_true", help="one sweep, then exit")
    worker.set_defaults(func=_worker)
    add_due_parser(commands, _calendar, profile_factory=_profile)
    add_workdays_parser(commands, _calendar)
    add_quota_parser(commands, _calendar)
    quota_close = commands.add_parser(
        "quota-close", help="close the members' quota week: points ledger and warnings"
    )
    quota_close.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
    quota_close.set_defaults(func=_quota_close)
    add_score_parser(commands)
    add_hotline_import_parser(commands)
    add_open311_key_parser(
        commands,
        lambda: session_scope(engine_for(get_settings().database_url)),
        lambda: SystemClock().now(),
    )
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
