"""Responsibility list routes."""

from __future__ import annotations

from fastapi import APIRouter

from backend.catalog import service
from backend.catalog.schemas import CategoryOut
from backend.deps import CurrentUser, SessionDep
from backend.fields import CategoryPath
from backend.pagination import Page

router = APIRouter(tags=["catalog"])


@router.get("/categories", response_model=Page[CategoryOut])
def categories(_: CurrentUser, session: SessionDep) -> Page[CategoryOut]:
    return Page(items=service.list_categories(session))


@router.get("/categories/{number}", response_model=CategoryOut)
def category(number: CategoryPath, _: CurrentUser, session: SessionDep) -> CategoryOut:
    return service.get_category(session, number)
