"""Who leads and who assists, from the responsibility list's lead rules. Pure.

The list's lead cells are data (backend/catalog/data/responsibility_list.yaml); this module
only knows their kinds:
- area_team: "片区", the area team of the report's grid;
- department: a fixed department;
- repeat: one lead the first time, another when the same address comes back (返潮, 群租);
- time_of_day: one lead, another on working-day daytime (值班电话: 党政办 / 城运中心);
- by_aspect: a default lead and another for one aspect (建设、选址) that text rarely names,
  so the default leads and the dispatcher may re-route;
- unassigned: the seed names no lead; a dispatcher decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

AREA_TEAM = "片区"
# 指导 (guide) is the line office that advises; it does not work the order, so it is not an
# assisting department. 协办 and 执法 do work on it.
ASSISTING_ROLES = frozenset({"assist", "enforce"})


@dataclass(frozen=True)
class RoutingContext:
    area_team: str | None  # name of the grid's area team; None when out of any grid
    repeat_at_address: bool  # an earlier order of this category at this address
    workday_daytime: bool  # a working day, within office hours


@dataclass(frozen=True)
class Route:
    lead: str | None  # department name; None: a dispatcher must choose
    assists: tuple[str, ...]
    reason: str


def _resolve(name: str | None, ctx: RoutingContext) -> str | None:
    return ctx.area_team if name == AREA_TEAM else name


def route(
    lead: Mapping[str, Any], assists: Sequence[Mapping[str, Any]], ctx: RoutingContext
) -> Route:
    kind = lead.get("kind")
    if kind == "area_team":
        chosen, reason = ctx.area_team, "片区主办"
    elif kind in ("department", "by_aspect"):
        chosen, reason = _resolve(lead.get("department"), ctx), "清单主办部门"
    elif kind == "repeat":
        if ctx.repeat_at_address:
            chosen, reason = _resolve(lead.get("repeat"), ctx), "同一地址返潮，调整主办"
        else:
            chosen, reason = _resolve(lead.get("first"), ctx), "首次上报"
    elif kind == "time_of_day":
        if ctx.workday_daytime:
            chosen, reason = _resolve(lead.get("workday_daytime"), ctx), "工作日白天"
        else:
            chosen, reason = _resolve(lead.get("department"), ctx), "非工作日白天"
    else:
        chosen, reason = None, "清单未指定主办部门"
    if chosen is None and kind != "unassigned":
        reason = "不在任何网格内，无法确定片区"
    helpers: list[str] = []
    for entry in assists:
        name = _resolve(entry.get("department"), ctx)
        if entry.get("role") in ASSISTING_ROLES and name and name != chosen and name not in helpers:
            helpers.append(name)
    return Route(lead=chosen, assists=tuple(helpers), reason=reason)
