"""On SQLite, reading an order is never held up by a writer: the database runs in WAL mode and
reads begin deferred (backend/db.py), so they read the last commit while a write is open."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url

READ_WITHIN_S = 1.0


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")


@contextmanager
def held_write(database_url: str, order_id: int) -> Iterator[None]:
    """Another connection takes the write lock and changes the order, without committing."""
    path = make_url(database_url).database
    assert path
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE work_order SET description = 'uncommitted' WHERE id = ?", (order_id,))
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_an_order_can_be_read_while_another_connection_holds_the_write_lock(
    walker, client, as_user, database_url
) -> None:
    w = walker()
    description = w.order["description"]
    # Logging in writes (login bookkeeping), so everyone logs in before the lock is taken.
    headers = {user: as_user(user) for user in ("demo-dispatcher", "demo-handler", "demo-member")}
    with held_write(database_url, w.id):
        for user, header in headers.items():
            started = time.monotonic()
            response = client.get(f"/api/v1/workorders/{w.id}", headers=header)
            took = time.monotonic() - started
            assert response.status_code == 200, (user, response.text)
            assert took < READ_WITHIN_S, (user, took)
            # The last commit, not the open write.
            assert response.json()["description"] == description
            assert response.json()["version"] == w.order["version"]
    # Once the writer is gone, steps write again.
    w.step("demo-handler", "accept")
    assert w.order["status"] == "accepted"
