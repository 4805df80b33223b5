"""Queries dispatch needs beyond the work-order repository."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from backend.org.models import Grid
from backend.reports.models import Report


def grid_signature(session: Session) -> tuple[tuple[int, str], ...]:
    query = select(Grid.id, Grid.geometry).where(Grid.level == 3, col(Grid.geometry).is_not(None))
    rows = session.exec(query).all()
    return tuple(sorted((int(i), json.dumps(g, sort_keys=True)) for i, g in rows if i is not None))


def report_ids_of(session: Session, order_id: int) -> list[int]:
    query = select(Report.id).where(Report.work_order_id == order_id).order_by(col(Report.id))
    return [i for i in session.exec(query) if i is not None]
