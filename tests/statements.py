"""Counting the SQL statements a request runs, to bound them.

    with count_statements(engine) as counted:
        response = client.get(...)
    assert len(counted) <= 10, counted.report()

Everything the request sends through the app's engine is counted, the token's user lookup
included, except transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) and
SQLite's PRAGMAs: SQLite issues its BEGIN through a cursor while PostgreSQL's driver begins
implicitly, so counting them would make the same request cost differently per engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class Statements:
    """The statements seen so far, in order (the app may run them on another thread)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = Lock()

    def add(self, statement: str) -> None:
        if statement.lstrip().upper().startswith(_CONTROL):
            return
        with self._lock:
            self.seen.append(statement)

    def __len__(self) -> int:
        return len(self.seen)

    def report(self) -> str:
        """The statements, one per line, for a failing assertion's message."""
        lines = (" ".join(s.split())[:160] for s in self.seen)
        return f"{len(self.seen)} statements:\n" + "\n".join(f"  {line}" for line in lines)


@contextmanager
def count_statements(engine: Engine) -> Iterator[Statements]:
    counted = Statements()

    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counted.add(statement)

    event.listen(engine, "before_cursor_execute", _seen)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", _seen)
