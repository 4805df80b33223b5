"""Classification, the dispatcher queue, dispatch and merge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backend.auth.models import Role, User
from backend.deps import CurrentUser, NowDep, SessionDep, SettingsDep, require_roles
from backend.dispatch import service
from backend.dispatch.schemas import ClassifyIn, ClassifyOut, DispatchIn, QueueItemOut
from backend.fields import IdPath
from backend.pagination import Page
from backend.workorders import service as orders
from backend.workorders.disposal import service as disposal
from backend.workorders.disposal.schemas import MergeIn
from backend.workorders.schemas import WorkOrderOut

router = APIRouter(tags=["dispatch"])

Dispatcher = Annotated[User, Depends(require_roles(Role.dispatcher, Role.leader, Role.admin))]


@router.post("/classify", response_model=ClassifyOut)
def classify(body: ClassifyIn, _: CurrentUser, settings: SettingsDep) -> ClassifyOut:
    return service.classify_text(body.text, settings)


@router.get("/dispatch/queue", response_model=Page[QueueItemOut])
def queue(
    _: Dispatcher, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Page[QueueItemOut]:
    return Page(items=service.queue(session, settings, now))


@router.post("/workorders/{order_id}/dispatch", response_model=WorkOrderOut)
def dispatch(
    order_id: IdPath,
    body: DispatchIn,
    user: Dispatcher,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    service.dispatch_manually(session, order_id, body, user, settings, now)
    return orders.answer(session, user, order_id, settings, now)


@router.post("/workorders/{order_id}/merge", response_model=WorkOrderOut)
def merge(
    order_id: IdPath,
    body: MergeIn,
    user: Dispatcher,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> WorkOrderOut:
    disposal.merge(session, user, order_id, body, settings, now)
    return orders.answer(session, user, order_id, settings, now)
