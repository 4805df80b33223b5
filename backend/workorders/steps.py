"""The plumbing every lifecycle step shares: find, authorise, lock, record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend.auth.models import User
from backend.errors import Conflict, Forbidden, InvalidInput
from backend.evidence.models import Photo, Recording
from backend.notify import service as notify
from backend.workorders import events
from backend.workorders import repository as repo
from backend.workorders.models import WorkOrder
from backend.workorders.service import visible_order
from backend.workorders.state_machine import Actor, IllegalTransition, Relation, Step, check


def relation_of(session: Session, user: User, order: WorkOrder) -> Relation:
    if user.role != "handler" or user.department_id is None or order.id is None:
        return Relation.none
    if user.department_id == order.lead_department_id:
        return Relation.lead
    if user.department_id in repo.assist_ids(session, order.id):
        return Relation.assist
    return Relation.none


def allowed(session: Session, user: User, order_id: int, step: Step) -> WorkOrder:
    """The order, if this user may take this step on it now (403/404/409 otherwise)."""
    order = visible_order(session, user, order_id)
    try:
        check(step, order.status, Actor(user.role, relation_of(session, user, order)))
    except IllegalTransition as exc:
        if exc.code in ("role_forbidden", "not_your_order"):
            raise Forbidden(exc.message, code=exc.code) from exc
        raise Conflict(exc.message, code=exc.code) from exc
    return order


def begin(session: Session, user: User, order_id: int, version: int, step: Step) -> WorkOrder:
    """Checks the step is allowed now, then takes the order's version (409 if it moved on).

    The compare-and-set on version is what makes two concurrent steps end with one winner.
    """
    order = allowed(session, user, order_id, step)
    if not repo.bump_version(session, order_id, version):
        raise Conflict("工单已被他人处理，请刷新后重试", code="stale_version", field="version")
    session.refresh(order)
    return order


def record(
    session: Session,
    order: WorkOrder,
    event_kind: str,
    user: User | None,
    now: datetime,
    /,
    **payload: Any,
) -> None:
    assert order.id is not None
    session.add(order)
    session.flush()
    events.append(
        session, order.id, event_kind, at=now, actor_id=user.id if user else None, payload=payload
    )


def tell_department(
    session: Session,
    order: WorkOrder,
    kind: str,
    title: str,
    body: str | None,
    now: datetime,
    department_id: int | None = None,
) -> None:
    """Tells a department's handlers (the lead by default) what needs their action."""
    department_id = department_id or order.lead_department_id
    if department_id is None:
        return
    notify.notify(
        session,
        notify.department_handlers(session, department_id),
        kind=kind,
        title=title,
        body=(body or "")[:100],
        work_order_id=order.id,
        # One per step: the order's version changes with every step.
        dedupe_key=f"{kind}:{order.id}:{order.version}:{department_id}",
        now=now,
    )


def own_photos(session: Session, order_id: int, ids: list[int], field: str) -> list[Photo]:
    """The photos, which must be this order's evidence (422 naming the field otherwise)."""
    photos = [repo.photo_of_order(session, order_id, i) for i in ids]
    if any(p is None for p in photos):
        raise InvalidInput("照片不属于该工单", code="unknown_photo", field=field)
    return [p for p in photos if p is not None]


def own_recordings(session: Session, order_id: int, ids: list[int], field: str) -> list[Recording]:
    recordings = [repo.recording_of_order(session, order_id, i) for i in ids]
    if any(r is None for r in recordings):
        raise InvalidInput("录音不属于该工单", code="unknown_recording", field=field)
    return [r for r in recordings if r is not None]
