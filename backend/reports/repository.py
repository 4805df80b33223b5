"""Queries for reports and their evidence."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlmodel import Session, select

from backend.reports.models import Report


def by_client_uuid(session: Session, reporter_id: int, client_uuid: str) -> Report | None:
    query = select(Report).where(
        Report.reporter_id == reporter_id, Report.client_uuid == client_uuid
    )
    return session.exec(query).first()


def by_id(session: Session, report_id: int) -> Report | None:
    return session.get(Report, report_id)


def lock_submission(session: Session, reporter_id: int, client_uuid: str) -> None:
    """Serialises submissions with the same idempotency key until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the write transaction already
    holds the database write lock (BEGIN IMMEDIATE, see backend.db.begin_write).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"report:{reporter_id}:{client_uuid}"},
        )


def count_all(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Report)).one())
