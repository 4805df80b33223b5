"""Reading a work order and checking its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backend.auth.models import Role, User
from backend.deps import CurrentUser, NowDep, SessionDep, require_roles
from backend.fields import IdPath
from backend.workorders import service
from backend.workorders.schemas import ChainOut, WorkOrderOut
from backend.workorders.step_schemas import UnrepliedOut

router = APIRouter(tags=["workorders"])


SupervisionReader = Annotated[
    User, Depends(require_roles(Role.handler, Role.dispatcher, Role.leader, Role.admin))
]


@router.get("/supervisions/unreplied", response_model=UnrepliedOut)
def unreplied(user: SupervisionReader, session: SessionDep, now: NowDep) -> UnrepliedOut:
    return service.unreplied_supervisions(session, user, now)


@router.get("/workorders/{order_id}", response_model=WorkOrderOut)
def get_order(
    order_id: IdPath, user: CurrentUser, session: SessionDep, now: NowDep
) -> WorkOrderOut:
    return service.get_order(session, user, order_id, now)


@router.get("/workorders/{order_id}/chain", response_model=ChainOut)
def chain(order_id: IdPath, user: CurrentUser, session: SessionDep) -> ChainOut:
    return service.chain(session, user, order_id)
