"""Reading a work order and checking its timeline."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import CurrentUser, NowDep, SessionDep
from backend.workorders import service
from backend.workorders.schemas import ChainOut, WorkOrderOut
from backend.workorders.step_schemas import UnrepliedOut

router = APIRouter(tags=["workorders"])


@router.get("/supervisions/unreplied", response_model=UnrepliedOut)
def unreplied(user: CurrentUser, session: SessionDep, now: NowDep) -> UnrepliedOut:
    return service.unreplied_supervisions(session, user, now)


@router.get("/workorders/{order_id}", response_model=WorkOrderOut)
def get_order(order_id: int, user: CurrentUser, session: SessionDep, now: NowDep) -> WorkOrderOut:
    return service.get_order(session, user, order_id, now)


@router.get("/workorders/{order_id}/chain", response_model=ChainOut)
def chain(order_id: int, user: CurrentUser, session: SessionDep) -> ChainOut:
    return service.chain(session, user, order_id)
