"""The weekly close (seed 001 五): for every judged member, once a week is over, the points
ledger's lines, the close record, and the warning / replacement recommendation in the inbox;
each close also re-checks the weeks before it and books corrections. Run by the worker and
by ``gridline quota-close``; idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.config import Settings
from backend.notify import service as notify
from backend.org.models import GridDuty
from backend.quotas import repository as repo
from backend.quotas.ledger import LedgerLine, corrections, ledger_lines, week_bounds
from backend.quotas.models import PointsLedger, QuotaWeekClose
from backend.quotas.rules import IsoWeek, StreakVerdict
from backend.quotas.service import active_rule, compute_weeks, week_fields
from backend.sla.calendar import WorkCalendar
from backend.sla.service import calendar_for


@dataclass(frozen=True)
class CloseResult:
    week: str
    closed: int  # members whose week was closed now
    lines: int  # ledger lines written
    notified: int  # inbox entries added


def week_to_close(now: datetime, settings: Settings) -> IsoWeek:
    """The last week whose Sunday is over on the Shanghai wall clock."""
    this = IsoWeek.of(now, settings.tz)
    return IsoWeek.of_date(this.monday - timedelta(days=7))


def _due(session: Session, week: IsoWeek, settings: Settings) -> list[repo.Person]:
    """The judged members who had joined before the week ended and whose week is open."""
    _, end = week_bounds(week, settings.tz)
    people = [p for p in repo.judged_people(session) if p.created_at < end]
    closed = repo.closed_weeks(session, [p.id for p in people], str(week))
    return [p for p in people if p.id not in closed]


def close_is_due(session: Session, now: datetime, settings: Settings) -> bool:
    """A cheap read for the worker's every tick: is last week open for anyone?"""
    if active_rule(settings).rule is None:
        return False
    return bool(_due(session, week_to_close(now, settings), settings))


def close_week(session: Session, week: IsoWeek, settings: Settings, now: datetime) -> CloseResult:
    """Closes ``week`` for every judged member not closed yet: the ledger lines, the close
    record, and the warning / replacement recommendation in the inbox. Running it again
    closes nobody twice (the close record's key), writes no line twice (the ledger's key)
    and sends nothing twice (the notifications' dedupe keys)."""
    active = active_rule(settings)
    if active.rule is None or active.profile is None:
        return CloseResult(str(week), 0, 0, 0)
    rule, tz = active.rule, settings.tz
    calendar = calendar_for(session)
    people = _due(session, week, settings)
    states = compute_weeks(session, week, people, rule, settings, calendar=calendar)
    grids = repo.member_grid_ids(session, [p.id for p in people])
    chiefs = repo.chiefs_by_grid(session)
    closed = lines_written = notified = 0
    for state in states:
        member = state.person
        result, streak = state.result, state.streak
        assert streak is not None
        lines = ledger_lines(result, state.finds, state.penalties, rule, calendar, tz)
        member_chiefs = sorted(
            {c for g in grids.get(member.id, [member.grid_id]) for c in chiefs.get(g, [])}
            - {member.id}
        )
        try:
            # A concurrent close of the same member (another worker, the CLI) loses here.
            with session.begin_nested():
                session.add(
                    QuotaWeekClose(
                        member_id=member.id,
                        week=str(week),
                        profile=active.profile,
                        closed_at=now,
                        **week_fields(state),
                    )
                )
                session.flush()
                session.add_all(_rows(member.id, week, lines, now))
                session.flush()
                notified += _tell(session, member, week, streak, member_chiefs, now)
        except IntegrityError:
            continue
        closed += 1
        lines_written += len(lines)
    lines_written += recheck_closed_weeks(session, week, settings, now, calendar=calendar)
    return CloseResult(str(week), closed, lines_written, notified)


def _rows(
    member_id: int, week: IsoWeek, lines: Sequence[LedgerLine], now: datetime
) -> list[PointsLedger]:
    return [
        PointsLedger(
            member_id=member_id,
            week=str(week),
            reason=line.reason,
            points=line.points,
            work_order_id=line.work_order_id,
            line_key=line.line_key,
            note=line.note,
            created_at=now,
        )
        for line in lines
    ]


def recheck_closed_weeks(
    session: Session,
    week: IsoWeek,
    settings: Settings,
    now: datetime,
    *,
    calendar: WorkCalendar | None = None,
) -> int:
    """Appends correction lines (ledger.corrections) for the ``quota_recheck_weeks`` closed
    weeks before
    ``week`` and brings their close records' finds and points up to date; the
    warnings and recommendations already sent stand. Returns the lines written; a second run
    writes none. A fixed number of statements per week re-checked."""
    active = active_rule(settings)
    if active.rule is None:
        return 0
    rule, tz = active.rule, settings.tz
    calendar = calendar or calendar_for(session)
    judged = repo.judged_people(session)
    written = 0
    earlier = week
    for _ in range(settings.quota_recheck_weeks):
        earlier = IsoWeek.of_date(earlier.monday - timedelta(days=7))
        closes = repo.closed_weeks(session, [p.id for p in judged], str(earlier))
        people = [p for p in judged if p.id in closes]
        states = compute_weeks(
            session, earlier, people, rule, settings, calendar=calendar, with_streak=False
        )
        booked = repo.booked_lines(session, [p.id for p in people], str(earlier))
        for state in states:
            wanted = ledger_lines(state.result, state.finds, state.penalties, rule, calendar, tz)
            fixes = corrections(booked.get(state.person.id, []), wanted)
            if not fixes:
                continue
            session.add_all(_rows(state.person.id, earlier, fixes, now))
            record = closes[state.person.id]
            fields = week_fields(state)
            for name in ("finds", "missing", "bonus", "penalty", "points"):
                setattr(record, name, fields[name])
            written += len(fixes)
    session.flush()
    return written


def _tell(
    session: Session,
    member: repo.Person,
    week: IsoWeek,
    streak: StreakVerdict,
    chiefs: list[int],
    now: datetime,
) -> int:
    span = f"{week}（{week.monday:%m月%d日}—{week.sunday:%m月%d日}）"
    data = {"member_id": member.id, "week": str(week)}
    sent = 0
    if streak.warning:
        key = f"quota:{week}:{member.id}:warning"
        if "member" in streak.warn:
            sent += notify.notify(
                session,
                [member.id],
                kind="quota_warning",
                title=f"预警：{week} 未主动发现问题",
                body=f"您在 {span} 没有主动发现并上报问题，请加强网格巡查（合阳县 五(三)）。",
                dedupe_key=key,
                now=now,
                data=data,
            )
        if GridDuty.chief.value in streak.warn:
            sent += notify.notify(
                session,
                chiefs,
                kind="quota_warning",
                title=f"预警：{member.display_name} {week} 未主动发现问题",
                body=f"{member.grid_name} 网格员 {member.display_name} 在 {span} "
                f"没有主动发现并上报问题（已连续 {streak.empty_weeks_in_a_row} 周）。",
                dedupe_key=key,
                now=now,
                data=data,
            )
    if streak.recommend_replacement:
        sent += notify.notify(
            session,
            chiefs,
            kind="quota_replacement",
            title=f"建议替换网格员：{member.display_name}",
            body=f"{member.grid_name} 网格员 {member.display_name} 已连续 "
            f"{streak.empty_weeks_in_a_row} 周未主动发现问题，按合阳县 五(三) 建议退出、替换，"
            "年度考核不能评优。",
            dedupe_key=f"quota:{week}:{member.id}:replacement",
            now=now,
            data=data,
        )
    return sent
