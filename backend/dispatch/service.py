"""From report to dispatched order: locate, classify, route, dispatch or queue.

The 30-minute rule (seed 001) is met by the machine for clear reports; the rest wait in the
dispatcher queue with a countdown, and the command center is warned at 20 and 30 minutes by
the dispatch clock (see backend.sla).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlmodel import Session

from backend.auth.models import User
from backend.catalog import repository as catalog_repo
from backend.config import Settings
from backend.dispatch import repository as dispatch_repo
from backend.dispatch.classifier import Classification, ConfidenceRule, load_classifier
from backend.dispatch.geo import GridIndex
from backend.dispatch.routing import Route, RoutingContext, route
from backend.dispatch.schemas import (
    CandidateOut,
    ClassifyOut,
    DispatchIn,
    DuplicateOut,
    MergeIn,
    QueueItemOut,
)
from backend.errors import Conflict, InvalidInput, NotFound
from backend.notify import service as notify
from backend.org import repository as org_repo
from backend.reports.coords import haversine_m
from backend.reports.models import Report
from backend.sla import service as sla
from backend.workorders import events
from backend.workorders import repository as repo
from backend.workorders.models import Source, Status, WorkOrder

DISPATCHABLE = frozenset({Status.reported, Status.returned})
# A duplicate may join an order still being worked on, not one already verified or closed.
OPEN_STATUSES_FOR_MERGE = frozenset(
    {Status.reported, Status.dispatched, Status.accepted, Status.in_progress, Status.submitted}
)


def classify_text(text: str, settings: Settings) -> ClassifyOut:
    result = _classify(text, None, settings)
    return ClassifyOut(
        candidates=[
            CandidateOut(number=c.number, name=c.name, score=c.score) for c in result.candidates
        ],
        confident=result.confident,
    )


def _classify(text: str, member_pick: int | None, settings: Settings) -> Classification:
    rule = ConfidenceRule(
        min_score=settings.classifier_min_score,
        min_margin=settings.classifier_min_margin,
        pick_min_score=settings.classifier_pick_min_score,
    )
    return load_classifier().classify(text, member_pick, confidence=rule)


@lru_cache(maxsize=8)
def _index(signature: tuple[tuple[int, str], ...]) -> GridIndex:
    import json

    return GridIndex((grid_id, json.loads(geometry)) for grid_id, geometry in signature)


def grid_index(session: Session) -> GridIndex:
    # Keyed by the grids' ids and outlines, so an edited grid is picked up at once.
    return _index(dispatch_repo.grid_signature(session))


def _routing_context(
    session: Session, order: WorkOrder, category_number: int, settings: Settings, now: datetime
) -> RoutingContext:
    area_team = None
    if order.grid_id is not None:
        grid = org_repo.grid_by_id(session, order.grid_id)
        if grid and grid.area_team_id:
            team = org_repo.department_by_id(session, grid.area_team_id)
            area_team = team.name if team else None
    return RoutingContext(
        area_team=area_team,
        repeat_at_address=_comes_back(session, order, category_number, settings),
        workday_daytime=sla.is_workday_daytime(session, now, settings),
    )


def _comes_back(
    session: Session, order: WorkOrder, category_number: int, settings: Settings
) -> bool:
    """返潮: an earlier order of this category at the same address or within the radius."""
    address = (order.address or "").strip()
    for earlier in repo.earlier_orders_of_category(
        session, category_number, order.created_at, order.id
    ):
        if address and (earlier.address or "").strip() == address:
            return True
        if _distance(order, earlier) <= settings.repeat_radius_m:
            return True
    return False


def _distance(a: WorkOrder, b: WorkOrder) -> float:
    if a.lat is None or a.lng is None or b.lat is None or b.lng is None:
        return float("inf")
    return haversine_m(a.lat, a.lng, b.lat, b.lng)


def possible_duplicates(
    session: Session, order: WorkOrder, settings: Settings
) -> list[DuplicateOut]:
    if order.category_number is None:
        return []
    radius = settings.duplicate_radius_m.get(
        order.category_number, settings.default_duplicate_radius_m
    )
    found = []
    for other in repo.open_orders_of_category(session, order.category_number, order.id):
        distance = _distance(order, other)
        if distance <= radius and other.id is not None and other.duplicate_of_id is None:
            found.append(
                DuplicateOut(
                    id=other.id,
                    number=other.number,
                    status=other.status,
                    distance_m=round(distance, 1),
                )
            )
    return sorted(found, key=lambda d: d.distance_m)


def _department_id(session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    department = org_repo.department_by_name(session, name)
    return department.id if department else None


def _route_for(
    session: Session, order: WorkOrder, category_number: int, settings: Settings, now: datetime
) -> Route:
    category = catalog_repo.category_by_number(session, category_number)
    if category is None:
        raise InvalidInput("事项清单中没有该序号", code="unknown_category", field="category_number")
    return route(
        category.lead,
        category.assists,
        _routing_context(session, order, category_number, settings, now),
    )


def intake(
    session: Session, report: Report, reporter: User, settings: Settings, now: datetime
) -> WorkOrder:
    """Makes the order for a new report; dispatches it at once when nothing is unclear."""
    assert report.id is not None
    profile = sla.profile_for(settings)
    source = Source.inspector if reporter.role == "inspector" else Source.patrol
    grid_id = grid_index(session).locate(report.lat, report.lng)
    classification = _classify(report.description, report.category_number, settings)
    top = classification.candidates[0] if classification.candidates else None
    order = WorkOrder(
        number=sla.order_number(session, now, settings),
        source=source.value,
        level=sla.default_level(profile, source.value),
        status=Status.reported.value,
        profile=profile.name,
        description=report.description,
        address=report.address,
        lat=report.lat,
        lng=report.lng,
        category_number=top.number if top else report.category_number,
        grid_id=grid_id,
        out_of_jurisdiction=grid_id is None,
        suggestions=[
            {"number": c.number, "name": c.name, "score": c.score}
            for c in classification.candidates
        ],
        confident=classification.confident,
        created_at=now,
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    report.grid_id = grid_id
    report.work_order_id = order.id
    session.add(report)
    events.append(
        session,
        order.id,
        "reported",
        at=now,
        actor_id=reporter.id,
        payload={"report_id": report.id, "source": order.source, "grid_id": grid_id},
    )
    sla.start_dispatch_clock(session, order, profile, now, settings)

    chosen = (
        _route_for(session, order, order.category_number, settings, now)
        if order.category_number
        else None
    )
    duplicates = possible_duplicates(session, order, settings)
    if (
        classification.confident
        and grid_id is not None
        and chosen
        and chosen.lead
        and not duplicates
    ):
        _dispatch(
            session,
            order,
            settings=settings,
            now=now,
            actor=None,
            mode="auto",
            category_number=order.category_number,
            level=order.level,
            lead_id=_department_id(session, chosen.lead),
            assist_ids=[i for i in (_department_id(session, n) for n in chosen.assists) if i],
            reason=chosen.reason,
        )
    else:
        why = _why_queued(classification.confident, grid_id, chosen, duplicates)
        order.routing_reason = why
        session.add(order)
        events.append(session, order.id, "queued", at=now, payload={"reason": why})
        notify.notify(
            session,
            notify.command_center(session),
            kind="dispatch_needed",
            title=f"待派单：{order.number}",
            body=f"{why}。{order.description[:60]}",
            work_order_id=order.id,
            dedupe_key=f"order:{order.id}:queued",
            now=now,
        )
    return order


def _why_queued(
    confident: bool, grid_id: int | None, chosen: Route | None, duplicates: list[DuplicateOut]
) -> str:
    if grid_id is None:
        return "不在辖区网格内"
    if duplicates:
        return "疑似重复工单"
    if not confident:
        return "分类不确定"
    if chosen is None or chosen.lead is None:
        return chosen.reason if chosen else "无法确定主办部门"
    return "需人工派单"


def _dispatch(
    session: Session,
    order: WorkOrder,
    *,
    settings: Settings,
    now: datetime,
    actor: User | None,
    mode: str,
    category_number: int | None,
    level: str,
    lead_id: int | None,
    assist_ids: list[int],
    reason: str,
) -> None:
    assert order.id is not None
    assist_ids = [i for i in dict.fromkeys(assist_ids) if i != lead_id]
    order.status = Status.dispatched.value
    order.category_number = category_number
    order.level = level
    order.lead_department_id = lead_id
    order.dispatch_mode = mode
    order.dispatched_at = now
    order.dispatched_by = actor.id if actor else None
    order.routing_reason = reason
    session.add(order)
    repo.set_assists(session, order.id, assist_ids)
    sla.meet(session, order.id, "dispatch", now)
    sla.start_order_clocks(session, order, sla.profile_for(settings), now, settings)
    events.append(
        session,
        order.id,
        "dispatched",
        at=now,
        actor_id=actor.id if actor else None,
        payload={
            "mode": mode,
            "category_number": category_number,
            "level": level,
            "lead_department_id": lead_id,
            "assist_department_ids": assist_ids,
            "reason": reason,
        },
    )
    for department_id in [lead_id, *assist_ids]:
        if department_id is None:
            continue
        role = "主办" if department_id == lead_id else "协办"
        notify.notify(
            session,
            notify.department_handlers(session, department_id),
            kind="dispatched",
            title=f"新工单（{role}）：{order.number}",
            body=order.description[:100],
            work_order_id=order.id,
            dedupe_key=f"order:{order.id}:dispatched:{order.version}:{department_id}",
            now=now,
        )


def _locked_order(session: Session, order_id: int, version: int) -> WorkOrder:
    order = repo.by_id(session, order_id)
    if order is None:
        raise NotFound("找不到该工单", code="work_order_not_found")
    if not repo.bump_version(session, order_id, version):
        raise Conflict("工单已被他人处理，请刷新后重试", code="stale_version", field="version")
    session.refresh(order)
    return order


def dispatch_manually(
    session: Session, order_id: int, body: DispatchIn, user: User, settings: Settings, now: datetime
) -> WorkOrder:
    order = _locked_order(session, order_id, body.version)
    if order.status not in DISPATCHABLE:
        raise Conflict(f"工单当前状态为 {order.status}，不能派单", code="illegal_transition")
    profile = sla.profile_for(settings)
    level = body.level or order.level
    if level not in sla.levels(profile, order.source):
        raise InvalidInput(
            f"等级无效，可选：{'、'.join(sla.levels(profile, order.source))}",
            code="invalid_level",
            field="level",
        )
    chosen = _route_for(session, order, body.category_number, settings, now)
    lead_id = body.lead_department_id or _department_id(session, chosen.lead)
    if lead_id is None:
        raise InvalidInput("请指定主办部门", code="lead_required", field="lead_department_id")
    wanted = [lead_id, *(body.assist_department_ids or [])]
    if len(org_repo.departments_by_ids(session, set(wanted))) != len(set(wanted)):
        raise InvalidInput("部门不存在", code="unknown_department", field="assist_department_ids")
    order.marked_repeat = order.marked_repeat or body.marked_repeat
    assists = body.assist_department_ids
    if assists is None:
        assists = [i for i in (_department_id(session, n) for n in chosen.assists) if i]
    _dispatch(
        session,
        order,
        settings=settings,
        now=now,
        actor=user,
        mode="manual",
        category_number=body.category_number,
        level=level,
        lead_id=lead_id,
        assist_ids=assists,
        reason="人工派单" if body.lead_department_id else chosen.reason,
    )
    return order


def merge(session: Session, order_id: int, body: MergeIn, user: User, now: datetime) -> WorkOrder:
    """A duplicate joins an open order: both reporters stay credited, the target counts a repeat."""
    if body.into_work_order_id == order_id:
        raise InvalidInput("不能合并到自身", code="merge_into_self", field="into_work_order_id")
    target = repo.by_id(session, body.into_work_order_id)
    if target is None or target.status not in {s.value for s in OPEN_STATUSES_FOR_MERGE}:
        raise InvalidInput(
            "目标工单不存在或已办结", code="invalid_merge_target", field="into_work_order_id"
        )
    order = _locked_order(session, order_id, body.version)
    if order.status not in DISPATCHABLE:
        raise Conflict(f"工单当前状态为 {order.status}，不能合并", code="illegal_transition")
    assert order.id is not None and target.id is not None
    order.status = Status.merged.value
    order.duplicate_of_id = target.id
    session.add(order)
    sla.meet(session, order.id, "dispatch", now)
    if not repo.bump_version(
        session, target.id, target.version, repeat_count=target.repeat_count + 1
    ):
        raise Conflict(
            "目标工单已被他人修改，请重试", code="stale_version", field="into_work_order_id"
        )
    events.append(
        session, order.id, "merged", at=now, actor_id=user.id, payload={"into": target.id}
    )
    events.append(
        session, target.id, "duplicate_merged", at=now, actor_id=user.id, payload={"from": order.id}
    )
    return order


def queue(session: Session, settings: Settings, now: datetime) -> list[QueueItemOut]:
    items = []
    for order in repo.awaiting_dispatch(session):
        assert order.id is not None
        clock = sla.clock_of(session, order.id, "dispatch")
        items.append(
            QueueItemOut(
                id=order.id,
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
                duplicates=possible_duplicates(session, order, settings),
                report_ids=dispatch_repo.report_ids_of(session, order.id),
            )
        )
    return items


def redispatch(
    session: Session,
    order: WorkOrder,
    *,
    lead_id: int,
    actor: User,
    settings: Settings,
    now: datetime,
    reason: str,
) -> None:
    """An approved return goes to another department with fresh clocks (seed 002: once)."""
    assert order.id is not None
    assists = [i for i in repo.assist_ids(session, order.id) if i != lead_id]
    _dispatch(
        session,
        order,
        settings=settings,
        now=now,
        actor=actor,
        mode="manual",
        category_number=order.category_number,
        level=order.level,
        lead_id=lead_id,
        assist_ids=assists,
        reason=reason,
    )
