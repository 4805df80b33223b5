"""The points ledger's lines for a member's closed week, and the week's days off as instants
(pure: the week, the calendar and the facts come in as arguments).

A week's lines: +bonus for each valid find on a day off (one line per find, with its order),
−penalty for the finds missing below the quota (one line for the week), and one line per
timeline penalty of seed 001 五(二) (with its order). Each line has a key unique within the
member's week, so writing a week twice cannot add a line twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from backend.quotas.quota_data import MemberQuota
from backend.quotas.rules import CITATIONS, IsoWeek, Penalty, WeekQuota
from backend.sla.calendar import WorkCalendar

REASON_LABELS: dict[str, str] = {
    "bonus_day_off": "周末、节假日主动发现问题加分",
    "missing_find": "每周主动发现问题数不足扣分",
    "passive_discovery": "被动接受反复投诉3次以上未及时巡查上报",
    "untrue_result": "核查结果不真实、未整改工单",
    "buck_passing": "推诿扯皮、转圈派发工单",
    "second_or_overdue": "二次工单、超时工单",
}


@dataclass(frozen=True)
class Find:
    """A valid find: the member's own report and the order it became."""

    report_id: int
    work_order_id: int
    number: str
    at: datetime  # the report's received time (see backend.quotas.repository)


@dataclass(frozen=True)
class LedgerLine:
    reason: str
    points: int  # signed
    work_order_id: int | None
    line_key: str
    note: str


def week_bounds(week: IsoWeek, tz: tzinfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) on the wall clock of ``tz``, as UTC instants."""
    start = datetime.combine(week.monday, time(0), tz)
    end = datetime.combine(week.sunday + timedelta(days=1), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def day_off_spans(
    week: IsoWeek, calendar: WorkCalendar, tz: tzinfo
) -> list[tuple[datetime, datetime]]:
    """The week's days off by the working calendar as [start, end) UTC instants, adjacent days
    joined: a SQL count of finds on days off compares the received time with these."""
    spans: list[tuple[datetime, datetime]] = []
    for day in week.days():
        if calendar.is_workday(day):
            continue
        start = datetime.combine(day, time(0), tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def is_day_off(instant: datetime, calendar: WorkCalendar, tz: tzinfo) -> bool:
    return not calendar.is_workday(instant.astimezone(tz).date())


def history_weeks(week: IsoWeek, rule: MemberQuota, since: datetime, tz: tzinfo) -> list[IsoWeek]:
    """The consecutive weeks, oldest first and ending with ``week``, that the streak of weeks
    without a find is judged on: as many as the replacement needs, plus a few so exempt weeks
    (skipped by the streak) do not hide empty ones — never before the week of ``since`` (a
    member's first week: weeks before they joined are not "empty")."""
    first = IsoWeek.of(since, tz)
    wanted = rule.streak.replacement_after_empty_weeks + 2
    weeks = [week]
    while len(weeks) < wanted:
        earlier = IsoWeek.of_date(weeks[0].monday - timedelta(days=7))
        if earlier < first:
            break
        weeks.insert(0, earlier)
    return weeks


def ledger_lines(
    result: WeekQuota,
    finds: Iterable[Find],
    penalties: Sequence[Penalty],
    rule: MemberQuota,
    calendar: WorkCalendar,
    tz: tzinfo,
) -> list[LedgerLine]:
    """The lines of a closed week, in a stable order."""
    lines: list[LedgerLine] = []
    if rule.bonus_per_find_on_day_off:
        for find in sorted(finds, key=lambda f: (f.at, f.report_id)):
            if is_day_off(find.at, calendar, tz):
                day = find.at.astimezone(tz).date().isoformat()
                lines.append(
                    LedgerLine(
                        "bonus_day_off",
                        rule.bonus_per_find_on_day_off,
                        find.work_order_id,
                        f"bonus_day_off:{find.work_order_id}",
                        f"{day} 非工作日上报 {find.number}（合阳县 五(一)）",
                    )
                )
    if result.missing and rule.penalty_per_missing_find:
        lines.append(
            LedgerLine(
                "missing_find",
                -result.missing * rule.penalty_per_missing_find,
                None,
                "missing_find:-",
                f"本周应主动发现 {result.quota} 个问题，实际 {result.finds} 个，"
                f"少报 {result.missing} 个（合阳县 五(一)）",
            )
        )
    for penalty in penalties:
        order_id = int(penalty.order)
        lines.append(
            LedgerLine(
                penalty.reason,
                -penalty.points,
                order_id,
                f"{penalty.reason}:{order_id}",
                CITATIONS[penalty.reason],
            )
        )
    return lines


@dataclass(frozen=True)
class BookedLine:
    line_key: str
    reason: str
    points: int


def base_key(line_key: str) -> str:
    """The line a correction corrects: ``bonus_day_off:12~1`` → ``bonus_day_off:12``."""
    return line_key.split("~", 1)[0]


def corrections(booked: Sequence[BookedLine], wanted: Sequence[LedgerLine]) -> list[LedgerLine]:
    """The lines that bring a closed week's book to what its facts call for now (a find
    rejected or merged after the close, a penalty's fact that changed): for each line whose
    booked total differs, a new line of the difference, keyed ``<line>~<n>``. The ledger stays
    append-only; a book that already matches gets no line, so a second run writes nothing."""
    totals: dict[str, int] = {}
    reasons: dict[str, str] = {}
    counts: dict[str, int] = {}
    for row in booked:
        key = base_key(row.line_key)
        totals[key] = totals.get(key, 0) + row.points
        reasons.setdefault(key, row.reason)
        counts[key] = counts.get(key, 0) + 1
    want = {line.line_key: line for line in wanted}
    out: list[LedgerLine] = []
    for key in [*totals, *(k for k in want if k not in totals)]:
        line = want.get(key)
        difference = (line.points if line else 0) - totals.get(key, 0)
        if difference == 0:
            continue
        note = (
            f"更正：{line.note}"
            if line
            else "更正：结算后该项不再成立（如工单不予受理、被合并，或事实已变化），冲销原记分"
        )
        out.append(
            LedgerLine(
                line.reason if line else reasons[key],
                difference,
                line.work_order_id if line else _order_of(key),
                f"{key}~{counts[key]}" if counts.get(key) else key,
                note,
            )
        )
    return out


def _order_of(key: str) -> int | None:
    _, _, order = key.partition(":")
    return int(order) if order.isdigit() else None
