"""The work-list queries: one page of orders a viewer may see, by keyset, and everything the
summaries' next steps need for that page — a fixed number of statements whatever the page
size or the size of the street (indexes: ix_work_order_lead_next_due, ix_work_order_next_due,
ix_work_order_updated, ix_work_order_grid_status, the full-text index; benchmarks/big.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from backend.catalog.models import Category
from backend.evidence.models import Photo, Recording
from backend.org.models import Department, GridMember
from backend.reports.models import Report
from backend.sla.models import Clock
from backend.workorders.listing.rules import OrderFilter, Reach, Sort
from backend.workorders.models import (
    ContactAttempt,
    Extension,
    ReturnRequest,
    Supervision,
    WorkOrder,
    WorkOrderAssist,
    WorkOrderSearch,
)
from backend.workorders.repository import OrderBundle
from backend.workorders.search_terms import QueryTerm

Keyset = tuple[Any, ...]


def _fts_expression(terms: Sequence[QueryTerm]) -> str:
    # Terms hold only letters, digits and Han characters (search_terms): safe to quote.
    return " AND ".join(f'"{t.text}"' + ("*" if t.prefix else "") for t in terms)


def _tsquery(terms: Sequence[QueryTerm]) -> str:
    return " & ".join(f"'{t.text}'" + (":*" if t.prefix else "") for t in terms)


def _matching(session: Session, terms: Sequence[QueryTerm]) -> ColumnElement[bool]:
    """Orders whose search terms include every query term, through the full-text index."""
    if not terms:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        # OFFSET 0 keeps the planner from folding the match into a row-by-row filter on a
        # scan in list order: its estimate for a prefix term is blind, and at a million
        # orders that filter ran for seconds (benchmarks/big.py). The GIN index answers the
        # matching ids first; the list's index then orders them.
        found = (
            sa_select(col(WorkOrderSearch.work_order_id))
            .where(
                text(
                    "array_to_tsvector(string_to_array(terms, ' ')) @@ CAST(:tsq AS tsquery)"
                ).bindparams(tsq=_tsquery(terms))
            )
            .offset(0)
        )
    else:
        found = (
            sa_select(text("rowid"))
            .select_from(text("work_order_fts"))
            .where(text("work_order_fts MATCH :fts").bindparams(fts=_fts_expression(terms)))
        )
    return col(WorkOrder.id).in_(found)


def _reach(reach: Reach, viewer_id: int, department_id: int | None) -> ColumnElement[bool] | None:
    if reach is Reach.street:
        return None
    if reach is Reach.department:
        return _department(department_id or 0)
    if reach is Reach.grids:
        patrolled = select(GridMember.grid_id).where(GridMember.user_id == viewer_id)
        return col(WorkOrder.grid_id).in_(patrolled)
    if reach is Reach.reporter:
        # The orders the reports became (a report merged into another order shows its own,
        # merged one, which leads to the other).
        reported = select(Report.work_order_id).where(Report.reporter_id == viewer_id)
        return col(WorkOrder.id).in_(reported)
    return false()


def _department(department_id: int) -> ColumnElement[bool]:
    assisted = select(WorkOrderAssist.work_order_id).where(
        WorkOrderAssist.department_id == department_id
    )
    return or_(col(WorkOrder.lead_department_id) == department_id, col(WorkOrder.id).in_(assisted))


def _filters(
    session: Session, f: OrderFilter, terms: Sequence[QueryTerm], now: datetime
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.statuses is not None:
        where.append(col(WorkOrder.status).in_(sorted(s.value for s in f.statuses)))
    if f.source is not None:
        where.append(col(WorkOrder.source) == f.source.value)
    if f.category_number is not None:
        where.append(col(WorkOrder.category_number) == f.category_number)
    if f.grid_id is not None:
        where.append(col(WorkOrder.grid_id) == f.grid_id)
    if f.department_id is not None:
        where.append(_department(f.department_id))
    if f.level is not None:
        where.append(col(WorkOrder.level) == f.level)
    if f.due_before is not None:
        where.append(col(WorkOrder.next_due_at) < f.due_before)
    if f.overdue is True:
        where.append(col(WorkOrder.next_due_at) <= now)
    elif f.overdue is False:
        where.append(or_(col(WorkOrder.next_due_at) > now, col(WorkOrder.next_due_at).is_(None)))
    if f.created_from is not None:
        where.append(col(WorkOrder.created_at) >= f.created_from)
    if f.created_to is not None:
        where.append(col(WorkOrder.created_at) < f.created_to)
    if f.bbox is not None:
        min_lng, min_lat, max_lng, max_lat = f.bbox
        where += [
            col(WorkOrder.lat) >= min_lat,
            col(WorkOrder.lat) < max_lat,
            col(WorkOrder.lng) >= min_lng,
            col(WorkOrder.lng) < max_lng,
        ]
    if f.q is not None:
        where.append(_matching(session, terms))
    return where


def _order_and_after(
    sort: Sort, after: Keyset | None
) -> tuple[list[Any], ColumnElement[bool] | None]:
    """ORDER BY of the sort, and the keyset condition for the rows after ``after``."""
    id_ = col(WorkOrder.id)
    if sort is Sort.due:
        due = col(WorkOrder.next_due_at)
        order = [due.asc().nulls_last(), id_.asc()]
        if after is None:
            return order, None
        last_due, last_id = after
        if last_due is None:
            return order, and_(due.is_(None), id_ > last_id)
        return order, or_(due > last_due, and_(due == last_due, id_ > last_id), due.is_(None))
    key = col(WorkOrder.created_at) if sort is Sort.created else col(WorkOrder.updated_at)
    order = [key.desc(), id_.desc()]
    if after is None:
        return order, None
    last_key, last_id = after
    return order, or_(key < last_key, and_(key == last_key, id_ < last_id))


def page(
    session: Session,
    *,
    viewer_id: int,
    reach: Reach,
    department_id: int | None,
    sort: Sort,
    after: Keyset | None,
    f: OrderFilter,
    terms: Sequence[QueryTerm],
    limit: int,
    now: datetime,
    metric_where: ColumnElement[bool] | None = None,
) -> list[tuple[WorkOrder, str | None]]:
    """Up to ``limit`` orders with their category name (one statement). What the viewer may
    see is the reach itself, so no per-row visibility subqueries are needed."""
    where = _filters(session, f, terms, now)
    if metric_where is not None:
        where.append(metric_where)
    scope = _reach(reach, viewer_id, department_id)
    if scope is not None:
        where.append(scope)
    order, keyset = _order_and_after(sort, after)
    if keyset is not None:
        where.append(keyset)
    query = (
        sa_select(WorkOrder, col(Category.name))
        .outerjoin(Category, col(Category.number) == WorkOrder.category_number)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )
    return [(o, name) for o, name in session.execute(query).all()]


def bundles(
    session: Session, rows: Sequence[tuple[WorkOrder, str | None]], *, in_viewer_grids: bool
) -> list[OrderBundle]:
    """What each order's rules need, for a whole page: eleven statements at most, whatever
    the page size (no timeline: a list does not show it)."""
    out = {
        o.id: OrderBundle(order=o, category_name=name, in_viewer_grid=in_viewer_grids)
        for o, name in rows
        if o.id is not None
    }
    ids = sorted(out)
    if not ids:
        return []
    for clock in session.exec(
        select(Clock)
        .where(col(Clock.work_order_id).in_(ids))
        .order_by(col(Clock.due_at), col(Clock.id))
    ):
        out[clock.work_order_id].clocks.append(clock)
    assists = session.exec(
        select(WorkOrderAssist).where(col(WorkOrderAssist.work_order_id).in_(ids))
    ).all()
    department_ids = {a.department_id for a in assists} | {
        b.order.lead_department_id for b in out.values() if b.order.lead_department_id
    }
    departments = (
        {
            d.id: d
            for d in session.exec(
                select(Department).where(col(Department.id).in_(sorted(department_ids)))
            )
        }
        if department_ids
        else {}
    )
    for a in sorted(assists, key=lambda a: a.department_id):
        out[a.work_order_id].assist_ids.append(a.department_id)
    for bundle in out.values():
        wanted = [bundle.order.lead_department_id, *bundle.assist_ids]
        bundle.departments = {
            i: departments[i] for i in wanted if i is not None and i in departments
        }
    reports = session.exec(
        select(Report).where(col(Report.work_order_id).in_(ids)).order_by(col(Report.id))
    ).all()
    report_order: dict[int, int] = {}
    for report in reports:
        if report.work_order_id is not None and report.id is not None:
            out[report.work_order_id].reports.append(report)
            report_order[report.id] = report.work_order_id
    for photo in session.exec(
        select(Photo)
        .where(
            or_(col(Photo.work_order_id).in_(ids), col(Photo.report_id).in_(sorted(report_order)))
        )
        .order_by(col(Photo.id))
    ):
        owner = photo.work_order_id or report_order.get(photo.report_id or 0)
        if owner in out:
            out[owner].photos.append(photo)
    for recording in session.exec(
        select(Recording)
        .where(
            or_(
                col(Recording.work_order_id).in_(ids),
                col(Recording.report_id).in_(sorted(report_order)),
            )
        )
        .order_by(col(Recording.id))
    ):
        owner = recording.work_order_id or report_order.get(recording.report_id or 0)
        if owner in out:
            out[owner].recordings.append(recording)
    tables: tuple[tuple[Any, str], ...] = (
        (ReturnRequest, "returns"),
        (Extension, "extensions"),
        (Supervision, "supervisions"),
        (ContactAttempt, "attempts"),
    )
    for table, attribute in tables:
        for row in session.exec(
            select(table).where(col(table.work_order_id).in_(ids)).order_by(col(table.id))
        ):
            getattr(out[row.work_order_id], attribute).append(row)
    return [out[o.id] for o, *_ in rows if o.id is not None]


def reports_page(
    session: Session,
    *,
    reporter_id: int | None,
    before_id: int | None,
    statuses: frozenset[str] | None,
    terms: Sequence[QueryTerm] | None,
    limit: int,
) -> list[tuple[Report, str | None, str | None]]:
    """Reports newest first with their order's number and status (one statement); filtered
    by the order's status and by the order's search terms."""
    query = (
        select(Report, WorkOrder.number, WorkOrder.status)
        .outerjoin(WorkOrder, col(WorkOrder.id) == Report.work_order_id)
        .order_by(col(Report.id).desc())
        .limit(limit)
    )
    if reporter_id is not None:
        query = query.where(Report.reporter_id == reporter_id)
    if before_id is not None:
        query = query.where(col(Report.id) < before_id)
    if statuses is not None:
        query = query.where(col(WorkOrder.status).in_(sorted(statuses)))
    if terms is not None:
        query = query.where(_matching(session, terms))
    return [(r, number, status) for r, number, status in session.exec(query).all()]
