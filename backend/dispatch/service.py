"""Classifying, locating and routing an order, the dispatcher queue, and dispatch by hand.

The rules are pure (classifier.py, routing.py, geo.py); this module gathers what they need and
hands the decision to the order's lifecycle (backend.workorders.assignment).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import Session

from backend.auth.models import User
from backend.catalog import repository as catalog_repo
from backend.config import Settings
from backend.db import row_id
from backend.dispatch import repository as repo
from backend.dispatch.classifier import Classification, ConfidenceRule, load_classifier
from backend.dispatch.geo import GridIndex
from backend.dispatch.routing import Route, RoutingContext, route
from backend.dispatch.schemas import ClassifyOut, DispatchIn, DuplicateOut, QueueItemOut
from backend.errors import InvalidInput
from backend.geo import bounding_box, haversine_m
from backend.org import repository as org_repo
from backend.sla import service as sla
from backend.workorders import assignment
from backend.workorders.assignment import Assignment
from backend.workorders.machine import Step
from backend.workorders.models import WorkOrder
from backend.workorders.pipeline import Apply, Gathered, decide, gather
from backend.workorders.returns import settle as returns
from backend.workorders.returns.rules import ReturnDecision
from backend.workorders.review import rules as review_rules
from backend.workorders.review.service import issue_supervision
from backend.workorders.schemas import CandidateOut
from backend.workorders.wording import choices_zh


def classify(text: str, member_pick: int | None, settings: Settings) -> Classification:
    rule = ConfidenceRule(
        min_score=settings.classifier_min_score,
        min_margin=settings.classifier_min_margin,
        pick_min_score=settings.classifier_pick_min_score,
    )
    return load_classifier().classify(text, member_pick, confidence=rule)


def classify_text(text: str, settings: Settings) -> ClassifyOut:
    result = classify(text, None, settings)
    return ClassifyOut(
        candidates=[
            CandidateOut(number=c.number, name=c.name, score=c.score) for c in result.candidates
        ],
        confident=result.confident,
    )


@lru_cache(maxsize=8)
def _index(signature: tuple[tuple[int, str], ...]) -> GridIndex:
    return GridIndex((grid_id, json.loads(geometry)) for grid_id, geometry in signature)


def grid_index(session: Session) -> GridIndex:
    # Keyed by the grids' ids and outlines, so an edited grid is picked up at once.
    return _index(repo.grid_signature(session))


# -- routing -------------------------------------------------------------------------------


_NOWHERE = (1.0, 0.0, 1.0, 0.0)  # an empty box: only the address can match


def earlier_at_place(
    session: Session,
    order: WorkOrder,
    category_number: int,
    since: datetime,
    radius_m: float,
) -> list[WorkOrder]:
    """Earlier orders of this category at the order's address or within ``radius_m`` of its
    point, created since ``since`` (filtered in SQL by bounding box and time, measured
    exactly here). An order without a point matches by address only."""
    return _at_place(
        order,
        radius_m,
        lambda box, address: repo.earlier_nearby(
            session, category_number, box, address, since, order.created_at, order.id
        ),
    )


def closed_at_place(
    session: Session, order: WorkOrder, category_number: int, settings: Settings, now: datetime
) -> list[WorkOrder]:
    """回潮: orders of this category at the order's place (address, or the 返潮 radius) that
    were closed within the 返潮 window, newest closure first."""
    since = now - timedelta(days=settings.repeat_window_days)
    return _at_place(
        order,
        settings.repeat_radius_m,
        lambda box, address: repo.closed_nearby(
            session, category_number, box, address, since, order.created_at, order.id
        ),
    )


def _at_place(
    order: WorkOrder,
    radius_m: float,
    candidates_of: Callable[[tuple[float, float, float, float], str | None], list[WorkOrder]],
) -> list[WorkOrder]:
    address = (order.address or "").strip() or None
    if order.lat is not None and order.lng is not None:
        box = bounding_box(order.lat, order.lng, radius_m)
    elif address is not None:
        box = _NOWHERE
    else:
        return []
    return [
        earlier
        for earlier in candidates_of(box, address)
        if (address and (earlier.address or "").strip() == address)
        or _distance(order, earlier) <= radius_m
    ]


def supervise_comeback(
    session: Session,
    apply: Apply,
    gathered: Gathered,
    assigned: Assignment,
    settings: Settings,
    now: datetime,
) -> None:
    """回潮 (seed 000 二(二)5): a dispatched order at the place of a closed one of its
    category raises a repeat supervision (重复交办事项督办) to its lead department, once per
    order, inside the dispatch's write phase."""
    facts, rules = gathered.facts, gathered.rules
    kinds = [s.kind for s in facts.supervisions]
    enabled = rules.supervision.on_comeback
    if not enabled or assigned.category_number is None or review_rules.COMEBACK_KIND in kinds:
        return
    earlier = closed_at_place(
        session, gathered.bundle.order, assigned.category_number, settings, now
    )
    if not earlier:
        return
    category = catalog_repo.category_by_number(session, assigned.category_number)
    notice = review_rules.comeback_notice(
        enabled,
        kinds,
        category.name if category else None,
        [(e.number, (e.closed_at or now).astimezone(settings.tz).date()) for e in earlier],
    )
    if notice is None:
        return
    apply.event(
        "came_back",
        by=None,
        earlier=[e.number for e in earlier],
        earlier_ids=[row_id(e) for e in earlier],
        category_number=assigned.category_number,
    )
    issue_supervision(
        session,
        apply,
        replace(facts, lead_department_id=assigned.lead_id),
        rules,
        kind=review_rules.COMEBACK_KIND,
        level="street",
        notice=notice,
        issued_by=None,
        settings=settings,
        now=now,
    )


def _comes_back(
    session: Session, order: WorkOrder, category_number: int, settings: Settings
) -> bool:
    """返潮: an earlier order of this category at the same place in the window."""
    if order.lat is None or order.lng is None:
        return False
    since = order.created_at - timedelta(days=settings.repeat_window_days)
    return bool(earlier_at_place(session, order, category_number, since, settings.repeat_radius_m))


def _distance(a: WorkOrder, b: WorkOrder) -> float:
    if a.lat is None or a.lng is None or b.lat is None or b.lng is None:
        return float("inf")
    return haversine_m(a.lat, a.lng, b.lat, b.lng)


def route_for(
    session: Session, order: WorkOrder, category_number: int, settings: Settings, now: datetime
) -> Route:
    category = catalog_repo.category_by_number(session, category_number)
    if category is None:
        raise InvalidInput("事项清单中没有该序号", code="unknown_category", field="category_number")
    context = RoutingContext(
        area_team=repo.area_team_of(session, order.grid_id) if order.grid_id else None,
        repeat_at_address=_comes_back(session, order, category_number, settings),
        workday_daytime=sla.is_workday_daytime(session, now, settings),
    )
    return route(category.lead, category.assists, context)


def department_id(session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    department = org_repo.department_by_name(session, name)
    return department.id if department else None


def department_ids(session: Session, names: Iterable[str]) -> tuple[int, ...]:
    return tuple(i for i in (department_id(session, n) for n in names) if i is not None)


def _radius(settings: Settings, category_number: int | None) -> float:
    if category_number is None:
        return settings.default_duplicate_radius_m
    return settings.duplicate_radius_m.get(category_number, settings.default_duplicate_radius_m)


def _within(
    order: WorkOrder, nearby: Iterable[repo.Nearby], radius: float
) -> Iterator[DuplicateOut]:
    """The nearby orders within the radius, each distance measured once (a queue page
    measures thousands: the order's point is read once, not per candidate)."""
    if order.lat is None or order.lng is None:
        return
    lat, lng = order.lat, order.lng
    for other in nearby:
        distance = haversine_m(lat, lng, other.lat, other.lng)
        if distance <= radius:
            yield DuplicateOut(
                id=other.id, number=other.number, status=other.status, distance_m=round(distance, 1)
            )


def possible_duplicates(
    session: Session, order: WorkOrder, settings: Settings
) -> list[DuplicateOut]:
    """Open orders of the same category within the category's radius, nearest first."""
    if order.category_number is None or order.lat is None or order.lng is None:
        return []
    radius = _radius(settings, order.category_number)
    nearby = repo.open_orders_near(
        session,
        order.category_number,
        bounding_box(order.lat, order.lng, radius),
        exclude_id=order.id,
    )
    return sorted(_within(order, nearby, radius), key=lambda d: d.distance_m)


def why_queued(
    confident: bool,
    grid_id: int | None,
    chosen: Route | None,
    duplicates: list[DuplicateOut],
    *,
    located: bool = True,
) -> str:
    if grid_id is None:
        return "不在辖区网格内" if located else "无坐标，需确认所属网格"
    if duplicates:
        return "疑似重复工单"
    if not confident:
        return "分类不确定"
    if chosen is None or chosen.lead is None:
        return chosen.reason if chosen else "无法确定主办部门"
    return "需人工派单"


# -- the dispatcher ------------------------------------------------------------------------


def dispatch_manually(
    session: Session, order_id: int, body: DispatchIn, user: User, settings: Settings, now: datetime
) -> None:
    gathered = gather(session, user, order_id, settings)
    change = decide(gathered, Step.dispatch, now, version=body.version)
    order = gathered.bundle.order
    profile = sla.profile_for(settings)
    level = body.level or order.level
    levels = sla.level_labels(profile, order.source)
    if level not in levels:
        raise InvalidInput(f"等级只能是：{choices_zh(levels)}", code="invalid_level", field="level")
    chosen = route_for(session, order, body.category_number, settings, now)
    lead_id = body.lead_department_id or department_id(session, chosen.lead)
    if lead_id is None:
        raise InvalidInput("请指定主办部门", code="lead_required", field="lead_department_id")
    wanted = {lead_id, *(body.assist_department_ids or [])}
    if len(org_repo.departments_by_ids(session, wanted)) != len(wanted):
        raise InvalidInput("部门不存在", code="unknown_department", field="assist_department_ids")
    assists = (
        tuple(body.assist_department_ids)
        if body.assist_department_ids is not None
        else department_ids(session, chosen.assists)
    )
    # A returned order dispatched here is re-dispatched: the dispatch decides its return.
    settled = returns.settlement(gathered, note="指挥中心重新派单", next_lead_id=lead_id)
    extra: dict[str, object] = {"marked_repeat": order.marked_repeat or body.marked_repeat}
    if settled is not None and settled.decision is ReturnDecision.approved:
        extra["redispatch_count"] = order.redispatch_count + 1
    assigned = Assignment(
        lead_id=lead_id,
        assist_ids=assists,
        category_number=body.category_number,
        level=level,
        mode="manual",
        reason="人工派单" if body.lead_department_id else chosen.reason,
    )
    apply = assignment.dispatch(
        session,
        gathered,
        body.version,
        change,
        assigned,
        settings,
        now,
        extra_values=extra,
        first_event=settled.event if settled is not None else None,
    )
    supervise_comeback(session, apply, gathered, assigned, settings, now)
    if settled is not None:
        settled.record(session, user, now)


def queue(session: Session, settings: Settings, now: datetime) -> list[QueueItemOut]:
    """The orders waiting for dispatch with their countdowns, report ids and possible
    duplicates: the same four statements for 5 orders or 200."""
    rows = repo.queue(session)
    ids = [row_id(order) for order, _ in rows]
    reports = repo.report_ids_of(session, ids)
    located = [o for o, _ in rows if o.lat is not None and o.category_number is not None]
    radius = max(
        [_radius(settings, o.category_number) for o in located]
        or [settings.default_duplicate_radius_m]
    )
    max_lat = max([abs(o.lat or 0.0) for o in located] or [0.0])
    _, north, _, east = bounding_box(max_lat, 0.0, radius)
    candidates: dict[int, list[repo.Nearby]] = {}
    for queued_id, other in repo.open_orders_near_each(
        session, [row_id(o) for o in located], north - max_lat, east
    ):
        candidates.setdefault(queued_id, []).append(other)
    nearby = {
        row_id(o): list(
            _within(o, candidates.get(row_id(o), []), _radius(settings, o.category_number))
        )
        for o in located
    }
    return [
        QueueItemOut(
            id=row_id(order),
            number=order.number,
            version=order.version,
            source=order.source,
            description=order.description,
            address=order.address,
            lat=order.lat,
            lng=order.lng,
            grid_id=order.grid_id,
            out_of_jurisdiction=order.out_of_jurisdiction,
            category_number=order.category_number,
            suggestions=[CandidateOut(**s) for s in order.suggestions],
            confident=order.confident,
            created_at=order.created_at,
            dispatch_due_at=clock.due_at if clock else None,
            remaining_s=int((clock.due_at - now).total_seconds()) if clock else None,
            duplicates=sorted(nearby.get(row_id(order), []), key=lambda d: d.distance_m),
            report_ids=reports.get(row_id(order), []),
        )
        for order, clock in rows
    ]
