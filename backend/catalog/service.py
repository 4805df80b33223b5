"""Loading the responsibility list into the database and reading it back."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from backend.catalog import repository as repo
from backend.catalog.models import Category
from backend.catalog.responsibility_list import DEFAULT_PATH, load_responsibility_list
from backend.catalog.schemas import CategoryOut
from backend.errors import NotFound
from backend.org import repository as org_repo
from backend.org.models import Department


def load_catalog(session: Session, now: datetime, path: Path = DEFAULT_PATH) -> int:
    """Upserts every department and item of the list; running it twice changes nothing."""
    data = load_responsibility_list(path)
    for department in data.departments:
        if org_repo.department_by_name(session, department.name) is None:
            session.add(Department(name=department.name, kind=department.kind, created_at=now))
    for item in data.items:
        lead = {k: v for k, v in dataclasses.asdict(item.lead).items() if v is not None}
        assists = [dataclasses.asdict(a) for a in item.assists]
        row = repo.category_by_number(session, item.number) or Category(
            number=item.number, name=item.name, lead=lead, assists=assists
        )
        row.name, row.scope, row.lead, row.assists = item.name, item.scope, lead, assists
        row.must_solve = item.must_solve
        session.add(row)
    session.flush()
    return len(data.items)


def list_categories(session: Session) -> list[CategoryOut]:
    return [
        CategoryOut.model_validate(c, from_attributes=True) for c in repo.list_categories(session)
    ]


def get_category(session: Session, number: int) -> CategoryOut:
    category = repo.category_by_number(session, number)
    if category is None:
        raise NotFound("事项清单中没有该序号", code="category_not_found")
    return CategoryOut.model_validate(category, from_attributes=True)
