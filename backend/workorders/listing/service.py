"""GET /api/v1/workorders: a role's work list, filtered, searched and paged by keyset, each
order a compact summary with its countdown and the caller's next steps."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.auth.models import User
from backend.auth.permissions import sees_street
from backend.auth.schemas import DepartmentRef
from backend.config import Settings
from backend.db import row_id
from backend.errors import InvalidInput
from backend.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
    last_id,
    page_by_id,
)
from backend.reports.schemas import ReportOut
from backend.reports.service import report_outs
from backend.scoring import service as scoring
from backend.sla import service as sla
from backend.workorders.listing import repository as repo
from backend.workorders.listing.rules import (
    OrderFilter,
    Reach,
    Sort,
    flags_of,
    nearest_clock,
    statuses_to_list,
    view_for,
)
from backend.workorders.listing.schemas import SummaryClockOut, WorkOrderSummaryOut
from backend.workorders.machine import next_steps
from backend.workorders.pipeline import Gathered, gathered_of
from backend.workorders.repository import OrderBundle
from backend.workorders.search_terms import query_terms
from backend.workorders.service import caller_out, next_step_outs
from backend.workorders.states import STATUS_LABELS, Status
from backend.workorders.wording import CLOCK_LABELS

# (the sort's name, its key, the id): a cursor of one sort is refused by another.
_CURSOR_KINDS = (str, datetime, int)


def _after(cursor: str | None, sort: Sort) -> tuple[object, ...] | None:
    values = decode_cursor(cursor, _CURSOR_KINDS)
    if values is None:
        return None
    if values[0] != sort.value:
        raise invalid_cursor()  # a cursor of another sort
    return values[1:]


def _thumbnail(bundle: OrderBundle) -> str | None:
    """The first report photo (what the reporter saw), else the order's first photo."""
    photos = sorted(bundle.photos, key=lambda p: (p.report_id is None, row_id(p)))
    return f"/api/v1/media/photos/{row_id(photos[0])}/thumbnail" if photos else None


def summary(gathered: Gathered, now: datetime) -> WorkOrderSummaryOut:
    bundle, facts, order = gathered.bundle, gathered.facts, gathered.bundle.order
    countdown = nearest_clock(facts.clocks, now)
    lead = bundle.departments.get(order.lead_department_id or 0)
    steps = next_steps(facts, gathered.actor, gathered.rules, now)
    return WorkOrderSummaryOut(
        id=facts.id,
        number=order.number,
        version=order.version,
        status=order.status,
        status_label=STATUS_LABELS[Status(order.status)],
        source=order.source,
        level=order.level,
        category_number=order.category_number,
        category_name=bundle.category_name,
        address=order.address,
        description=order.description,
        thumbnail_url=_thumbnail(bundle),
        created_at=order.created_at,
        updated_at=order.updated_at or order.created_at,
        grid_id=order.grid_id,
        lead_department=DepartmentRef(id=row_id(lead), name=lead.name, kind=lead.kind)
        if lead
        else None,
        clock=SummaryClockOut(
            name=countdown.clock.name,
            label=CLOCK_LABELS.get(countdown.clock.name, countdown.clock.name),
            due_at=countdown.clock.due_at,
            remind_at=countdown.clock.remind_at,
            remaining_s=countdown.remaining_s,
            unit=countdown.clock.unit,
            state=countdown.state.value,
            provisional=countdown.clock.provisional,
        )
        if countdown
        else None,
        flags=flags_of(
            facts,
            countdown,
            repeat_count=order.repeat_count,
            out_of_jurisdiction=order.out_of_jurisdiction,
        ),
        next_steps=next_step_outs(steps),
        external_no=order.external_no,
        caller=caller_out(gathered, in_list=True),
    )


def work_orders(
    session: Session,
    user: User,
    f: OrderFilter,
    *,
    assigned_to_me: bool,
    sort: Sort | None,
    cursor: str | None,
    limit: int,
    settings: Settings,
    now: datetime,
) -> Page[WorkOrderSummaryOut]:
    metric_where = None
    if f.metric is not None:
        metric_where = scoring.metric_condition(
            session, f.metric, f.period_from, f.period_to, f.department_id, settings, now
        )
        f = OrderFilter(**{**f.__dict__, "department_id": None})
    elif f.period_from is not None or f.period_to is not None:
        field = "period_from" if f.period_from is not None else "period_to"
        raise InvalidInput("统计周期须与 metric 一起使用", code="metric_required", field=field)
    view = view_for(
        user.role, user.department_id is not None, assigned_to_me=assigned_to_me, sort=sort
    )
    statuses = statuses_to_list(view, f.statuses or ())
    terms = query_terms(f.q) if f.q is not None else ()
    if view.reach is Reach.nothing or statuses == frozenset() or (f.q is not None and not terms):
        return Page(items=[])
    after = _after(cursor, view.sort)
    rows = repo.page(
        session,
        viewer_id=row_id(user),
        reach=view.reach,
        department_id=user.department_id,
        sort=view.sort,
        after=after,
        f=OrderFilter(**{**f.__dict__, "statuses": statuses}),
        terms=terms,
        limit=limit + 1,
        now=now,
        metric_where=metric_where,
    )
    bundles = repo.bundles(session, rows[:limit], in_viewer_grids=view.reach is Reach.grids)
    profile = sla.profile_for(settings)
    items = []
    for bundle in bundles:
        items.append(summary(gathered_of(bundle, user, profile), now))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        key = {
            Sort.due: last.next_due_at,
            Sort.created: last.created_at,
            Sort.updated: last.updated_at,
        }[view.sort]
        next_cursor = encode_cursor(view.sort.value, key, row_id(last))
    return Page(items=items, next_cursor=next_cursor)


def reports(
    session: Session,
    viewer: User,
    *,
    statuses: frozenset[Status] | None,
    q: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ReportOut]:
    """GET /reports: members and inspectors their own, the street-wide roles all; each with
    what became of it (its order's number and status)."""
    terms = query_terms(q) if q is not None else None
    if terms == ():
        return Page(items=[])
    rows = repo.reports_page(
        session,
        reporter_id=None if sees_street(viewer) else row_id(viewer),
        before_id=last_id(cursor),
        statuses=frozenset(s.value for s in statuses) if statuses else None,
        terms=terms,
        limit=limit + 1,
    )
    shown = rows[:limit]
    outs = report_outs(session, [r for r, *_ in shown])
    items = [
        out.model_copy(
            update={
                "work_order_number": number,
                "work_order_status": status,
                "work_order_status_label": STATUS_LABELS[Status(status)] if status else None,
            }
        )
        for out, (_, number, status) in zip(outs, shown, strict=True)
    ]
    return page_by_id([r for r, *_ in rows], limit, items)
