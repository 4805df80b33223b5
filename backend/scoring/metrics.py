"""Every count of the department scores and statistics, defined once as a SQL condition over
the timeline (work_order and its clocks, returns, extensions, supervisions, events).

The same condition counts (``repository``: SUM(CASE WHEN …) grouped by department or grid) and
lists the orders behind the count (GET /api/v1/workorders?metric=…), so a figure and its list
cannot disagree.

Which instant puts something in a period (dates inclusive, Asia/Shanghai; see periods.py):

- scheme counts of orders (jiangning, zhenru, dongcheng): ``dispatched_at`` — the order was
  sent to the department (派遣) in the period; the department is the order's lead department.
- grid-order rates (``grid.*``, seed 000 "根据工单办结情况"): ``closed_at`` — closed in the period.
- statistics figures (``stats.*``): ``created_at`` — the order arrived at the street in the
  period (a grid's and the street's figures include orders not yet dispatched).
- counts of times (returns, supervision notices, extensions) — the row's own instant
  (``return_request.created_at``, ``supervision.issued_at``, ``extension.created_at``);
  a return belongs to the department that returned, the others to the order's lead. Their
  link lists the orders behind those times (an order returned twice is listed once).

jiangning and zhenru score 12345 hotline orders only (seed 000 二(二)2 热线工单, seed 003
"12345"市民服务热线); dongcheng scores every 便民事项 whatever its source.

A clock is met on time when it was met no later than its due time and never breached; it is
missed when it was breached, met late, or is still running past its due time at ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlmodel import col

from backend.sla.models import Clock
from backend.workorders.models import (
    Extension,
    ReturnRequest,
    Supervision,
    WorkOrder,
)


@dataclass(frozen=True)
class Window:
    """A period as UTC instants [start, end), "now" (for clocks still running) and the SQL
    dialect (for time arithmetic)."""

    start: datetime
    end: datetime
    now: datetime
    dialect: str
    facts: Facts = field(default=None)  # type: ignore[assignment]  # set by for_orders/joined

    def for_orders(self) -> Window:
        """The window whose facts are read per order (correlated EXISTS)."""
        return replace(self, facts=ExistsFacts(self.now))


Condition = Callable[[Window], ColumnElement[bool]]


@dataclass(frozen=True)
class OrderCount:
    """Orders of a department: ``anchor`` puts an order in the period, ``condition`` picks
    the counted ones; ``weight`` (a column) is summed instead of 1. ``street_wide``: the
    count is the same for every department (the street's total) and its list ignores the
    department."""

    name: str
    anchor: Condition
    condition: Condition
    note: str
    weight: Any = None
    street_wide: bool = False


@dataclass(frozen=True)
class RowCount:
    """Rows of a table related to orders (times, not orders); ``distinct_orders`` counts the
    orders they belong to instead."""

    name: str
    table: Any
    condition: Condition  # over the table (and work_order, which it is joined to)
    note: str
    distinct_orders: bool = False


@dataclass(frozen=True)
class Unknown:
    """A count the system has no record of: always 0, and the note says why."""

    name: str
    note: str


Metric = OrderCount | RowCount | Unknown

FINISHED_REPORTS = ("submitted", "verified", "closed", "archived", "stored")
ACCEPTED_STATUSES = ("accepted", "in_progress", *FINISHED_REPORTS)
CLOSED_STATUSES = ("closed", "archived")
# Values of work_order.satisfaction (the callback) by the schemes' count names.
SATISFACTION_VALUES = {
    "satisfied": "satisfied",
    "basic_satisfied": "basically_satisfied",
    "neutral": "neutral",
    "unsatisfied": "unsatisfied",
}
# zhenru 六(六)1 不属实率's numerator: 不属实 + 无政策依据 + 不采纳 + 对政策解释不接受 + 留作参考,
# read from the latest closure report (closure_rules.yaml codes).
UNTRUE_RESULTS = ("not_adopted", "explained_not_accepted", "filed_for_reference")

wo = WorkOrder


# -- building blocks -------------------------------------------------------------------------------


def _between(column: Any, w: Window) -> ColumnElement[bool]:
    return and_(column >= w.start, column < w.end)


def dispatched_in(w: Window) -> ColumnElement[bool]:
    return and_(_between(col(wo.dispatched_at), w), col(wo.status) != "merged")


def closed_in(w: Window) -> ColumnElement[bool]:
    return and_(col(wo.status).in_(CLOSED_STATUSES), _between(col(wo.closed_at), w))


def created_in(w: Window) -> ColumnElement[bool]:
    return _between(col(wo.created_at), w)


def seconds_between(earlier: Any, later: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _hotline() -> ColumnElement[bool]:
    return col(wo.source) == "hotline"


def clock_on_time(c: Any = Clock) -> ColumnElement[bool]:
    return and_(
        col(c.met_at).is_not(None), col(c.met_at) <= col(c.due_at), col(c.breached_at).is_(None)
    )


def clock_missed(w: Window, c: Any = Clock) -> ColumnElement[bool]:
    return or_(
        col(c.breached_at).is_not(None),
        col(c.met_at) > col(c.due_at),
        and_(col(c.met_at).is_(None), col(c.due_at) <= w.now),
    )


def clock_running(w: Window, c: Any = Clock) -> ColumnElement[bool]:
    return and_(col(c.met_at).is_(None), col(c.breached_at).is_(None), col(c.due_at) > w.now)


ClockState = Literal["any", "on_time", "missed", "unmet_missed"]
CLOCK_FACTS: tuple[tuple[str, ClockState], ...] = tuple(
    (name, state)
    for name in ("first_contact", "resolve")
    for state in ("any", "on_time", "missed", "unmet_missed")
)


def clock_state(state: ClockState, w: Window, c: Any = Clock) -> ColumnElement[bool]:
    """A clock row in one of the states a count asks about."""
    if state == "any":
        return true()
    if state == "on_time":
        return clock_on_time(c)
    if state == "missed":
        return clock_missed(w, c)
    return and_(col(c.met_at).is_(None), clock_missed(w, c))


class Facts(Protocol):
    """An order's clock facts, as conditions on the order's row: a clock of a name in a
    state. Defined once (``clock_state``); read either through a correlated EXISTS (a list
    of orders) or through a per-order subquery joined to work_order (a count over a whole
    period). The latest closure report's findings need neither: the closure step keeps them
    on the order (``closure_fact_finding``, ``closure_claim_finding``, ``closure_result``)."""

    def clock(self, name: str, state: ClockState) -> ColumnElement[bool]: ...


@dataclass(frozen=True)
class ExistsFacts:
    """Each fact a correlated EXISTS: what a page of the work list filters by."""

    now: datetime

    def clock(self, name: str, state: ClockState) -> ColumnElement[bool]:
        w = Window(self.now, self.now, self.now, "", self)
        return exists(
            select(literal(1)).where(
                col(Clock.work_order_id) == wo.id,
                col(Clock.name) == name,
                clock_state(state, w),
            )
        )


@dataclass
class JoinedFacts:
    """Each fact a column of a per-order subquery (``clocks``: one flag per CLOCK_FACTS),
    LEFT JOINed to work_order: one hash join for a period's count instead of an index probe
    per order and count. ``used_clocks`` says whether the counts read it, so it is joined
    only then."""

    clocks: Any
    used_clocks: bool = False

    def clock(self, name: str, state: ClockState) -> ColumnElement[bool]:
        self.used_clocks = True
        return func.coalesce(self.clocks.c[f"{name}__{state}"], 0) == 1


def joined_facts(w: Window, orders: Any) -> JoinedFacts:
    """The per-order clock facts of the orders ``orders`` (a SELECT of their ids)."""
    clocks = (
        select(
            col(Clock.work_order_id).label("work_order_id"),
            *(
                func.max(
                    case((and_(col(Clock.name) == name, clock_state(state, w)), 1), else_=0)
                ).label(f"{name}__{state}")
                for name, state in CLOCK_FACTS
            ),
        )
        .where(
            col(Clock.name).in_(sorted({name for name, _ in CLOCK_FACTS})),
            col(Clock.work_order_id).in_(orders),
        )
        .group_by(col(Clock.work_order_id))
        .subquery("clock_facts")
    )
    return JoinedFacts(clocks)


def _scored_satisfaction() -> ColumnElement[bool]:
    # 存电 (seed 003 三(四)): a stored order and the calls linked to it are not surveyed.
    return and_(
        col(wo.satisfaction).is_not(None),
        col(wo.satisfaction_exempt).is_(False),
        col(wo.status) != "stored",
    )


def _satisfaction(value: str) -> ColumnElement[bool]:
    return and_(_scored_satisfaction(), col(wo.satisfaction) == value)


def _refused_return(w: Window, hotline_only: bool) -> ColumnElement[bool]:
    # 无理退单 / 无理由回退: a return the command center refused (the order stayed with the
    # department).
    where = and_(col(ReturnRequest.status) == "refused", _between(col(ReturnRequest.created_at), w))
    return and_(where, _hotline()) if hotline_only else where


def _supervision_of_level(level: str) -> Condition:
    # 督办件 of a level, issued in the period. 预警信息推送 (kind warning) is not a 督办件.
    # "且未有效解决的" needs the command center's verdict, which the system does not record:
    # every notice counts.
    def condition(w: Window) -> ColumnElement[bool]:
        return and_(
            col(Supervision.level) == level,
            col(Supervision.kind) != "warning",
            _between(col(Supervision.issued_at), w),
            _hotline(),
        )

    return condition


def _supervision_late(w: Window) -> ColumnElement[bool]:
    replied, due = col(Supervision.replied_at), col(Supervision.reply_due_at)
    return and_(
        _between(col(Supervision.issued_at), w),
        or_(replied > due, and_(replied.is_(None), due <= w.now)),
    )


def _always(w: Window) -> ColumnElement[bool]:
    return true()


# -- the schemes -----------------------------------------------------------------------------------


def _j(condition: Callable[[Window], ColumnElement[bool]]) -> Condition:
    return lambda w: and_(_hotline(), condition(w))


def _jiangning() -> dict[str, Metric]:
    def resolution(value: str) -> Condition:
        return _j(lambda w: col(wo.resolution) == value)

    return {
        "dispatched": OrderCount(
            "dispatched",
            dispatched_in,
            _j(_always),
            "派遣案件数：统计周期内派至本部门（主办）的12345热线工单",
        ),
        "first_contacted": OrderCount(
            "first_contacted",
            dispatched_in,
            _j(
                lambda w: or_(
                    w.facts.clock("first_contact", "on_time"),
                    ~w.facts.clock("first_contact", "any"),
                )
            ),
            "先行联系件数：先行联系时限内联系上来电人的工单；无人可联系（匿名、无电话）的工单"
            "没有先行联系时限，计为已先行联系",
        ),
        "on_time": OrderCount(
            "on_time",
            dispatched_in,
            _j(lambda w: w.facts.clock("resolve", "on_time")),
            "按时办结数：办结时限（resolve）内提交结案且未超时的工单",
        ),
        "resolved": OrderCount(
            "resolved", dispatched_in, resolution("resolved"), "回访解决情况为“实际解决”的工单"
        ),
        "explained": OrderCount(
            "explained", dispatched_in, resolution("explained"), "回访解决情况为“解释说明”的工单"
        ),
        "filed_for_reference": OrderCount(
            "filed_for_reference",
            dispatched_in,
            resolution("filed_for_reference"),
            "回访解决情况为“参考备案”的工单",
        ),
        "bonus": Unknown("bonus", "加分：系统中没有加分记录（须经考核领导小组审定），计 0"),
        "penalty": Unknown("penalty", "减分：系统中没有减分记录（须经考核领导小组审定），计 0"),
    }


def _zhenru() -> dict[str, Metric]:
    def accepted(w: Window) -> ColumnElement[bool]:
        return and_(_hotline(), col(wo.status).in_(ACCEPTED_STATUSES))

    def resolution(*values: str, extra: ColumnElement[bool] | None = None) -> Condition:
        def condition(w: Window) -> ColumnElement[bool]:
            where = and_(_hotline(), col(wo.resolution).in_(values))
            return and_(where, extra) if extra is not None else where

        return condition

    def satisfaction(value: str) -> Condition:
        return _j(lambda w: _satisfaction(value))

    def untrue(w: Window) -> ColumnElement[bool]:
        return and_(
            _hotline(),
            or_(
                col(wo.closure_fact_finding) == "untrue",
                col(wo.closure_claim_finding) == "no_policy_basis",
                col(wo.closure_result).in_(UNTRUE_RESULTS),
            ),
        )

    not_unsatisfied = or_(col(wo.satisfaction).is_(None), col(wo.satisfaction) != "unsatisfied")
    metrics: dict[str, Metric] = {
        "accepted": OrderCount(
            "accepted",
            dispatched_in,
            accepted,
            "工单受理量：统计周期内派至本部门且已接单的12345热线工单",
        ),
        "accepted_all_departments": OrderCount(
            "accepted_all_departments",
            dispatched_in,
            accepted,
            "全部承办部门的工单受理量（全街道合计，链接不限部门）",
            street_wide=True,
        ),
        "resolved": OrderCount(
            "resolved", dispatched_in, resolution("resolved"), "回访“实际解决”的工单"
        ),
        "explained_accepted": OrderCount(
            "explained_accepted",
            dispatched_in,
            resolution("explained", extra=not_unsatisfied),
            "解释说明认可：回访“解释说明”且市民不是“不满意”的工单",
        ),
        "explained_not_accepted": OrderCount(
            "explained_not_accepted",
            dispatched_in,
            resolution("explained", extra=col(wo.satisfaction) == "unsatisfied"),
            "解释说明不认可：回访“解释说明”且市民“不满意”的工单",
        ),
        "unresolved": OrderCount(
            "unresolved",
            dispatched_in,
            resolution("unresolved", "filed_for_reference"),
            "未解决：回访“未解决”或“参考备案”的工单（计分表的分母是全部回访件数）",
        ),
        **{
            name: OrderCount(
                name,
                dispatched_in,
                satisfaction(value),
                f"回访满意度为“{label}”的工单（不含存电工单）",
            )
            for name, value, label in (
                ("satisfied", "satisfied", "满意"),
                ("basic_satisfied", "basically_satisfied", "基本满意"),
                ("neutral", "neutral", "一般"),
                ("unsatisfied", "unsatisfied", "不满意"),
            )
        },
        "missed_first_contact": OrderCount(
            "missed_first_contact",
            dispatched_in,
            _j(lambda w: w.facts.clock("first_contact", "missed")),
            "未先行联系：先行联系时限已过而未联系上来电人（或联系晚了）的工单",
        ),
        "late": OrderCount(
            "late",
            dispatched_in,
            _j(lambda w: w.facts.clock("resolve", "missed")),
            "未按时办结：办结时限（resolve）已超时的工单（含超时未办结的）",
        ),
        **{
            f"supervision_{level}": RowCount(
                f"supervision_{level}",
                Supervision,
                _supervision_of_level(level),
                f"{label}督办件：统计周期内发出的{label}督办单件数（按次计，链接列出其工单）；"
                "“且未有效解决”须人工认定，系统按全部督办单计",
            )
            for level, label in (("street", "街镇"), ("district", "区级"), ("city", "市级"))
        },
        "untrue": OrderCount(
            "untrue",
            dispatched_in,
            untrue,
            "不属实率分子：最近一次结案报告认定不属实、无政策依据，或处理结果为不采纳、"
            "有政策不接受、参考备案的工单",
        ),
        "total_orders": OrderCount(
            "total_orders",
            dispatched_in,
            _j(_always),
            "总工单量：统计周期内派至本部门的12345热线工单",
        ),
        "copied_reports": Unknown(
            "copied_reports",
            "协办部门复制主办办结内容：系统在提交协办报告时即拒收复制的内容"
            "（closure_rules.check_assist_report），不会有此类记录，计 0",
        ),
        "unjustified_returns": RowCount(
            "unjustified_returns",
            ReturnRequest,
            lambda w: _refused_return(w, hotline_only=True),
            "无理退单：本部门提出、被城运中心驳回的退单次数（按次计，链接列出其工单）",
        ),
    }
    return metrics


def _dongcheng() -> dict[str, Metric]:
    def rated(w: Window) -> ColumnElement[bool]:
        # 参评的总事项数: handled (a closure report or 存电) or past its handling deadline.
        return or_(col(wo.status).in_(FINISHED_REPORTS), w.facts.clock("resolve", "missed"))

    def interim(w: Window) -> ColumnElement[bool]:
        return col(wo.closure_result) == "partly_resolved"

    def visited(w: Window) -> ColumnElement[bool]:
        return _scored_satisfaction()

    return {
        "received": OrderCount(
            "received", dispatched_in, _always, "接收的总事项数：统计周期内派至本部门（主办）的工单"
        ),
        "unjustified_returns": RowCount(
            "unjustified_returns",
            ReturnRequest,
            lambda w: _refused_return(w, hotline_only=False),
            "无理由回退次数：本部门提出、被驳回的退单次数（按次计，链接列出其工单）",
        ),
        "rated": OrderCount(
            "rated",
            dispatched_in,
            rated,
            "参评的总事项数：已提交结案（或存电），或办结时限已过的工单",
        ),
        "interim_done": OrderCount(
            "interim_done",
            dispatched_in,
            lambda w: and_(rated(w), w.facts.clock("resolve", "on_time"), interim(w)),
            "准办结：时限内结案、最近一次结案结果为“部分解决”（阶段性结果）的工单",
        ),
        "done": OrderCount(
            "done",
            dispatched_in,
            lambda w: and_(
                rated(w),
                w.facts.clock("resolve", "on_time"),
                col(wo.closure_result) != "partly_resolved",
            ),
            "实际办结：时限内结案、最近一次结案结果不是“部分解决”的工单",
        ),
        "rework": OrderCount(
            "rework",
            dispatched_in,
            lambda w: and_(rated(w), col(wo.failed_checks) > 0),
            "返工：结案申请至少一次核查未通过的工单",
        ),
        "forced_closed": OrderCount(
            "forced_closed",
            dispatched_in,
            lambda w: and_(
                rated(w),
                w.facts.clock("resolve", "unmet_missed"),
            ),
            "强制结案：办结时限已过仍未提交结案的工单（区级平台会将其强制结案）",
        ),
        "repeat_reports": OrderCount(
            "repeat_reports",
            dispatched_in,
            lambda w: and_(rated(w), col(wo.repeat_count) > 0),
            "反复举报次数：参评事项合并进来的重复举报次数之和（按次计，链接列出其工单）",
            weight=col(wo.repeat_count),
        ),
        "supervision_unreplied": RowCount(
            "supervision_unreplied",
            Supervision,
            _supervision_late,
            "督办未回复：统计周期内发出、逾期未回复或逾期才回复的督办单所属工单数",
            distinct_orders=True,
        ),
        "visited": OrderCount(
            "visited", dispatched_in, visited, "实际回访的事项数：已回访的工单（不含存电工单）"
        ),
        "feedback_confirmed": OrderCount(
            "feedback_confirmed",
            dispatched_in,
            lambda w: and_(visited(w), col(wo.contacted_levels).contains("department")),
            "确认得到反馈：已回访、且承办部门联系上了来电人的工单",
        ),
        "satisfied": OrderCount(
            "satisfied",
            dispatched_in,
            lambda w: and_(
                visited(w), col(wo.satisfaction).in_(("satisfied", "basically_satisfied"))
            ),
            "答复满意：回访“满意”或“基本满意”的工单",
        ),
    }


def _grid() -> dict[str, Metric]:
    def within_24h(w: Window) -> ColumnElement[bool]:
        arrival = func.coalesce(col(wo.received_at), col(wo.created_at))
        return seconds_between(arrival, col(wo.closed_at), w.dialect) <= 86400

    return {
        "closed": OrderCount("closed", closed_in, _always, "统计周期内结案的工单"),
        "closed_within_24h": OrderCount(
            "closed_within_24h", closed_in, within_24h, "及时办结：到达街道后 24 小时内结案的工单"
        ),
        "closed_on_time": OrderCount(
            "closed_on_time",
            closed_in,
            lambda w: w.facts.clock("resolve", "on_time"),
            "按时办结：办结时限内提交结案的工单",
        ),
        "verified_first_check": OrderCount(
            "verified_first_check",
            closed_in,
            lambda w: col(wo.failed_checks) == 0,
            "一次性办结：核查一次通过（从未核查不通过）的工单",
        ),
        "closed_overdue": OrderCount(
            "closed_overdue",
            closed_in,
            lambda w: w.facts.clock("resolve", "missed"),
            "逾期：超过办结时限才结案的工单",
        ),
    }


def _stats() -> dict[str, Metric]:
    def satisfaction(value: str) -> Condition:
        return lambda w: _satisfaction(value)

    def clocks(condition: Callable[[Window], ColumnElement[bool]]) -> Condition:
        return lambda w: and_(created_in(w), condition(w))

    return {
        "orders": OrderCount("orders", created_in, _always, "统计周期内到达街道的工单"),
        **{
            f"satisfaction_{name}": OrderCount(
                f"satisfaction_{name}", created_in, satisfaction(value), "回访满意度（不含存电）"
            )
            for name, value in SATISFACTION_VALUES.items()
        },
        "clocks_met": RowCount(
            "clocks_met", Clock, clocks(lambda w: clock_on_time()), "按时完成的时限（按个计）"
        ),
        "clocks_missed": RowCount(
            "clocks_missed", Clock, clocks(clock_missed), "超时的时限（按个计）"
        ),
        "clocks_running": RowCount(
            "clocks_running", Clock, clocks(clock_running), "未到期、仍在计时的时限（按个计）"
        ),
        "returns": RowCount(
            "returns",
            ReturnRequest,
            lambda w: _between(col(ReturnRequest.created_at), w),
            "统计周期内提出的退单（按次计）",
        ),
        "extensions": RowCount(
            "extensions",
            Extension,
            lambda w: _between(col(Extension.created_at), w),
            "统计周期内提出的延期申请（按次计）",
        ),
        "supervisions": RowCount(
            "supervisions",
            Supervision,
            lambda w: _between(col(Supervision.issued_at), w),
            "统计周期内发出的督办单（按次计）",
        ),
    }


METRICS: Mapping[str, Mapping[str, Metric]] = {
    "jiangning": _jiangning(),
    "zhenru": _zhenru(),
    "dongcheng": _dongcheng(),
    "grid": _grid(),
    "stats": _stats(),
}
METRIC_NAMES: tuple[str, ...] = tuple(
    f"{group}.{name}" for group, metrics in METRICS.items() for name in metrics
)


def metric(name: str) -> Metric | None:
    group, _, count = name.partition(".")
    return METRICS.get(group, {}).get(count)


# -- which table a row count belongs to, and whose -------------------------------------------------


def row_department(table: Any) -> Any:
    """The department a row counts for: a return, the department that returned it; any other
    row, the order's lead department."""
    return (
        col(ReturnRequest.department_id) if table is ReturnRequest else col(wo.lead_department_id)
    )


def row_order_id(table: Any) -> Any:
    return col(table.work_order_id)


# -- the orders behind a count ---------------------------------------------------------------------


def orders_behind(m: Metric, w: Window, department_id: int | None) -> ColumnElement[bool]:
    """The condition over work_order that lists the orders behind ``m`` for a department
    (None: street-wide)."""
    w = w.for_orders()
    if isinstance(m, Unknown):
        return false()
    if isinstance(m, OrderCount):
        where = and_(m.anchor(w), m.condition(w))
        if m.weight is not None:
            where = and_(where, m.weight > 0)
        if department_id is not None and not m.street_wide:
            where = and_(where, col(wo.lead_department_id) == department_id)
        return where
    rows = select(row_order_id(m.table)).where(row_order_id(m.table) == wo.id, m.condition(w))
    if department_id is not None:
        rows = rows.where(row_department(m.table) == department_id)
    return exists(rows)


def notes(group: str) -> dict[str, str]:
    return {name: m.note for name, m in METRICS[group].items()}
