"""A throwaway PostgreSQL database for the benchmarks: the real migrations, the catalog and the
demo street, dropped afterwards unless kept. GRID_PG_URL points at the server (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, make_url, text

from backend.catalog.service import load_catalog
from backend.config import Settings
from backend.db import engine_for, session_scope
from backend.org.demo import create_demo_street
from backend.seams.clock import SystemClock
from tests.conftest import alembic_config


@contextmanager
def street_database(name: str, *, keep: bool = False) -> Iterator[tuple[str, Settings]]:
    """(url, settings) of a new database ``name`` (an older one of that name is dropped)."""
    server = os.environ.get("GRID_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        command.upgrade(alembic_config(url), "head")
        media = Path(tempfile.mkdtemp(prefix=f"{name}-")) / "media"
        settings = Settings(database_url=url, media_root=media, inprocess_worker=False)
        with session_scope(engine_for(url)) as session:
            load_catalog(session, SystemClock().now())
            create_demo_street(session, settings, SystemClock().now())
        yield url, settings
    finally:
        engine_for.cache_clear()
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
