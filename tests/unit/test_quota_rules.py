"""Seed 001's member quotas and points as pure functions, on the real working calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.quotas.quota_data import (
    QUOTAS_FILE,
    MemberQuota,
    ProRata,
    load_quotas,
    member_quota,
    shipped_quotas,
)
from backend.quotas.rules import (
    EarlierOrder,
    IsoWeek,
    OrderFacts,
    Place,
    WeekQuota,
    empty_week_streak,
    is_passive_discovery,
    passive_case,
    pro_rated,
    timeline_penalties,
    weekly_quota,
)
from backend.sla.calendar import SHANGHAI, WorkCalendar
from backend.sla.calendar_data import default_calendar

HEYANG: MemberQuota = member_quota("heyang", shipped_quotas())
CALENDAR = default_calendar()


def at(text: str) -> datetime:
    """A wall-clock time in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def week(text: str, *finds: str, calendar: WorkCalendar = CALENDAR) -> WeekQuota:
    return weekly_quota(IsoWeek.parse(text), [at(f) for f in finds], calendar, HEYANG)


# -- ISO weeks -------------------------------------------------------------------------------


def test_iso_weeks() -> None:
    w47 = IsoWeek.parse("2026-W47")
    assert (w47.monday, w47.sunday) == (date(2026, 11, 16), date(2026, 11, 22))
    assert str(IsoWeek.parse("2026-W53").next()) == "2027-W01"  # 2026 has 53 ISO weeks
    assert IsoWeek.of(datetime(2026, 11, 15, 16, 30, tzinfo=UTC)) == w47  # Mon 00:30 in Shanghai
    assert IsoWeek.of(datetime(2026, 11, 15, 15, 30, tzinfo=UTC)) == IsoWeek(2026, 46)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-W54", "2026 年有 53 周"),
        ("2025-W53", "2025 年有 52 周"),
        ("2026-W00", "不是有效的 ISO 周"),
        ("2026-47", "YYYY-Www"),
        ("W47", "YYYY-Www"),
        ("2026-W4", "YYYY-Www"),
    ],
)
def test_bad_weeks_are_refused(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        IsoWeek.parse(text)


# -- pro-rating ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 2 finds per 5 working days, for d = 0..7: 2·d/5 = 0, .4, .8, 1.2, 1.6, 2, 2.4, 2.8
        ("half_up", [0, 0, 1, 1, 2, 2, 2, 2]),
        ("up", [0, 1, 1, 2, 2, 2, 2, 2]),
        ("down", [0, 0, 0, 1, 1, 2, 2, 2]),
    ],
)
def test_pro_rating_of_the_minimum(rounding: Any, expected: list[int]) -> None:
    rule = ProRata(working_days=5, rounding=rounding, cap_at_base=True)
    assert [pro_rated(2, d, rule) for d in range(8)] == expected


def test_without_the_cap_a_six_day_week_asks_more() -> None:
    rule = ProRata(working_days=5, rounding="half_up", cap_at_base=False)
    assert pro_rated(3, 6, rule) == 4  # 3.6 → 4
    assert pro_rated(3, 7, rule) == 4  # 4.2 → 4


def test_national_day_week_is_pro_rated() -> None:
    # 2026-W40 (Mon 09-28 .. Sun 10-04): working days 28, 29, 30 September only (国庆 from 10-01).
    # quota = round(2·3/5 = 1.2) = 1, target = round(3·3/5 = 1.8) = 2.
    result = week("2026-W40")
    assert result.working_days == 3
    assert (result.quota, result.target) == (1, 2)
    # No find: 1 missing → penalty 1, points −1, warning.
    assert (result.penalty, result.points, result.warning) == (1, -1, True)
    # One find on 10-02 (National Day): meets the quota and earns the holiday bonus.
    holiday = week("2026-W40", "2026-10-02T09:30")
    assert (holiday.finds, holiday.bonus, holiday.penalty, holiday.points) == (1, 1, 0, 1)
    assert holiday.bonus_days == (date(2026, 10, 2),)


def test_a_week_with_a_make_up_saturday_is_not_asked_for_more() -> None:
    # 2026-W38: Mon–Fri plus Sunday 09-20 (中秋 调休): 6 working days, still quota 2, target 3.
    result = week("2026-W38", "2026-09-20T10:00")
    assert result.working_days == 6
    assert (result.quota, result.target) == (2, 3)
    assert result.bonus == 0  # the make-up Sunday is a working day
    assert (result.penalty, result.points) == (1, -1)


def test_spring_festival_week_asks_nothing_but_still_warns_when_empty() -> None:
    # 2026-W08 (02-16 .. 02-22) is all 春节 holiday: quota 0, no penalty; the seed warns for
    # every week without a find, so the shipped rule still warns.
    result = week("2026-W08")
    assert result.working_days == 0
    assert (result.quota, result.penalty, result.warning, result.exempt) == (0, 0, True, False)
    # A find during the holiday still earns the bonus.
    assert week("2026-W08", "2026-02-17T11:00").points == 1


def test_a_street_may_exempt_weeks_that_ask_no_find() -> None:
    lenient = HEYANG.model_copy(update={"exempt_weeks_without_quota": True})
    result = weekly_quota(IsoWeek.parse("2026-W08"), [], CALENDAR, lenient)
    assert (result.quota, result.warning, result.exempt) == (0, False, True)


# -- the week's numbers ----------------------------------------------------------------------


def test_make_up_saturday_earns_no_bonus_and_sunday_does() -> None:
    # 2026-W41 (10-05 .. 10-11): working days 08, 09 and Saturday 10 (国庆 调休) → quota 1.
    saturday = week("2026-W41", "2026-10-10T10:00")
    assert CALENDAR.is_workday(date(2026, 10, 10))
    assert (saturday.finds, saturday.quota, saturday.bonus, saturday.points) == (1, 1, 0, 0)
    sunday = week("2026-W41", "2026-10-11T10:00")
    assert (sunday.finds, sunday.bonus, sunday.points) == (1, 1, 1)


def test_normal_week() -> None:
    # 2026-W47: five working days, quota 2, target 3.
    assert week("2026-W47").working_days == 5
    # Wed + Sat: 2 finds (quota met), Saturday bonus +1 → points 1.
    two = week("2026-W47", "2026-11-18T10:00", "2026-11-21T15:00")
    assert (two.finds, two.quota, two.bonus, two.penalty, two.points) == (2, 2, 1, 0, 1)
    # One find on Thursday: one missing → −1.
    one = week("2026-W47", "2026-11-19T10:00")
    assert (one.bonus, one.penalty, one.points, one.warning) == (0, 1, -1, False)
    # None: two missing → −2 and a warning.
    none = week("2026-W47")
    assert (none.penalty, none.points, none.warning) == (2, -2, True)


def test_finds_are_placed_by_shanghai_wall_clock_and_others_are_left_out() -> None:
    finds = [
        datetime(2026, 11, 15, 16, 30, tzinfo=UTC),  # Mon 11-16 00:30 in Shanghai: in W47
        datetime(2026, 11, 22, 15, 59, tzinfo=UTC),  # Sun 11-22 23:59: in W47, bonus
        datetime(2026, 11, 22, 16, 0, tzinfo=UTC),  # Mon 11-23 00:00: W48
        datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI),  # W46
    ]
    result = weekly_quota(IsoWeek.parse("2026-W47"), finds, CALENDAR, HEYANG)
    assert (result.finds, result.outside_week, result.bonus) == (2, 2, 1)
    assert result.bonus_days == (date(2026, 11, 22),)


def test_an_admin_override_decides_the_day() -> None:
    # A calendar where Saturday 2026-11-21 was made a working day: no bonus, 6 working days.
    calendar = WorkCalendar({date(2026, 11, 21): True})
    result = week("2026-W47", "2026-11-21T10:00", calendar=calendar)
    assert (result.working_days, result.bonus) == (6, 0)


def test_a_week_on_a_guessed_calendar_says_so() -> None:
    calendar = WorkCalendar(package_years=range(2004, 2027))  # 2027 unknown in any release
    result = week("2027-W10", calendar=calendar)
    assert result.provisional_years == frozenset({2027})
    assert result.as_dict("heyang")["provisional"] is True
    assert week("2026-W47").provisional_years == frozenset()


def test_naive_instants_are_refused_by_the_pure_rule() -> None:
    with pytest.raises(ValueError, match="naive"):
        weekly_quota(IsoWeek.parse("2026-W47"), [datetime(2026, 11, 18, 10)], CALENDAR, HEYANG)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=2025, max_value=2026),
    st.integers(min_value=1, max_value=52),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 24 * 60 - 1)), max_size=8),
)
def test_week_properties(year: int, number: int, finds: list[tuple[int, int]]) -> None:
    iso = IsoWeek(year, number)
    instants = [
        datetime.combine(iso.monday + timedelta(days=d), datetime.min.time(), SHANGHAI)
        + timedelta(minutes=m)
        for d, m in finds
    ]
    result = weekly_quota(iso, instants, CALENDAR, HEYANG)
    assert result.finds == len(instants) and result.outside_week == 0
    assert result.points == result.bonus - result.penalty
    assert 0 <= result.penalty <= HEYANG.minimum
    assert result.bonus == sum(1 for i in instants if not CALENDAR.is_workday(i.date()))
    assert result.quota <= HEYANG.minimum and result.quota <= result.target
    assert result.warning == (not instants)
    # One more find, on any day of the week, never lowers the points.
    for day in iso.days():
        one_more = datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=9)
        extra = weekly_quota(iso, [*instants, one_more], CALENDAR, HEYANG)
        assert extra.points >= result.points


# -- streaks ---------------------------------------------------------------------------------


def weeks_from(first: str, *finds_per_week: int, rule: MemberQuota = HEYANG) -> list[WeekQuota]:
    """Consecutive weeks from ``first``; each week gets that many finds on its Wednesday."""
    iso = IsoWeek.parse(first)
    history = []
    for count in finds_per_week:
        wednesday = datetime.combine(iso.monday + timedelta(days=2), datetime.min.time(), SHANGHAI)
        finds = [wednesday + timedelta(hours=10)] * count
        history.append(weekly_quota(iso, finds, CALENDAR, rule))
        iso = iso.next()
    return history


def test_one_empty_week_warns_member_and_grid_chief() -> None:
    verdict = empty_week_streak(weeks_from("2026-W45", 2, 0), HEYANG.streak)
    assert verdict.empty_weeks_in_a_row == 1
    assert verdict.warning and verdict.warn == ("member", "grid_chief")
    assert not verdict.recommend_replacement and verdict.recommend_to == ()


def test_two_empty_weeks_in_a_row_recommend_replacement_to_the_grid_chief() -> None:
    verdict = empty_week_streak(weeks_from("2026-W45", 3, 0, 0), HEYANG.streak)
    assert verdict.empty_weeks_in_a_row == 2
    assert verdict.recommend_replacement and verdict.recommend_to == ("grid_chief",)
    assert str(verdict.week) == "2026-W47"


def test_a_find_breaks_the_streak() -> None:
    verdict = empty_week_streak(weeks_from("2026-W44", 0, 1, 0), HEYANG.streak)
    assert verdict.empty_weeks_in_a_row == 1 and not verdict.recommend_replacement
    clean = empty_week_streak(weeks_from("2026-W44", 0, 0, 1), HEYANG.streak)
    assert (clean.empty_weeks_in_a_row, clean.warning, clean.warn) == (0, False, ())


def test_an_exempt_holiday_week_neither_counts_nor_breaks_the_streak() -> None:
    # W07 empty, W08 (春节, quota 0) empty, W09 empty: W07 and W09 are two empty weeks in a row.
    history = weeks_from(
        "2026-W07", 0, 0, 0, rule=HEYANG.model_copy(update={"exempt_weeks_without_quota": True})
    )
    assert history[1].exempt
    assert empty_week_streak(history, HEYANG.streak).recommend_replacement
    # Judging the holiday week itself: nothing to warn about.
    holiday = empty_week_streak(history[:2], HEYANG.streak)
    assert (holiday.empty_weeks_in_a_row, holiday.warning) == (0, False)


def test_a_gap_in_the_history_is_refused() -> None:
    history = weeks_from("2026-W44", 0, 0, 0)
    with pytest.raises(ValueError, match="consecutive"):
        empty_week_streak([history[0], history[2]], HEYANG.streak)
    with pytest.raises(ValueError, match="empty"):
        empty_week_streak([], HEYANG.streak)


# -- penalties from timeline facts -----------------------------------------------------------


def test_three_citizen_reports_before_the_member_cost_five() -> None:
    rule = HEYANG.timeline_penalties
    assert not is_passive_discovery(2, rule)
    assert is_passive_discovery(3, rule)  # "3次以上" includes 3
    penalties = timeline_penalties([OrderFacts("WG1", citizen_reports_before_member=3)], rule)
    assert [(p.reason, p.points) for p in penalties] == [("passive_discovery", 5)]
    assert "五(二)" in penalties[0].citation
    assert timeline_penalties([OrderFacts("WG2", citizen_reports_before_member=2)], rule) == ()


def test_each_fact_costs_its_points_and_a_second_overdue_order_pays_once() -> None:
    facts = [
        OrderFacts("WG1", untrue_result=True, buck_passing=True),
        OrderFacts("WG2", second_order=True, overdue=True),
        OrderFacts("WG3", overdue=True),
        OrderFacts("WG4"),
    ]
    penalties = timeline_penalties(facts, HEYANG.timeline_penalties)
    assert [(p.order, p.reason, p.points) for p in penalties] == [
        ("WG1", "untrue_result", 5),
        ("WG1", "buck_passing", 5),
        ("WG2", "second_or_overdue", 2),
        ("WG3", "second_or_overdue", 2),
    ]
    assert sum(p.points for p in penalties) == 14


# -- the quota file --------------------------------------------------------------------------


def test_only_heyang_sets_member_quotas() -> None:
    quotas = shipped_quotas()
    assert (HEYANG.minimum, HEYANG.target) == (2, 3)
    for name in ("jiangning", "xiayang", "zhenru", "dongcheng"):
        with pytest.raises(ValueError, match=f"配置 {name} 不考核网格员"):
            member_quota(name, quotas)
    with pytest.raises(ValueError, match="未知的配置"):
        member_quota("beijing", quotas)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["profiles"]["heyang"]["quota"].update(maximum=4), "profiles.heyang.quota"),
        (lambda d: d["profiles"]["heyang"]["quota"].update(minimum=-1), "profiles.heyang.quota"),
        (
            lambda d: d["profiles"]["heyang"]["quota"]["pro_rata"].update(rounding="banker"),
            "profiles.heyang.quota.pro_rata.rounding",
        ),
        (lambda d: d["profiles"].pop("zhenru"), "(top level)"),
        (lambda d: d["profiles"]["heyang"]["quota"].update(target=1), "profiles.heyang.quota"),
    ],
)
def test_a_bad_quota_file_names_the_file_and_the_key(tmp_path: Path, edit: Any, key: str) -> None:
    data = yaml.safe_load(QUOTAS_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "quotas.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_quotas(path)
    assert str(caught.value).startswith(f"{path}: {key}")


# -- 被动接受反复投诉: which complaint is the 起 --------------------------------------------------

CORRIDOR = Place(31.2446, 121.4030, "铜川路1号楼道")
WINDOW = timedelta(days=365)


def _complaint(minutes: int, place: Place = CORRIDOR, citizen: bool = True) -> EarlierOrder:
    return EarlierOrder(place, at("2026-10-08 09:00") + timedelta(minutes=minutes), citizen)


def _case(minutes: int, *earlier: EarlierOrder, place: Place = CORRIDOR) -> int | None:
    now = at("2026-10-08 09:00") + timedelta(minutes=minutes)
    return passive_case(place, now, earlier, HEYANG.timeline_penalties, 30.0, WINDOW)


def test_the_third_complaint_at_a_place_is_the_case_and_later_ones_are_not() -> None:
    first, second, third = _complaint(0), _complaint(1), _complaint(2)
    assert _case(1, first) is None  # the 2nd call
    assert _case(2, first, second) == 3  # "3次以上": the 3rd call makes it one 起
    assert _case(3, first, second, third) is None  # the 4th is the same 起


def test_a_members_earlier_report_makes_it_an_active_find() -> None:
    report = _complaint(-60, citizen=False)
    assert _case(2, report, _complaint(0), _complaint(1)) is None


def test_only_the_same_place_and_window_count() -> None:
    # 25 m away counts (the 返潮 radius is 30 m); 200 m away does not; the same address does
    # even without a point; a call older than the window does not.
    near = Place(31.24482, 121.4030, None)
    far = Place(31.2464, 121.4030, None)
    same_address = Place(None, None, "铜川路1号楼道")
    old = EarlierOrder(CORRIDOR, at("2025-10-01 09:00"), True)
    assert _case(2, _complaint(0, near), _complaint(1, same_address)) == 3
    assert _case(2, _complaint(0, far), _complaint(1)) is None
    assert _case(2, old, _complaint(1)) is None
    # A member's report elsewhere does not make the corridor an active find.
    assert _case(2, _complaint(-60, far, citizen=False), _complaint(0), _complaint(1)) == 3
