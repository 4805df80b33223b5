"""Queries for stored photos and recordings."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from backend.evidence.models import Photo, Recording


def photo_by_id(session: Session, photo_id: int) -> Photo | None:
    return session.get(Photo, photo_id)


def recording_by_id(session: Session, recording_id: int) -> Recording | None:
    return session.get(Recording, recording_id)


def photos_of(
    session: Session, *, report_ids: Collection[int] = (), order_id: int | None = None
) -> list[Photo]:
    """The photos of these reports and the order's own evidence, in one statement."""
    conditions: list[ColumnElement[bool]] = []
    if report_ids:
        conditions.append(col(Photo.report_id).in_(list(report_ids)))
    if order_id is not None:
        conditions.append(col(Photo.work_order_id) == order_id)
    if not conditions:
        return []
    query = select(Photo).where(or_(*conditions)).order_by(col(Photo.id))
    return list(session.exec(query))


def recordings_of(
    session: Session, *, report_ids: Collection[int] = (), order_id: int | None = None
) -> list[Recording]:
    conditions: list[ColumnElement[bool]] = []
    if report_ids:
        conditions.append(col(Recording.report_id).in_(list(report_ids)))
    if order_id is not None:
        conditions.append(col(Recording.work_order_id) == order_id)
    if not conditions:
        return []
    query = select(Recording).where(or_(*conditions)).order_by(col(Recording.id))
    return list(session.exec(query))


def keys_in_use(session: Session, keys: set[str]) -> set[str]:
    """Which of these storage keys some committed row still points at."""
    if not keys:
        return set()
    used: set[str] = set()
    for column in (Photo.original_key, Photo.display_key, Photo.thumbnail_key):
        used.update(session.exec(select(column).where(col(column).in_(keys))))
    used.update(
        session.exec(select(Recording.storage_key).where(col(Recording.storage_key).in_(keys)))
    )
    return used
