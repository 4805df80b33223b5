"""Reading a report. (Filing one is the intake's, and listing them with their orders' status
is in backend.dispatch too: both need the orders.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backend.auth.models import Role, User
from backend.deps import CurrentUser, SessionDep, require_roles
from backend.fields import IdPath
from backend.reports import service
from backend.reports.schemas import ReportOut

router = APIRouter(tags=["reports"])

Reporter = Annotated[User, Depends(require_roles(Role.member, Role.inspector))]


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: IdPath, user: CurrentUser, session: SessionDep) -> ReportOut:
    return service.get_report(session, user, report_id)
