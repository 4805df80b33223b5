"""The statistics queries: each a single statement grouped by department, by grid or for the
whole street, over the conditions of ``metrics`` (SUM(CASE WHEN …) / COUNT(DISTINCT CASE …)).
A department's statistics take a fixed number of statements whatever the number of orders,
departments or grids (indexes: migration 20261202_07s; benchmarks/scores_month.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, or_, select, text
from sqlmodel import Session, col

from backend.org.models import Department, DepartmentKind, Grid, GridLevel
from backend.scoring.metrics import (
    OrderCount,
    RowCount,
    Window,
    created_in,
    joined_facts,
    row_department,
    row_order_id,
    seconds_between,
)
from backend.workorders.models import WorkOrder

Group = Literal["department", "grid", "street"]
STREET = 0  # the key of the street's single row
PERCENTILES = (0.5, 0.95)


def without_jit(session: Session) -> None:
    """PostgreSQL: no JIT compilation for this transaction's statistics statements. Their
    correlated EXISTS (one index probe per order and count) make the planner's cost estimate
    large enough to start the JIT, which then spends more time compiling (1.7 s of 2.1 s at
    20,000 orders, benchmarks/scores_month.py) than the statement spends running."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        # The per-order fact subqueries of a month hash and sort ~100,000 rows each; the
        # default 4 MB spills them to disk.
        session.execute(text("SET LOCAL work_mem = '64MB'"))


def sa_table_of(model: Any) -> Any:
    return model.__table__


def _order_key(group: Group) -> Any:
    if group == "department":
        return col(WorkOrder.lead_department_id)
    if group == "grid":
        return col(WorkOrder.grid_id)
    return literal(STREET)


def _grouped(query: Any, key: Any, group: Group) -> Any:
    return query if group == "street" else query.group_by(key)


def order_counts(
    session: Session, counts: Sequence[OrderCount], w: Window, group: Group
) -> dict[Any, dict[str, int]]:
    """Every count of ``counts`` per key, in one statement over work_order. A street-wide
    count is per key here too; the caller takes the street's row for it."""
    if not counts:
        return {}
    key = _order_key(group)
    anchors: dict[Any, ColumnElement[bool]] = {}
    for m in counts:
        anchors.setdefault(m.anchor, m.anchor(w))
    in_window = or_(*anchors.values())
    facts = joined_facts(w, select(col(WorkOrder.id)).where(in_window))
    w = replace(w, facts=facts)
    columns = []
    for index, m in enumerate(counts):
        weight = m.weight if m.weight is not None else literal(1)
        total = func.sum(case((and_(m.anchor(w), m.condition(w)), weight), else_=0))
        columns.append(total.label(f"c{index}"))
    joined = sa_table_of(WorkOrder)
    if facts.used_clocks:
        joined = joined.outerjoin(facts.clocks, facts.clocks.c.work_order_id == col(WorkOrder.id))
    query = select(key.label("k"), *columns).select_from(joined).where(in_window)
    out: dict[Any, dict[str, int]] = {}
    for row in session.execute(_grouped(query, key, group)):
        out[row[0]] = {m.name: int(row[i + 1] or 0) for i, m in enumerate(counts)}
    return out


def row_counts(
    session: Session, table: Any, counts: Sequence[RowCount], w: Window, group: Group
) -> dict[Any, dict[str, int]]:
    """Counts of rows of ``table`` (each joined to its order) per key, in one statement."""
    if not counts:
        return {}
    key = row_department(table) if group == "department" else _order_key(group)
    columns = []
    for index, m in enumerate(counts):
        condition = m.condition(w)
        value: Any
        if m.distinct_orders:
            value = func.count(func.distinct(case((condition, row_order_id(table)))))
        else:
            value = func.sum(case((condition, 1), else_=0))
        columns.append(value.label(f"c{index}"))
    query = (
        select(key.label("k"), *columns)
        .select_from(table)
        .join(WorkOrder, col(WorkOrder.id) == row_order_id(table))
        .where(or_(*(m.condition(w) for m in counts)))
    )
    out: dict[Any, dict[str, int]] = {}
    for row in session.execute(_grouped(query, key, group)):
        out[row[0]] = {m.name: int(row[i + 1] or 0) for i, m in enumerate(counts)}
    return out


def statuses(session: Session, w: Window, group: Group) -> dict[Any, dict[str, int]]:
    """Orders that arrived in the period by their status now, per key."""
    key = _order_key(group)
    query = (
        select(key.label("k"), col(WorkOrder.status), func.count())
        .select_from(WorkOrder)
        .where(created_in(w))
        .group_by(*(() if group == "street" else (key,)), col(WorkOrder.status))
    )
    out: dict[Any, dict[str, int]] = defaultdict(dict)
    for k, status, n in session.execute(query):
        out[k][status] = int(n)
    return dict(out)


def dispatch_percentiles(
    session: Session, w: Window, group: Group
) -> dict[Any, dict[float, float | None]]:
    """p50 and p95 of the seconds from arrival to dispatch of the orders that arrived in the
    period, by linear interpolation between the nearest ranks (PostgreSQL's percentile_cont);
    one statement on either engine."""
    key = _order_key(group)
    seconds = seconds_between(col(WorkOrder.created_at), col(WorkOrder.dispatched_at), w.dialect)
    where = and_(created_in(w), col(WorkOrder.dispatched_at).is_not(None))
    if w.dialect == "postgresql":
        cols = [func.percentile_cont(p).within_group(seconds).label(f"p{i}") for i, p in
                enumerate(PERCENTILES)]  # fmt: skip
        query = select(key.label("k"), *cols).select_from(WorkOrder).where(where)
        return {
            row[0]: {p: (None if row[i + 1] is None else float(row[i + 1]))
                     for i, p in enumerate(PERCENTILES)}
            for row in session.execute(_grouped(query, key, group))
        }  # fmt: skip
    # SQLite: rank the values per key with window functions and keep only the (at most two)
    # rows around each percentile's position; the interpolation is done on those few rows.
    partition = [] if group == "street" else [key]
    ranked = (
        select(
            key.label("k"),
            seconds.label("s"),
            func.row_number().over(partition_by=partition, order_by=seconds).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .select_from(WorkOrder)
        .where(where)
        .subquery()
    )
    near = []
    for p in PERCENTILES:
        floor = cast(p * (ranked.c.n - 1), Integer)
        near.append(and_(ranked.c.rn - 1 >= floor, ranked.c.rn - 1 <= floor + 1))
    rows = session.execute(
        select(ranked.c.k, ranked.c.s, ranked.c.rn, ranked.c.n).where(or_(*near))
    ).all()
    values: dict[Any, dict[int, float]] = defaultdict(dict)
    sizes: dict[Any, int] = {}
    for k, s, rn, n in rows:
        values[k][int(rn) - 1] = float(s)
        sizes[k] = int(n)
    out: dict[Any, dict[float, float | None]] = {}
    for k, n in sizes.items():
        out[k] = {p: _interpolate(values[k], n, p) for p in PERCENTILES}
    return out


def _interpolate(ranked: dict[int, float], n: int, p: float) -> float | None:
    if n == 0:
        return None
    position = p * (n - 1)
    low = int(position)
    high = min(low + 1, n - 1)
    fraction = position - low
    return ranked[low] + (ranked[high] - ranked[low]) * fraction


def departments(session: Session) -> list[tuple[int, str]]:
    """The departments that handle orders (not the command center), by id."""
    query = (
        select(col(Department.id), col(Department.name))
        .where(col(Department.kind) != DepartmentKind.command_center.value)
        .order_by(col(Department.id))
    )
    return [(int(i), name) for i, name in session.execute(query)]


def department(session: Session, department_id: int) -> tuple[int, str] | None:
    row = session.execute(
        select(col(Department.id), col(Department.name)).where(col(Department.id) == department_id)
    ).first()
    return (int(row[0]), row[1]) if row else None


def grids(session: Session) -> list[tuple[int, str]]:
    query = (
        select(col(Grid.id), col(Grid.name))
        .where(col(Grid.level) == GridLevel.grid)
        .order_by(col(Grid.id))
    )
    return [(int(i), name) for i, name in session.execute(query)]
