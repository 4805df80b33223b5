"""Fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL) built by the
real migrations, the real ASGI app over HTTP, and a settable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import backend.models  # noqa: F401
from backend.config import PROJECT_ROOT, Settings
from backend.db import engine_for, session_scope
from backend.main import create_app
from backend.seams.clock import FrozenClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHARED = PROJECT_ROOT.parent / "shared"
TESTDATA = SHARED / "testdata"
DEMO_PASSWORD = "gridline-demo"


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.cmd_opts = __import__("argparse").Namespace(x=[f"url={url}"])
    return config


def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """A new empty database: a SQLite file, or a throwaway PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_dir / 'gridline-test.db'}"
        return
    name = f"gridline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in fresh_database(tmp_path_factory.mktemp("db")):
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    """The migrated database, emptied after each test."""
    engine = engine_for(database_url)
    yield engine
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def clock() -> FrozenClock:
    # A Monday morning in Shanghai: a working day, office hours.
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tests run the deadline sweep themselves, with a frozen clock.
    return Settings(
        database_url=database_url,
        media_root=tmp_path / "media",
        dev_mode=True,
        inprocess_worker=False,
    )


@pytest.fixture
def app(db: Engine, settings: Settings, clock: FrozenClock):
    return create_app(settings, clock)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def demo(db: Engine, settings: Settings, clock: FrozenClock) -> None:
    """The catalog and the demo street, loaded the way `make run` loads them."""
    from backend.catalog.service import load_catalog
    from backend.org.demo import create_demo_street

    with session_scope(db) as session:
        load_catalog(session, clock.now())
        create_demo_street(session, settings, clock.now())


@pytest.fixture
def as_user(client: TestClient, demo: None, clock: FrozenClock) -> Callable[..., dict[str, str]]:
    """Logs a demo user in over HTTP and returns the Authorization header. Each user logs in
    once per test (argon2 is slow on purpose) and again only when the test's clock has moved
    past the access token's lifetime."""
    tokens: dict[tuple[str, str], tuple[datetime, dict[str, str]]] = {}

    def _login(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        now = clock.now()
        cached = tokens.get((username, password))
        if cached is not None and now - cached[0] < timedelta(minutes=10):
            return cached[1]
        response = client.post(
            "/api/v1/auth/login", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        header = {"Authorization": f"Bearer {response.json()['access_token']}"}
        tokens[(username, password)] = (now, header)
        return header

    return _login
