"""Queries of platform orders."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select, update

from backend.workorders.models import WorkOrder


def by_external_no(session: Session, source: str, external_no: str) -> WorkOrder | None:
    """The order the platform knows by this number (unique per channel)."""
    return session.exec(
        select(WorkOrder).where(WorkOrder.source == source, WorkOrder.external_no == external_no)
    ).first()


def lock_and_update(session: Session, order: WorkOrder, values: dict[str, Any]) -> None:
    """Writes the platform's changes and bumps the version, so a client holding the old
    version is told to reload (the write transaction is already held)."""
    session.execute(
        update(WorkOrder)
        .where(col(WorkOrder.id) == order.id)
        .values(version=WorkOrder.version + 1, **values)
    )
    session.refresh(order)
