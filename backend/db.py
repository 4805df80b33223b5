"""Engine, session and the column types shared by every model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import BigInteger, DateTime, Integer, event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

# Explicit names so migrations can drop and alter constraints on both engines.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Surrogate ids (and the foreign keys to them) are 64-bit on PostgreSQL, as the API bounds
# them; on SQLite an INTEGER primary key is already 64-bit and must stay INTEGER to be the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime on every engine: stored in UTC, returned aware in UTC.

    SQLite has no time zones, so naive values read back are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_WRITE_INTENT: ContextVar[bool] = ContextVar("gridline_write_intent", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class ReadSnapshotWrite(RuntimeError):
    """A write in a SQLite transaction that began as a read: another writer may have
    committed since its snapshot, so the write could fail or act on stale reads. Call
    ``begin_write`` before the first write."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
            # Let SQLAlchemy's "begin" event below issue BEGIN instead of pysqlite.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Reads run in deferred transactions (WAL: never blocked by a writer, never
            # blocking one). A transaction that will write takes the write lock at its start,
            # so it never reads a snapshot that another writer makes stale.
            immediate = _WRITE_INTENT.get()
            conn.info["immediate"] = immediate
            conn.info["read"] = False
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        @event.listens_for(engine, "before_cursor_execute")
        def _guard(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if conn.info.get("immediate", True):
                return
            if statement.lstrip()[:7].upper().startswith(_WRITES):
                if conn.info.get("read"):
                    raise ReadSnapshotWrite(statement.split(None, 3)[:3])
            elif not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
                conn.info["read"] = True

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def begin_write(session: Session) -> None:
    """Ends the request's read snapshot and starts its write transaction.

    SQLite: the reads so far were a deferred transaction; it is ended (it wrote nothing, so
    ending it keeps the objects it loaded) and ``BEGIN IMMEDIATE`` takes the database write
    lock, so everything from here on reads the latest commit and writes without a conflict.
    PostgreSQL: writers lock rows, not the database, so the transaction simply goes on. Call
    it once, before the first write; the session dependency still commits once, at the end.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        connection = session.connection()
        if connection.info.get("immediate"):
            return
        session.commit()
    with writing():
        session.connection()


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take SQLite's write lock at their start (migrations, a
    connection used outside a Session)."""
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. ``write``: the work writes
    (workers, commands), so on SQLite it holds the write lock from the start."""
    session = Session(engine, expire_on_commit=False)
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class _HasId(Protocol):
    id: int | None


def row_id(row: _HasId) -> int:
    """The id of a row that has been flushed (a row without one is a programming error)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


# Full-text indexes made by hand in the migrations (SQLite's FTS5 table with its shadow
# tables, PostgreSQL's GIN expression index), not in the models: autogenerate and the drift
# test leave them alone.
_UNMODELLED = ("work_order_fts", "ix_work_order_search_terms")


def include_in_autogenerate(
    _obj: object, name: str | None, type_: str, reflected: bool, _compare_to: object
) -> bool:
    return not (
        type_ in ("table", "index")
        and reflected
        and name is not None
        and name.startswith(_UNMODELLED)
    )
