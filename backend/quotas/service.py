"""Member quotas and points (seed 001 五): a member's week, the leaderboards and every member's
row for the reports (the weekly close that writes the points ledger: backend.quotas.closing).

Everything is derived from the data with a fixed number of statements per call, whatever the
number of members or orders: counts are GROUP BY queries (backend.quotas.repository), the
rules are the pure functions of backend.quotas.rules. A week that is not closed yet is
computed live (so far); a closed week answers what was closed, and its ledger lines, with the
corrections of the closes that re-checked it (backend.quotas.closing).

Which orders a member answers for (seed 001 五(二)): the orders made from the member's own
reports. The seed's members follow their reports to the end (三(二) "主动配合职能部门处置本网格
内问题"), and these are the only orders the data ties to one member; charging every member of
a grid for each order in it would blame them all alike. The facts, each counted once per order
in the week it was first recorded:
- passive discovery (被动接受反复投诉): the citizens' complaint (hotline, 随手拍, Open311) that is
  the 3rd of its category at its place (the 返潮 radius ``repeat_radius_m`` or the same
  address, within ``repeat_window_days``) when no member had reported the problem there —
  charged in the week of that complaint to the members of its grid, once per 起 (a member
  reporting it afterwards, and the 4th and later calls, are the same 起). Here the orders
  are not the member's own: the seed blames the grid's 网格员 for not finding it first;
- untrue result (核查结果不真实、未整改): a verification that failed;
- buck-passing (推诿扯皮): a return (退单) the command center refused;
- second order (二次工单): sent back for a second handling after an unsatisfied callback
  (预警工单); overdue (超时工单): the resolve clock breached. Both on one order are one 件.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from backend.auth import permissions
from backend.auth.models import User
from backend.config import Settings
from backend.db import row_id
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.geo import bounding_box
from backend.org.models import GridDuty, GridLevel
from backend.quotas import repository as repo
from backend.quotas.ledger import (
    REASON_LABELS,
    Find,
    day_off_spans,
    history_weeks,
    is_day_off,
    ledger_lines,
    week_bounds,
)
from backend.quotas.quota_data import MemberQuota, shipped_quotas
from backend.quotas.rules import (
    EarlierOrder,
    IsoWeek,
    OrderFacts,
    Penalty,
    Place,
    StreakVerdict,
    WeekQuota,
    empty_week_streak,
    passive_case,
    timeline_penalties,
    weekly_quota,
)
from backend.quotas.schemas import (
    FindOut,
    GridRef,
    LeaderboardItem,
    LeaderboardOut,
    LedgerLineOut,
    MemberQuotaOut,
    MemberRef,
    MemberWithGrids,
    PendingLineOut,
    Scope,
)
from backend.sla.calendar import WorkCalendar
from backend.sla.service import calendar_for

DISABLED_NOTE = "本街道未启用网格员发现问题考核（GRID_QUOTA_PROFILE=none）"
PROVISIONAL_NOTE = "该周所在年份尚无官方节假日安排，工作日按暂定日历计算，结果可能调整"


@dataclass(frozen=True)
class ActiveRule:
    profile: str | None  # None: no quota in force
    rule: MemberQuota | None
    note: str | None


def active_rule(settings: Settings) -> ActiveRule:
    """The quota rules in force (settings.quota_profile), or none with the reason."""
    if settings.quota_profile == "none":
        return ActiveRule(None, None, DISABLED_NOTE)
    entry = shipped_quotas().profiles[settings.quota_profile]
    if entry.quota is None:
        return ActiveRule(None, None, entry.note)
    return ActiveRule(settings.quota_profile, entry.quota, None)


def parse_week(text: str | None, settings: Settings, now: datetime) -> IsoWeek:
    if text is None:
        return IsoWeek.of(now, settings.tz)
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_week", field="week") from None


# -- the week of many members at once ------------------------------------------------------


@dataclass
class MemberWeek:
    person: repo.Person
    result: WeekQuota
    penalties: tuple[Penalty, ...]
    streak: StreakVerdict | None
    finds: list[Find] = field(default_factory=list)

    @property
    def penalty(self) -> int:
        return self.result.penalty + sum(p.points for p in self.penalties)

    @property
    def points(self) -> int:
        return self.result.bonus - self.penalty


# The numbers of a member's week: what the close records and the live week shows.
WEEK_FIELDS = (
    "working_days", "finds", "quota", "target", "missing", "bonus", "penalty", "points",
    "warning", "exempt", "provisional", "empty_weeks_in_a_row", "recommend_replacement",
)  # fmt: skip


def week_fields(state: MemberWeek) -> dict[str, Any]:
    result, streak = state.result, state.streak
    return {
        "working_days": result.working_days,
        "finds": result.finds,
        "quota": result.quota,
        "target": result.target,
        "missing": result.missing,
        "bonus": result.bonus,
        "penalty": state.penalty,
        "points": state.points,
        "warning": result.warning,
        "exempt": result.exempt,
        "provisional": bool(result.provisional_years),
        "empty_weeks_in_a_row": streak.empty_weeks_in_a_row if streak else 0,
        "recommend_replacement": bool(streak and streak.recommend_replacement),
    }


def _stand_ins(week: IsoWeek, calendar: WorkCalendar, count: int, day_off: int, tz: Any) -> list:
    """Instants standing for counted finds: the rule reads only the day of each find and
    whether it is a working day, so ``day_off`` finds on the week's first day off and the rest
    on its first working day give the rule exactly what the counts say."""
    off = next((d for d in week.days() if not calendar.is_workday(d)), None)
    work = next((d for d in week.days() if calendar.is_workday(d)), None)
    noon = time(12)
    instants = [datetime.combine(off, noon, tz)] * day_off if off else []
    rest = count - len(instants)
    if rest and work is None:  # a week without a working day: every find is on a day off
        return [datetime.combine(week.monday, noon, tz)] * count
    return instants + ([datetime.combine(work, noon, tz)] * rest if work else [])


def _penalties(
    session: Session,
    people: Sequence[repo.Person],
    start: datetime,
    end: datetime,
    rule: MemberQuota,
    settings: Settings,
) -> dict[int, tuple[Penalty, ...]]:
    ids = [p.id for p in people]
    facts: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for row in repo.timeline_facts(session, ids, start, end):
        flags = facts[(row.member_id, row.work_order_id)]
        flags[
            {
                "verification_failed": "untrue_result",
                "return_refused": "buck_passing",
                "warning_order": "second_order",
                "clock_breached": "overdue",
            }[row.kind]
        ] = True
    for (member, complaint), count in _passive_cases(session, people, start, end, rule, settings):
        facts[(member, complaint)]["citizen_reports_before_member"] = count
    by_member: dict[int, list[OrderFacts]] = defaultdict(list)
    for (member, order_id), flags in sorted(facts.items()):
        by_member[member].append(OrderFacts(order=str(order_id), **flags))
    return {m: timeline_penalties(f, rule.timeline_penalties) for m, f in by_member.items()}


_NORTHMOST_LAT = 54.0


def _passive_cases(
    session: Session,
    people: Sequence[repo.Person],
    start: datetime,
    end: datetime,
    rule: MemberQuota,
    settings: Settings,
) -> list[tuple[tuple[int, int], int]]:
    """((member, complaint), complaints so far) for each complaint of the week that made its
    problem a 被动接受反复投诉 in a grid the member patrols (rules.passive_case), for the members
    who had joined by then. Every member of the complaint's grid is charged: the seed's
    网格员 is the grid's, and the data cannot tell which of several members should have seen
    it. A member who reports the problem later is not charged again for it."""
    radius = settings.repeat_radius_m
    window = timedelta(days=settings.repeat_window_days)
    # The prefilter box is as wide in longitude as the radius is at China's northmost
    # latitude (漠河, 53.5° N): wide enough for every street; the exact test follows.
    _, north, _, east = bounding_box(_NORTHMOST_LAT, 0.0, radius)
    joined = {p.id: p.created_at for p in people}
    rows = repo.complaints_with_earlier_orders(
        session, list(joined), start, end, north - _NORTHMOST_LAT, east, start - window
    )
    earlier: dict[tuple[int, int], list[EarlierOrder]] = defaultdict(list)
    complaints: dict[tuple[int, int], repo.ComplaintNeighbour] = {}
    for row in rows:
        key = (row.member_id, row.complaint_id)
        complaints[key] = row
        if row.earlier_created_at is not None:
            place = Place(row.earlier_lat, row.earlier_lng, row.earlier_address)
            earlier[key].append(
                EarlierOrder(place, row.earlier_created_at, bool(row.earlier_is_citizen))
            )
    cases = []
    for key, row in sorted(complaints.items()):
        if row.created_at < joined[row.member_id]:
            continue
        count = passive_case(
            Place(row.lat, row.lng, row.address),
            row.created_at,
            earlier[key],
            rule.timeline_penalties,
            radius,
            window,
        )
        if count is not None:
            cases.append((key, count))
    return cases


def compute_weeks(
    session: Session,
    week: IsoWeek,
    people: Sequence[repo.Person],
    rule: MemberQuota,
    settings: Settings,
    *,
    calendar: WorkCalendar | None = None,
    with_streak: bool = True,
) -> list[MemberWeek]:
    """Every person's week, so far: a fixed number of statements for all of them."""
    calendar = calendar or calendar_for(session)
    tz = settings.tz
    start, end = week_bounds(week, tz)
    ids = [p.id for p in people]
    spans = day_off_spans(week, calendar, tz)
    counts = repo.find_counts(session, ids, start, end, spans)
    # The finds themselves: for the list and the ledger.
    week_finds = repo.finds(session, ids, start, end)
    penalties = _penalties(session, people, start, end, rule, settings)
    finds_of: dict[int, list[Find]] = defaultdict(list)
    for f in week_finds:
        finds_of[f.member_id].append(Find(f.report_id, f.work_order_id, f.number, f.at))
    history: dict[int, dict[IsoWeek, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    if with_streak and people:
        earliest = min(history_weeks(week, rule, p.created_at, tz)[0] for p in people)
        history_start, _ = week_bounds(earliest, tz)
        for member, at in repo.find_instants(session, ids, history_start, start):
            history[member][IsoWeek.of(at, tz)].append(at)
    weeks: list[MemberWeek] = []
    for person in people:
        count, day_off = counts.get(person.id, (0, 0))
        result = weekly_quota(week, _stand_ins(week, calendar, count, day_off, tz), calendar, rule)
        streak = None
        if with_streak:
            earlier = history_weeks(week, rule, person.created_at, tz)[:-1]
            past = [weekly_quota(w, history[person.id].get(w, []), calendar, rule) for w in earlier]
            streak = empty_week_streak([*past, result], rule.streak)
        finds = finds_of.get(person.id, [])
        weeks.append(MemberWeek(person, result, penalties.get(person.id, ()), streak, finds))
    return weeks


# -- GET /members/{id}/quota ---------------------------------------------------------------


def _may_see_member(session: Session, viewer: User, member_id: int, grid_ids: list[int]) -> bool:
    if viewer.id == member_id or permissions.sees_street(viewer):
        return True
    return row_id(viewer) in repo.chief_ids_of(session, grid_ids)


def member_quota(
    session: Session,
    viewer: User,
    member_id: int,
    week_text: str | None,
    settings: Settings,
    now: datetime,
) -> MemberQuotaOut:
    week = parse_week(week_text, settings, now)
    member = repo.user(session, member_id)
    if member is None or member.role not in repo.JUDGED_ROLES:
        raise NotFound("找不到该网格员", code="member_not_found")
    grids = [
        (g, name) for g, name, duty in repo.grids_of(session, member_id) if duty == GridDuty.member
    ]
    if not _may_see_member(session, viewer, member_id, [g for g, _ in grids]):
        raise Forbidden("只能查看本人或本网格网格员的考核", code="quota_forbidden")
    calendar = calendar_for(session)
    tz = settings.tz
    active = active_rule(settings)
    ref = MemberWithGrids(
        id=member_id,
        display_name=member.display_name,
        grids=[GridRef(id=g, name=name) for g, name in grids],
    )
    start, end = week_bounds(week, tz)
    person = repo.Person(
        member_id, member.display_name, member.created_at, grids[0][0] if grids else 0, ""
    )
    closed = repo.closed_weeks(session, [member_id], str(week)).get(member_id)
    lines = repo.ledger_of(session, member_id, str(week))
    common: dict[str, Any] = {
        "member": ref,
        "week": str(week),
        "from_": week.monday.isoformat(),
        "to": week.sunday.isoformat(),
        "ledger": [
            LedgerLineOut(
                id=row_id(line),
                at=line.created_at,
                reason=line.reason,
                reason_label=REASON_LABELS.get(line.reason, line.reason),
                points=line.points,
                work_order_id=line.work_order_id,
                number=number,
                note=line.note,
            )
            for line, number in lines
        ],
        "year_points": repo.year_points(session, member_id, week.year),
    }
    if active.rule is None:
        found = repo.finds(session, [member_id], start, end)
        working_days = sum(1 for d in week.days() if calendar.is_workday(d))
        return MemberQuotaOut(
            **common,
            so_far=[],
            profile=None,
            note=active.note,
            working_days=working_days,
            finds=len(found),
            quota=None,
            target=None,
            missing=None,
            bonus=0,
            penalty=0,
            points=0,
            warning=False,
            exempt=False,
            provisional=bool(calendar.provisional_years(week.monday, week.sunday)),
            closed=False,
            closed_at=None,
            empty_weeks_in_a_row=0,
            recommend_replacement=False,
            find_list=[
                _find_out(Find(f.report_id, f.work_order_id, f.number, f.at), calendar, tz)
                for f in found
            ],
        )
    (state,) = compute_weeks(session, week, [person], active.rule, settings, calendar=calendar)
    find_list = [_find_out(f, calendar, tz) for f in state.finds]
    if closed is not None:
        return MemberQuotaOut(
            **common,
            **{name: getattr(closed, name) for name in WEEK_FIELDS},
            so_far=[],
            profile=closed.profile,
            note=PROVISIONAL_NOTE if closed.provisional else None,
            closed=True,
            closed_at=closed.closed_at,
            find_list=find_list,
        )
    fields = week_fields(state)
    pending = ledger_lines(state.result, state.finds, state.penalties, active.rule, calendar, tz)
    numbers = repo.order_numbers(session, [i for line in pending if (i := line.work_order_id)])
    return MemberQuotaOut(
        **common,
        so_far=[
            PendingLineOut(
                reason=line.reason,
                reason_label=REASON_LABELS.get(line.reason, line.reason),
                points=line.points,
                work_order_id=line.work_order_id,
                number=numbers.get(line.work_order_id) if line.work_order_id else None,
                note=line.note,
            )
            for line in pending
        ],
        **fields,
        profile=active.profile,
        note=PROVISIONAL_NOTE if fields["provisional"] else None,
        closed=False,
        closed_at=None,
        find_list=find_list,
    )


def _find_out(find: Find, calendar: WorkCalendar, tz: Any) -> FindOut:
    return FindOut(
        report_id=find.report_id,
        work_order_id=find.work_order_id,
        number=find.number,
        at=find.at,
        day_off=is_day_off(find.at, calendar, tz),
    )


# -- rows for many members: leaderboards and reports ---------------------------------------


@dataclass(frozen=True)
class Row:
    person: repo.Person
    finds: int
    quota: int | None
    bonus: int
    penalty: int
    points: int
    warning: bool


def _rows(
    session: Session, week: IsoWeek, people: Sequence[repo.Person], settings: Settings
) -> list[Row]:
    """Each person's numbers: as closed where the week is closed for them, else live."""
    active = active_rule(settings)
    if active.rule is None:
        tz = settings.tz
        start, end = week_bounds(week, tz)
        counts = repo.find_counts(session, [p.id for p in people], start, end, [])
        return [Row(p, counts.get(p.id, (0, 0))[0], None, 0, 0, 0, False) for p in people]
    closed = repo.closed_weeks(session, [p.id for p in people], str(week))
    live = compute_weeks(
        session,
        week,
        [p for p in people if p.id not in closed],
        active.rule,
        settings,
        with_streak=False,
    )
    rows = [
        Row(
            w.person,
            w.result.finds,
            w.result.quota,
            w.result.bonus,
            w.penalty,
            w.points,
            w.result.warning,
        )
        for w in live
    ]
    for person in people:
        c = closed.get(person.id)
        if c is not None:
            rows.append(Row(person, c.finds, c.quota, c.bonus, c.penalty, c.points, c.warning))
    return sorted(rows, key=lambda r: r.person.id)


def member_weeks(session: Session, week: IsoWeek | str, settings: Settings) -> list[dict[str, Any]]:
    """Every judged member's week (the reports' per-member sheet): member, grid, finds, quota,
    bonus, penalty, points, warning — as closed, or live for a week not closed yet. ``quota``
    is None when no quota is in force. ValueError for a week like "2026-W54"."""
    week = IsoWeek.parse(week) if isinstance(week, str) else week
    return [
        {
            "member": {"id": r.person.id, "display_name": r.person.display_name},
            "grid": {"id": r.person.grid_id, "name": r.person.grid_name},
            "finds": r.finds,
            "quota": r.quota,
            "bonus": r.bonus,
            "penalty": r.penalty,
            "points": r.points,
            "warning": r.warning,
        }
        for r in _rows(session, week, repo.judged_people(session), settings)
    ]


def leaderboard(
    session: Session,
    viewer: User,
    week_text: str | None,
    scope: Scope,
    grid_id: int | None,
    settings: Settings,
    now: datetime,
) -> LeaderboardOut:
    week = parse_week(week_text, settings, now)
    street = permissions.sees_street(viewer)
    own_grids = [g for g, _, _ in repo.grids_of(session, row_id(viewer))]
    if grid_id is None and not street:
        if not own_grids:
            raise InvalidInput("请指定网格（grid_id）", code="grid_required", field="grid_id")
        grid_id = own_grids[0]
    area: GridRef | None = None
    grid_ids: list[int] | None = None
    if grid_id is not None:
        chosen = repo.grid(session, grid_id)
        if chosen is None:  # a query parameter: bad input, not a missing resource
            raise InvalidInput("找不到该网格", code="unknown_grid", field="grid_id")
        if scope == "grid":
            if chosen.level != GridLevel.grid:
                raise InvalidInput("按网格排行须指定三级网格", code="not_a_grid", field="grid_id")
            area, grid_ids = GridRef(id=grid_id, name=chosen.name), [grid_id]
        else:
            community = chosen
            if chosen.level == GridLevel.grid and chosen.parent_id is not None:
                community = repo.grid(session, chosen.parent_id) or chosen
            if community.level != GridLevel.community:
                raise InvalidInput(
                    "按社区排行须指定社区或其下的网格", code="not_a_community", field="grid_id"
                )
            area = GridRef(id=row_id(community), name=community.name)
            grid_ids = repo.child_grid_ids(session, row_id(community))
        if not street and not set(own_grids) & set(grid_ids):
            raise Forbidden("只能查看本网格或本社区的排行", code="leaderboard_forbidden")
    rows = _rows(session, week, repo.judged_people(session, grid_ids), settings)
    rows.sort(key=lambda r: (-r.points, -r.finds, r.person.id))
    items: list[LeaderboardItem] = []
    for index, row in enumerate(rows):
        tied = items and (rows[index - 1].points, rows[index - 1].finds) == (row.points, row.finds)
        items.append(
            LeaderboardItem(
                rank=items[-1].rank if tied else index + 1,
                member=MemberRef(id=row.person.id, display_name=row.person.display_name),
                grid=GridRef(id=row.person.grid_id, name=row.person.grid_name),
                finds=row.finds,
                points=row.points,
            )
        )
    return LeaderboardOut(week=str(week), scope=scope, grid=area, items=items)
