"""The report rows, and the SQL the reports' own figures come from: the street's totals for
the cover and seed 002's indicators per department — each a few GROUP BY statements over
indexed columns (created_at, breached_at, closed_at), never a loop over the orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from backend.exports.models import ReportExport
from backend.org.models import Department
from backend.sla.models import Clock
from backend.workorders.models import ReturnRequest, WorkOrder

# -- the report rows --------------------------------------------------------------------------


def export_of(session: Session, kind: str, first: date, last: date) -> ReportExport | None:
    return (
        session.execute(
            select(ReportExport).where(
                col(ReportExport.kind) == kind,
                col(ReportExport.period_from) == first,
                col(ReportExport.period_to) == last,
            )
        )
        .scalars()
        .first()
    )


def exports_of(session: Session, keys: Sequence[tuple[str, date, date]]) -> list[ReportExport]:
    """The rows of these (kind, first, last) periods: one statement for the worker's round."""
    if not keys:
        return []
    query = select(ReportExport).where(
        tuple_(
            col(ReportExport.kind), col(ReportExport.period_from), col(ReportExport.period_to)
        ).in_(list(keys))
    )
    return list(session.execute(query).scalars())


def export_by_id(session: Session, export_id: int) -> ReportExport | None:
    return session.get(ReportExport, export_id)


def exports_page(
    session: Session, kind: str | None, below_id: int | None, limit: int
) -> list[ReportExport]:
    """Newest first, by id (keyset)."""
    query = select(ReportExport)
    if kind is not None:
        query = query.where(col(ReportExport.kind) == kind)
    if below_id is not None:
        query = query.where(col(ReportExport.id) < below_id)
    return list(session.execute(query.order_by(col(ReportExport.id).desc()).limit(limit)).scalars())


# -- the street's totals (the cover) ----------------------------------------------------------
#
# Everything is counted on the period's orders: those created in [start, end), found on the
# created_at index, with their clocks, returns, extensions and notices reached by order id.


def _created(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [col(WorkOrder.created_at) >= start, col(WorkOrder.created_at) < end]


# -- seed 002's indicators per department (the 双月通报) ----------------------------------------

# 未按时先行接单 (accept), 未先行联系 (first contact), 逾期 (resolve): clocks that fell due in
# the period (the due_at index) and were breached, on the orders each department leads.
BREACHED_CLOCKS = {
    "accept": "late_accepts",
    "first_contact": "missed_first_contact",
    "resolve": "overdue",
}
SATISFIED = ("satisfied", "basically_satisfied")
_COUNTED = (*BREACHED_CLOCKS.values(), "returns", "unsatisfied")


def no_indicators() -> dict[str, Any]:
    return {**dict.fromkeys(_COUNTED, 0), "satisfaction_rate": None, "score": None}


def department_names(session: Session) -> dict[int, str]:
    return {
        int(i): name
        for i, name in session.execute(select(col(Department.id), col(Department.name))).all()
    }


def indicators(session: Session, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """Per lead department, three GROUP BY statements: its clocks breached that fell due in
    [start, end); the returns it asked for on the period's orders; and of the period's orders
    it leads (存电 left out), those called back, satisfied (满意 or 基本满意) and unsatisfied (an
    unsatisfied callback, or a 警示单 sent back after one)."""
    found: dict[int, dict[str, Any]] = {}

    def of(department_id: Any) -> dict[str, Any]:
        return found.setdefault(int(department_id), no_indicators())

    for department_id, name, n in session.execute(
        select(col(WorkOrder.lead_department_id), col(Clock.name), func.count())
        .select_from(Clock)
        .join(WorkOrder, col(WorkOrder.id) == Clock.work_order_id)
        .where(
            col(Clock.name).in_(sorted(BREACHED_CLOCKS)),
            col(Clock.due_at) >= start,
            col(Clock.due_at) < end,
            col(Clock.breached_at).is_not(None),
            col(WorkOrder.lead_department_id).is_not(None),
        )
        .group_by(col(WorkOrder.lead_department_id), col(Clock.name))
    ).all():
        of(department_id)[BREACHED_CLOCKS[name]] = int(n)
    for department_id, n in session.execute(
        select(col(ReturnRequest.department_id), func.count())
        .select_from(ReturnRequest)
        .join(WorkOrder, col(WorkOrder.id) == ReturnRequest.work_order_id)
        .where(*_created(start, end))
        .group_by(col(ReturnRequest.department_id))
    ).all():
        of(department_id)["returns"] = int(n)
    rated = case((col(WorkOrder.satisfaction).is_not(None), 1), else_=0)
    satisfied = case((col(WorkOrder.satisfaction).in_(SATISFIED), 1), else_=0)
    unsatisfied = case(
        ((col(WorkOrder.satisfaction) == "unsatisfied") | col(WorkOrder.warning_order), 1),
        else_=0,
    )
    for department_id, called, pleased, displeased in session.execute(
        select(
            col(WorkOrder.lead_department_id),
            func.sum(rated),
            func.sum(satisfied),
            func.sum(unsatisfied),
        )
        .where(
            *_created(start, end),
            col(WorkOrder.lead_department_id).is_not(None),
            col(WorkOrder.satisfaction_exempt).is_(False),
        )
        .group_by(col(WorkOrder.lead_department_id))
    ).all():
        row = of(department_id)
        row["unsatisfied"] = int(displeased or 0)
        called = int(called or 0)
        row["satisfaction_rate"] = round(int(pleased or 0) / called, 4) if called else None
    return found
