"""Department scores and statistics for a period, from the timeline (backend.scoring.metrics),
and the orders behind each count (the work list's ``metric`` filter).

``department_statistics`` is also what the reports read, so a report's figures are the API's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement
from sqlmodel import Session

from backend.config import Settings
from backend.errors import InvalidInput
from backend.scoring import metrics as m
from backend.scoring import repository as repo
from backend.scoring.periods import Period, PeriodError, active_scheme, period
from backend.scoring.scheme_data import shipped_schemes
from backend.scoring.schemes import SCHEME_NAMES, grid_order_rates, score

STATUS_ORDER_LINK = "/api/v1/workorders"
# Statistics figures that link to their orders, by the key the answers use.
FIGURE_LINKS = (
    "orders", "clocks_met", "clocks_missed", "clocks_running", "returns", "extensions",
    "supervisions",
)  # fmt: skip
ROW_TABLES = ("returns", "extensions", "supervisions", "clocks")


def _period(date_from: date | str | None, date_to: date | str | None, settings: Settings) -> Period:
    def text(value: date | str | None) -> str | None:
        return value.isoformat() if isinstance(value, date) else value

    try:
        return period(text(date_from), text(date_to), settings.tz)
    except PeriodError as exc:
        raise InvalidInput(exc.message, code=exc.code, field=exc.field) from exc


def _window(session: Session, p: Period, now: datetime) -> m.Window:
    repo.without_jit(session)
    return m.Window(p.start, p.end, now, session.get_bind().dialect.name)


def _scheme(scheme: str | None, settings: Settings) -> str:
    chosen = scheme or active_scheme(settings.scoring_scheme, settings.policy_profile)
    if chosen not in SCHEME_NAMES:
        raise InvalidInput(
            f"未知的评分方案 {chosen!r}（可选：{'、'.join(SCHEME_NAMES)}）",
            code="invalid_scheme",
            field="scheme",
        )
    return chosen


def _link(metric: str, p: Period, **scope: int | None) -> str:
    query: dict[str, Any] = {"metric": metric}
    query.update({k: v for k, v in scope.items() if v is not None})
    query.update(period_from=p.date_from.isoformat(), period_to=p.date_to.isoformat())
    return f"{STATUS_ORDER_LINK}?{urlencode(query)}"


# -- counting --------------------------------------------------------------------------------------


def _counts(
    session: Session,
    group_name: str,
    w: m.Window,
    group: repo.Group,
    *,
    street_wide_only: bool = False,
) -> dict[Any, dict[str, int]]:
    """Every count of a metrics group per key: one statement for the order counts, one per
    related table for the row counts (``street_wide_only``: just the street-wide counts)."""
    defined = {
        name: x
        for name, x in m.METRICS[group_name].items()
        if not street_wide_only or _street_wide(group_name, name)
    }
    out: dict[Any, dict[str, int]] = {}

    def merge(found: dict[Any, dict[str, int]]) -> None:
        for key, values in found.items():
            out.setdefault(key, {}).update(values)

    orders = [x for x in defined.values() if isinstance(x, m.OrderCount)]
    merge(repo.order_counts(session, orders, w, group))
    rows = [x for x in defined.values() if isinstance(x, m.RowCount)]
    for table in {id(x.table): x.table for x in rows}.values():
        merge(repo.row_counts(session, table, [x for x in rows if x.table is table], w, group))
    return out


def _complete(group_name: str, found: dict[str, int] | None, street: dict[str, int]) -> dict:
    """All counts of the group for one key (0 where nothing was found); street-wide counts
    are the street's."""
    values = {name: 0 for name in m.METRICS[group_name]}
    values.update(found or {})
    for name, metric in m.METRICS[group_name].items():
        if isinstance(metric, m.OrderCount) and metric.street_wide:
            values[name] = street.get(name, 0)
    return values


def _figures(
    stats: dict[str, int],
    by_status: dict[str, int] | None,
    percentiles: dict[float, float | None] | None,
) -> dict[str, Any]:
    def seconds(p: float) -> int | None:
        value = (percentiles or {}).get(p)
        return None if value is None else round(value)

    return {
        "orders": stats["orders"],
        "by_status": dict(sorted((by_status or {}).items())),
        "clocks": {
            "met": stats["clocks_met"],
            "missed": stats["clocks_missed"],
            "running": stats["clocks_running"],
        },
        "dispatch_time_s": {"p50": seconds(0.5), "p95": seconds(0.95)},
        "satisfaction": {name: stats[f"satisfaction_{name}"] for name in m.SATISFACTION_VALUES},
        "returns": stats["returns"],
        "extensions": stats["extensions"],
        "supervisions": stats["supervisions"],
    }


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def department_statistics(
    session: Session,
    date_from: date | str,
    date_to: date | str,
    settings: Settings,
    scheme: str | None = None,
    *,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """One item per department (the command center excluded), by id: its figures for the
    period, its score under ``scheme`` (default: the active scheme) and a link per count."""
    p = _period(date_from, date_to, settings)
    chosen = _scheme(scheme, settings)
    w = _window(session, p, _now(now))
    scores = _counts(session, chosen, w, "department")
    street = _counts(session, chosen, w, "street", street_wide_only=True).get(repo.STREET, {})
    stats = _counts(session, "stats", w, "department")
    statuses = repo.statuses(session, w, "department")
    percentiles = repo.dispatch_percentiles(session, w, "department")
    weights = shipped_schemes()
    items = []
    for department_id, name in repo.departments(session):
        counts = _complete(chosen, scores.get(department_id), street)
        figures = _figures(
            _complete("stats", stats.get(department_id), {}),
            statuses.get(department_id),
            percentiles.get(department_id),
        )
        links = {
            count: _link(
                f"{chosen}.{count}",
                p,
                department_id=None if _street_wide(chosen, count) else department_id,
            )
            for count in m.METRICS[chosen]
        }
        links.update({f: _link(f"stats.{f}", p, department_id=department_id) for f in FIGURE_LINKS})
        items.append(
            {
                "department": {"id": department_id, "name": name},
                **figures,
                "score": score(chosen, counts, weights).as_dict(),
                "links": links,
            }
        )
    return items


def _street_wide(group: str, count: str) -> bool:
    metric = m.METRICS[group][count]
    return isinstance(metric, m.OrderCount) and metric.street_wide


def departments_page(
    session: Session,
    date_from: str | None,
    date_to: str | None,
    settings: Settings,
    scheme: str | None,
    now: datetime,
) -> dict[str, Any]:
    """GET /stats/departments."""
    p = _period(date_from, date_to, settings)
    chosen = _scheme(scheme, settings)
    items = department_statistics(session, p.date_from, p.date_to, settings, chosen, now=now)
    return {
        "from": p.date_from.isoformat(),
        "to": p.date_to.isoformat(),
        "scheme": chosen,
        "scheme_label": getattr(shipped_schemes(), chosen).label,
        "definitions": m.notes(chosen),
        "items": items,
    }


def grids_page(
    session: Session, date_from: str | None, date_to: str | None, settings: Settings, now: datetime
) -> dict[str, Any]:
    """GET /stats/grids: each level-3 grid's figures and seed 000's grid-order rates."""
    p = _period(date_from, date_to, settings)
    w = _window(session, p, now)
    rates = _counts(session, "grid", w, "grid")
    stats = _counts(session, "stats", w, "grid")
    statuses = repo.statuses(session, w, "grid")
    percentiles = repo.dispatch_percentiles(session, w, "grid")
    items = []
    for grid_id, name in repo.grids(session):
        counts = _complete("grid", rates.get(grid_id), {})
        parts = grid_order_rates(counts)
        links = {c: _link(f"grid.{c}", p, grid_id=grid_id) for c in m.METRICS["grid"]}
        links.update({f: _link(f"stats.{f}", p, grid_id=grid_id) for f in FIGURE_LINKS})
        figures = _figures(
            _complete("stats", stats.get(grid_id), {}),
            statuses.get(grid_id),
            percentiles.get(grid_id),
        )
        items.append(
            {
                "grid": {"id": grid_id, "name": name},
                **{k: figures[k] for k in ("orders", "by_status", "clocks", "dispatch_time_s")},
                "rates": {part.name: _number(part.value) for part in parts},
                "rates_no_data": {part.name: part.no_data for part in parts if part.no_data},
                "counts": counts,
                "links": links,
            }
        )
    return {
        "from": p.date_from.isoformat(),
        "to": p.date_to.isoformat(),
        "definitions": m.notes("grid"),
        "items": items,
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def summary_page(
    session: Session, date_from: str | None, date_to: str | None, settings: Settings, now: datetime
) -> dict[str, Any]:
    """GET /stats/summary: the street's totals for the period."""
    p = _period(date_from, date_to, settings)
    w = _window(session, p, now)
    stats = _counts(session, "stats", w, "street").get(repo.STREET)
    figures = _figures(
        _complete("stats", stats, {}),
        repo.statuses(session, w, "street").get(repo.STREET),
        repo.dispatch_percentiles(session, w, "street").get(repo.STREET),
    )
    links = {f: _link(f"stats.{f}", p) for f in FIGURE_LINKS}
    return {"from": p.date_from.isoformat(), "to": p.date_to.isoformat(), **figures, "links": links}


def department_score(
    session: Session,
    scheme: str,
    department_id: int,
    date_from: str,
    date_to: str,
    settings: Settings,
    now: datetime,
    *,
    variant: str | None = None,
) -> dict[str, Any]:
    """`gridline score --department`: the score as ``--counts`` prints it, with the
    department, the period and what each derived count means."""
    p = _period(date_from, date_to, settings)
    chosen = _scheme(scheme, settings)
    found = repo.department(session, department_id)
    if found is None:
        raise InvalidInput(
            f"找不到部门 {department_id}", code="unknown_department", field="department"
        )
    w = _window(session, p, now)
    counts = _counts(session, chosen, w, "department").get(department_id)
    street = _counts(session, chosen, w, "street", street_wide_only=True).get(repo.STREET, {})
    derived = _complete(chosen, counts, street)
    result = score(chosen, derived, shipped_schemes(), variant=variant).as_dict()
    result["department"] = {"id": found[0], "name": found[1]}
    result["period"] = {"from": p.date_from.isoformat(), "to": p.date_to.isoformat()}
    result["definitions"] = m.notes(chosen)
    result["links"] = {
        c: _link(
            f"{chosen}.{c}", p, department_id=None if _street_wide(chosen, c) else department_id
        )
        for c in m.METRICS[chosen]
    }
    return result


# -- the work list's metric filter -----------------------------------------------------------


def metric_condition(
    session: Session,
    metric: str,
    period_from: str | None,
    period_to: str | None,
    department_id: int | None,
    settings: Settings,
    now: datetime,
) -> ColumnElement[bool]:
    """The condition that lists the orders behind ``metric`` for a department (None: the
    whole street) in the period: the very condition the count was made of."""
    found = m.metric(metric)
    if found is None:
        raise InvalidInput(
            f"未知的统计指标 {metric[:60]!r}（例如 zhenru.late、grid.closed、stats.orders）",
            code="invalid_metric",
            field="metric",
        )
    try:
        p = period(period_from, period_to, settings.tz, fields=("period_from", "period_to"))
    except PeriodError as exc:
        raise InvalidInput(exc.message, code=exc.code, field=exc.field) from exc
    return m.orders_behind(found, _window(session, p, now), department_id)
