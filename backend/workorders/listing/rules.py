"""What a work list shows and to whom: each role's view, the clock a summary counts down, the
flags that matter at a glance. Pure: no web or database imports; "now" is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from backend.auth.roles import STREET_WIDE, Role
from backend.workorders.facts import ClockFact, OrderFacts
from backend.workorders.states import PLATFORM_SOURCES, Source, Status

# The orders a department must act on (assigned=me): dispatched to it, or being handled.
HANDLER_ACTION = frozenset({Status.dispatched, Status.accepted, Status.in_progress})
# What an inspector checks on site (seed 000: 核查).
AWAITING_VERIFICATION = frozenset({Status.submitted})


class Sort(StrEnum):
    due = "due"  # nearest deadline first; orders without a running clock last
    created = "created"  # newest first
    updated = "updated"  # most recently changed first


class Reach(StrEnum):
    """Which orders a role's list is drawn from."""

    street = "street"  # every order
    department = "department"  # led or assisted by the caller's department
    grids = "grids"  # in the grids the caller patrols
    reporter = "reporter"  # the caller's own reports (and those merged into another order)
    nothing = "nothing"  # a handler with no department


@dataclass(frozen=True)
class View:
    reach: Reach
    # Statuses the role's list is limited to (None: any); ANDed with the client's filter.
    statuses: frozenset[Status] | None
    sort: Sort


def view_for(
    role: Role | str, has_department: bool, *, assigned_to_me: bool, sort: Sort | None
) -> View:
    """A handler's list is its department's orders, nearest deadline first (assigned=me: those
    that need its action); an inspector's the orders waiting for verification in its grids;
    a member's its own reports' orders, newest first; the command center sees everything
    (assigned=me: what waits for dispatch or review at the centre)."""
    if role == Role.handler:
        if not has_department:
            return View(Reach.nothing, None, sort or Sort.due)
        return View(Reach.department, HANDLER_ACTION if assigned_to_me else None, sort or Sort.due)
    if role == Role.inspector:
        return View(Reach.grids, AWAITING_VERIFICATION, sort or Sort.due)
    if role in STREET_WIDE:
        at_centre = frozenset({Status.reported, Status.returned, Status.verified})
        return View(Reach.street, at_centre if assigned_to_me else None, sort or Sort.created)
    return View(Reach.reporter, None, sort or Sort.created)


def statuses_to_list(view: View, asked: Iterable[Status]) -> frozenset[Status] | None:
    """The statuses to query: the client's filter within the view's (empty: nothing)."""
    wanted = frozenset(asked)
    if view.statuses is None:
        return wanted or None
    return (wanted & view.statuses) if wanted else view.statuses


# -- the clock a summary counts down ---------------------------------------------------------


class ClockState(StrEnum):
    ok = "ok"  # green
    warning = "warning"  # amber: inside the reminder lead
    breached = "breached"  # red


@dataclass(frozen=True)
class Countdown:
    clock: ClockFact
    remaining_s: int  # negative once overdue
    state: ClockState


def nearest_clock(clocks: Iterable[ClockFact], now: datetime) -> Countdown | None:
    """The running clock due first (met clocks are done; an overdue one still counts)."""
    running = [c for c in clocks if c.met_at is None]
    if not running:
        return None
    clock = min(running, key=lambda c: (c.due_at, c.name))
    remaining = int((clock.due_at - now).total_seconds())
    if clock.breached_at is not None or remaining <= 0:
        state = ClockState.breached
    elif clock.remind_at is not None and now >= clock.remind_at:
        state = ClockState.warning
    else:
        state = ClockState.ok
    return Countdown(clock, remaining, state)


# -- flags -----------------------------------------------------------------------------------

FLAG_LABELS = {
    "overdue": "已超时",
    "due_soon": "即将超时",
    "provisional_deadline": "时限按暂定日历计算",
    "supervised": "督办中",
    "warning_order": "警示单",
    "repeat": "重复投诉",
    "merged_reports": "有合并上报",
    "pending_return": "退单待审",
    "pending_extension": "延期待审",
    "platform": "平台工单",
    "out_of_jurisdiction": "非本街道",
}


def flags_of(
    facts: OrderFacts, countdown: Countdown | None, *, repeat_count: int, out_of_jurisdiction: bool
) -> list[str]:
    """The flags a list shows beside an order, in FLAG_LABELS' order."""
    on = {
        "overdue": countdown is not None and countdown.state is ClockState.breached,
        "due_soon": countdown is not None and countdown.state is ClockState.warning,
        "provisional_deadline": countdown is not None and countdown.clock.provisional,
        "supervised": bool(facts.unreplied_supervisions),
        "warning_order": facts.warning_order,
        "repeat": facts.marked_repeat,
        "merged_reports": repeat_count > 0,
        "pending_return": facts.pending_return is not None,
        "pending_extension": facts.pending_extension is not None,
        "platform": facts.source in PLATFORM_SOURCES,
        "out_of_jurisdiction": out_of_jurisdiction,
    }
    return [flag for flag in FLAG_LABELS if on[flag]]


@dataclass(frozen=True)
class OrderFilter:
    """A work list's filters, as the client sent them (all ANDed)."""

    statuses: frozenset[Status] | None = None
    source: Source | None = None
    category_number: int | None = None
    grid_id: int | None = None
    department_id: int | None = None  # led or assisted by
    level: str | None = None
    due_before: datetime | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    # The orders behind a statistics count (backend.scoring.metrics), for a period given as
    # dates; with a metric, department_id is the count's department (lead, or the returning
    # department for returns), not "led or assisted by".
    metric: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    # (min lng, min lat, max lng, max lat), WGS-84; min inclusive, max exclusive (a hotspot's
    # cell: backend.hotspots.rules).
    bbox: tuple[float, float, float, float] | None = None


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``min_lng,min_lat,max_lng,max_lat`` (the GeoJSON/OGC order), WGS-84."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise ValueError("范围须为 最小经度,最小纬度,最大经度,最大纬度 四个数字")
    min_lng, min_lat, max_lng, max_lat = values
    if not (-180 <= min_lng < max_lng <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ValueError("范围的经纬度不正确（最小值须小于最大值）")
    return min_lng, min_lat, max_lng, max_lat
