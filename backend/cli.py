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
    from backend.worker import run_forever, sweep

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    engine = engine_for(settings.database_url)
    notifier = notifier_from_url(settings.wecom_webhook_url)
    storage = make_storage(settings)
    if args.once:
        now = SystemClock().now()
        result = sweep(engine, now, settings=settings)
        delivered = deliver_pending(engine, notifier, now)
        print(f"reminders sent: {result.reminded}, breaches recorded: {result.breached}")
        print(f"notifications delivered: {delivered.sent}, failed: {delivered.failed}")
        made = generate_scheduled(engine, storage, settings, now)
        print(f"reports made: {len(made)}")
        return
    run_forever(
        engine, SystemClock(), settings.worker_interval_s, threading.Event(), notifier, storage
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
    worker = commands.add_parser("worker", help="run the deadline sweep (reminders, breaches)")
    worker.add_argument("--once", action="store_true", help="one sweep, then exit")
    worker.set_defaults(func=_worker)
    add_due_parser(commands, _calendar, profile_factory=_profile)
    add_workdays_parser(commands, _calendar)
    add_quota_parser(commands, _calendar)
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
