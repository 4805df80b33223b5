"""Reading reports: one's own, or the street's. (Filing one is the intake's: backend.dispatch.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.auth.models import Role, User
from backend.deps import CurrentUser, SessionDep, require_roles
from backend.fields import IdPath
from backend.pagination import Page
from backend.reports import service
from backend.reports.schemas import ReportOut

router = APIRouter(tags=["reports"])

Reporter = Annotated[User, Depends(require_roles(Role.member, Role.inspector))]


@router.get("/reports", response_model=Page[ReportOut])
def list_reports(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ReportOut]:
    return service.list_reports(session, user, cursor=cursor, limit=limit)


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: IdPath, user: CurrentUser, session: SessionDep) -> ReportOut:
    return service.get_report(session, user, report_id)
