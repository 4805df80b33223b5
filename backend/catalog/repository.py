"""Queries for the responsibility list."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.catalog.models import Category


def list_categories(session: Session) -> list[Category]:
    return list(session.exec(select(Category).order_by(col(Category.number))))


def category_by_number(session: Session, number: int) -> Category | None:
    return session.get(Category, number)
