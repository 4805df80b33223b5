"""Queries for member quotas: who is judged, their valid finds, the timeline facts behind the
penalties, the ledger and the closed weeks. Counts are SQL aggregates over indexed columns
(report by reporter and received time, the timeline by kind and time); nothing here walks
every order.

A valid find (seed 001 五(三) "主动发现问题"): a patrol or inspector order that was created
from the member's own report — the order's first report, so a report attached to an order
that existed before it does not count — and that was neither rejected (不予受理) nor merged
into another order (duplicate). Its instant is the report's ``received_at``: the server's clock
when the report arrived, which the member cannot set (``captured_at`` comes from the phone
and may be missing or edited), and "上报" (reporting) is what seed 001 rewards on weekends. A
report queued offline on Sunday and sent on Monday counts on Monday.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.auth.models import Role, User
from backend.org.models import Grid, GridDuty, GridMember
from backend.quotas.ledger import BookedLine
from backend.quotas.models import PointsLedger, QuotaWeekClose
from backend.reports.models import Report
from backend.workorders.models import WorkOrder, WorkOrderEvent
from backend.workorders.states import Source, Status

# People judged by the quota: patrol members of a grid (网格员, and 专职巡查员 who are
# placed in a grid; seed 001 五(三) names both), not its chief.
JUDGED_ROLES = (Role.member.value, Role.inspector.value)
_OWN_SOURCES = (Source.patrol.value, Source.inspector.value)
_NOT_A_FIND = (Status.rejected.value, Status.merged.value)
# Citizens' complaints (被动接受的投诉): the hotline and the platforms citizens use themselves.
CITIZEN_SOURCES = (Source.hotline.value, Source.snapshot.value, Source.open311.value)


class Person(NamedTuple):
    id: int
    display_name: str
    created_at: datetime
    grid_id: int
    grid_name: str


class FindRow(NamedTuple):
    member_id: int
    report_id: int
    work_order_id: int
    number: str
    at: datetime


class FactRow(NamedTuple):
    member_id: int
    work_order_id: int
    number: str
    kind: str


class ComplaintNeighbour(NamedTuple):
    member_id: int
    complaint_id: int
    lat: float | None
    lng: float | None
    address: str | None
    created_at: datetime
    earlier_is_citizen: bool | None  # the earlier order's columns: None without one
    earlier_lat: float | None
    earlier_lng: float | None
    earlier_address: str | None
    earlier_created_at: datetime | None


# -- people and grids ----------------------------------------------------------------------


def user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def grids_of(session: Session, user_id: int) -> list[tuple[int, str, str]]:
    """(grid id, name, duty) of every grid the user is in, by grid id."""
    rows = session.exec(
        select(Grid.id, Grid.name, GridMember.duty)
        .join(GridMember, col(GridMember.grid_id) == Grid.id)
        .where(GridMember.user_id == user_id)
        .order_by(col(Grid.id))
    ).all()
    return [(int(i), name, duty) for i, name, duty in rows if i is not None]


def chief_ids_of(session: Session, grid_ids: Collection[int]) -> list[int]:
    """The active chiefs of these grids."""
    if not grid_ids:
        return []
    rows = session.exec(
        select(GridMember.user_id)
        .join(User, col(User.id) == GridMember.user_id)
        .where(
            col(GridMember.grid_id).in_(list(grid_ids)),
            GridMember.duty == GridDuty.chief.value,
            col(User.is_active).is_(True),
        )
        .distinct()
    ).all()
    return sorted(int(i) for i in rows)


def member_grid_ids(session: Session, member_ids: Collection[int]) -> dict[int, list[int]]:
    """The grids each of these people patrols (duty member)."""
    if not member_ids:
        return {}
    rows = session.exec(
        select(GridMember.user_id, GridMember.grid_id).where(
            col(GridMember.user_id).in_(list(member_ids)),
            GridMember.duty == GridDuty.member.value,
        )
    ).all()
    found: dict[int, list[int]] = {}
    for user_id, grid_id in rows:
        found.setdefault(int(user_id), []).append(int(grid_id))
    return found


def chiefs_by_grid(session: Session) -> dict[int, list[int]]:
    """Every grid's active chiefs (a street has hundreds of grids, a few chiefs each)."""
    rows = session.exec(
        select(GridMember.grid_id, GridMember.user_id)
        .join(User, col(User.id) == GridMember.user_id)
        .where(GridMember.duty == GridDuty.chief.value, col(User.is_active).is_(True))
    ).all()
    found: dict[int, list[int]] = {}
    for grid_id, user_id in rows:
        found.setdefault(int(grid_id), []).append(int(user_id))
    return found


def grid(session: Session, grid_id: int) -> Grid | None:
    return session.get(Grid, grid_id)


def child_grid_ids(session: Session, parent_id: int) -> list[int]:
    return sorted(
        int(i)
        for i in session.exec(select(Grid.id).where(Grid.parent_id == parent_id))
        if i is not None
    )


def judged_people(session: Session, grid_ids: Collection[int] | None = None) -> list[Person]:
    """The active patrol members of these grids (None: every grid), one row per member (in
    several grids: the first by id)."""
    # More columns than sqlmodel's select types: SQLAlchemy's, run with execute.
    query = (
        select_columns(
            col(User.id), col(User.display_name), col(User.created_at), col(Grid.id), col(Grid.name)
        )
        .join(GridMember, col(GridMember.user_id) == User.id)
        .join(Grid, col(Grid.id) == GridMember.grid_id)
        .where(
            col(GridMember.duty) == GridDuty.member.value,
            col(User.role).in_(JUDGED_ROLES),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.id), col(Grid.id))
    )
    if grid_ids is not None:
        query = query.where(col(GridMember.grid_id).in_(list(grid_ids)))
    people: dict[int, Person] = {}
    for user_id, name, created_at, grid_id, grid_name in session.execute(query).all():
        if user_id is not None and grid_id is not None and user_id not in people:
            people[user_id] = Person(int(user_id), name, created_at, int(grid_id), grid_name)
    return list(people.values())


# -- valid finds ---------------------------------------------------------------------------


def _valid_find(report: type[Report], order: type[WorkOrder]) -> list[Any]:
    earlier = aliased(Report)
    return [
        col(order.source).in_(_OWN_SOURCES),
        col(order.status).not_in(_NOT_A_FIND),
        col(order.duplicate_of_id).is_(None),
        ~exists().where(
            col(earlier.work_order_id) == report.work_order_id, col(earlier.id) < report.id
        ),
    ]


def find_counts(
    session: Session,
    member_ids: Collection[int],
    start: datetime,
    end: datetime,
    days_off: Sequence[tuple[datetime, datetime]],
) -> dict[int, tuple[int, int]]:
    """{member: (valid finds, of which on a day off)} for [start, end), one GROUP BY."""
    if not member_ids:
        return {}
    on_day_off = (
        or_(*(and_(col(Report.received_at) >= a, col(Report.received_at) < b) for a, b in days_off))
        if days_off
        else None
    )
    day_off_count = (
        func.sum(case((on_day_off, 1), else_=0)) if on_day_off is not None else func.sum(0)
    )
    rows = session.exec(
        select(Report.reporter_id, func.count(), day_off_count)
        .join(WorkOrder, col(WorkOrder.id) == Report.work_order_id)
        .where(
            col(Report.reporter_id).in_(list(member_ids)),
            col(Report.received_at) >= start,
            col(Report.received_at) < end,
            *_valid_find(Report, WorkOrder),
        )
        .group_by(col(Report.reporter_id))
    ).all()
    return {int(m): (int(n), int(off or 0)) for m, n, off in rows}


def finds(
    session: Session, member_ids: Collection[int], start: datetime, end: datetime
) -> list[FindRow]:
    """The valid finds themselves, oldest first (a member's list; the close's ledger lines)."""
    if not member_ids:
        return []
    rows = session.execute(
        select_columns(
            col(Report.reporter_id),
            col(Report.id),
            col(WorkOrder.id),
            col(WorkOrder.number),
            col(Report.received_at),
        )
        .join(WorkOrder, col(WorkOrder.id) == Report.work_order_id)
        .where(
            col(Report.reporter_id).in_(list(member_ids)),
            col(Report.received_at) >= start,
            col(Report.received_at) < end,
            *_valid_find(Report, WorkOrder),
        )
        .order_by(col(Report.received_at), col(Report.id))
    ).all()
    return [FindRow(*row) for row in rows]


def find_instants(
    session: Session, member_ids: Collection[int], start: datetime, end: datetime
) -> list[tuple[int, datetime]]:
    """(member, received time) of the valid finds: a few weeks of history for the streak."""
    if not member_ids:
        return []
    rows = session.exec(
        select(Report.reporter_id, Report.received_at)
        .join(WorkOrder, col(WorkOrder.id) == Report.work_order_id)
        .where(
            col(Report.reporter_id).in_(list(member_ids)),
            col(Report.received_at) >= start,
            col(Report.received_at) < end,
            *_valid_find(Report, WorkOrder),
        )
    ).all()
    return [(int(m), at) for m, at in rows]


# -- timeline facts ------------------------------------------------------------------------

# The timeline events behind each penalty of seed 001 五(二) (see service.penalty_facts).
FACT_EVENTS = ("verification_failed", "return_refused", "warning_order", "clock_breached")


def timeline_facts(
    session: Session, member_ids: Collection[int], start: datetime, end: datetime
) -> list[FactRow]:
    """Facts first recorded in [start, end) on the orders made from the members' own reports
    (open, closed or rejected later: the order's first report is theirs), one row per order
    and kind: a fact already recorded on the order in an earlier week is not counted again.
    ``clock_breached`` is the resolve clock's only (超时工单)."""
    if not member_ids:
        return []
    event, earlier_event = WorkOrderEvent, aliased(WorkOrderEvent)
    earlier_report = aliased(Report)

    def resolve_clock(row: Any) -> Any:
        return or_(row.kind != "clock_breached", row.payload["clock"].as_string() == "resolve")

    rows = session.exec(
        select(Report.reporter_id, WorkOrder.id, WorkOrder.number, event.kind)
        .select_from(event)
        .join(WorkOrder, col(WorkOrder.id) == event.work_order_id)
        .join(Report, col(Report.work_order_id) == WorkOrder.id)
        .where(
            col(event.kind).in_(FACT_EVENTS),
            col(event.at) >= start,
            col(event.at) < end,
            resolve_clock(event),
            col(Report.reporter_id).in_(list(member_ids)),
            col(WorkOrder.source).in_(_OWN_SOURCES),
            ~exists().where(
                col(earlier_report.work_order_id) == Report.work_order_id,
                col(earlier_report.id) < Report.id,
            ),
            ~exists().where(
                col(earlier_event.work_order_id) == event.work_order_id,
                col(earlier_event.kind) == event.kind,
                col(earlier_event.at) < start,
                resolve_clock(earlier_event),
            ),
        )
        .distinct()
        .order_by(col(WorkOrder.id), col(event.kind))
    ).all()
    return [FactRow(int(m), int(o or 0), n, k) for m, o, n, k in rows]


def complaints_with_earlier_orders(
    session: Session,
    member_ids: Collection[int],
    start: datetime,
    end: datetime,
    dlat: float,
    dlng: float,
    since: datetime,
) -> list[ComplaintNeighbour]:
    """Citizens' complaints created in [start, end) in a grid these members patrol, each with
    every order of its category (a complaint or a member's own report) inside (dlat, dlng) of
    its point or at its address, created before it and not before ``since``; one row per
    (member of the complaint's grid, complaint, earlier order), and one with the earlier
    order's columns NULL for a complaint without any, in one statement. Orders
    created in the same instant are ordered by id. The caller measures the exact distance
    and the window, as the 返潮 check does (backend.quotas.rules.passive_case)."""
    if not member_ids:
        return []
    own, other = aliased(WorkOrder), aliased(WorkOrder)
    near = and_(
        col(other.lat) >= col(own.lat) - dlat,
        col(other.lat) <= col(own.lat) + dlat,
        col(other.lng) >= col(own.lng) - dlng,
        col(other.lng) <= col(own.lng) + dlng,
    )
    same_address = and_(col(own.address).is_not(None), col(other.address) == own.address)
    before = or_(
        col(other.created_at) < own.created_at,
        and_(col(other.created_at) == own.created_at, col(other.id) < own.id),
    )
    rows = session.execute(
        select_columns(
            col(GridMember.user_id),
            col(own.id),
            col(own.lat),
            col(own.lng),
            col(own.address),
            col(own.created_at),
            col(other.source).in_(CITIZEN_SOURCES),
            col(other.lat),
            col(other.lng),
            col(other.address),
            col(other.created_at),
        )
        .join(
            GridMember,
            and_(
                col(GridMember.grid_id) == own.grid_id,
                col(GridMember.duty) == GridDuty.member.value,
                col(GridMember.user_id).in_(list(member_ids)),
            ),
        )
        .outerjoin(
            other,
            and_(
                col(other.category_number) == own.category_number,
                or_(near, same_address),
                col(other.source).in_((*CITIZEN_SOURCES, *_OWN_SOURCES)),
                before,
                col(other.created_at) >= since,
            ),
        )
        .where(
            col(own.source).in_(CITIZEN_SOURCES),
            col(own.category_number).is_not(None),
            col(own.created_at) >= start,
            col(own.created_at) < end,
        )
    ).all()
    return [ComplaintNeighbour(*row) for row in rows]


def order_numbers(session: Session, order_ids: Collection[int]) -> dict[int, str]:
    if not order_ids:
        return {}
    rows = session.exec(
        select(WorkOrder.id, WorkOrder.number).where(col(WorkOrder.id).in_(list(order_ids)))
    ).all()
    return {int(i): number for i, number in rows if i is not None}


# -- ledger and closed weeks ---------------------------------------------------------------


def closed_weeks(
    session: Session, member_ids: Collection[int], week: str
) -> dict[int, QuotaWeekClose]:
    if not member_ids:
        return {}
    rows = session.exec(
        select(QuotaWeekClose).where(
            col(QuotaWeekClose.member_id).in_(list(member_ids)), QuotaWeekClose.week == week
        )
    )
    return {row.member_id: row for row in rows}


def booked_lines(
    session: Session, member_ids: Collection[int], week: str
) -> dict[int, list[BookedLine]]:
    """Every line booked for these members' ``week``, by member, in the order written."""
    if not member_ids:
        return {}
    rows = session.exec(
        select(
            PointsLedger.member_id, PointsLedger.line_key, PointsLedger.reason, PointsLedger.points
        )
        .where(col(PointsLedger.member_id).in_(list(member_ids)), PointsLedger.week == week)
        .order_by(col(PointsLedger.id))
    ).all()
    found: dict[int, list[BookedLine]] = {}
    for member_id, key, reason, points in rows:
        found.setdefault(int(member_id), []).append(BookedLine(key, reason, int(points)))
    return found


def unclosed_count(session: Session, member_ids: Collection[int], week: str) -> int:
    return len(set(member_ids) - set(closed_weeks(session, member_ids, week)))


def ledger_of(session: Session, member_id: int, week: str) -> list[tuple[PointsLedger, str | None]]:
    """A member's lines of a week with the number of the order behind each."""
    rows = session.exec(
        select(PointsLedger, WorkOrder.number)
        .outerjoin(WorkOrder, col(WorkOrder.id) == PointsLedger.work_order_id)
        .where(PointsLedger.member_id == member_id, PointsLedger.week == week)
        .order_by(col(PointsLedger.id))
    ).all()
    return [(line, number) for line, number in rows]


def year_points(session: Session, member_id: int, iso_year: int) -> int:
    total = session.exec(
        select(func.coalesce(func.sum(PointsLedger.points), 0)).where(
            PointsLedger.member_id == member_id,
            col(PointsLedger.week).like(f"{iso_year}-W%"),
        )
    ).one()
    return int(total)
