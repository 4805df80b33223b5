"""The working calendar: known dates, provisional years, overrides, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.sla.calendar import SHANGHAI, WorkCalendar, covered_years
from backend.sla.calendar_data import OVERRIDES_FILE, default_calendar, load_overrides_file

# Pretend the package stops at 2026 even once a release covers 2027, so the provisional path
# stays tested with the dates the issue names.
UP_TO_2026 = range(2004, 2027)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(package_years=UP_TO_2026)


# -- known dates (issue 4 Acceptance) ------------------------------------------------------


def test_package_covers_2026_and_range_is_found_programmatically() -> None:
    years = covered_years()
    assert 2026 in years and 2004 in years
    assert WorkCalendar().is_provisional_year(years.stop) is True


def test_one_working_day_after_national_day_eve(cal: WorkCalendar) -> None:
    result = cal.add_working_days(at("2026-09-30T16:00"), 1)
    assert result.due_at == at("2026-10-08T16:00")
    assert result.due_at.utcoffset() == timedelta(hours=8)
    assert not result.provisional and result.provisional_years == frozenset()


@pytest.mark.parametrize("day", [date(2026, 10, 10), date(2026, 2, 14)])
def test_make_up_saturdays_are_working_days(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() == 5
    assert cal.is_workday(day)


@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 7), date(2026, 2, 17)])
def test_statutory_holidays_are_off(cal: WorkCalendar, day: date) -> None:
    assert not cal.is_workday(day)


def test_make_up_saturday_counts(cal: WorkCalendar) -> None:
    # Fri 10-09 + 1 → Sat 10-10 (调休 working day)
    assert cal.add_working_days(at("2026-10-09T09:30"), 1).due_at == at("2026-10-10T09:30")


def test_crossing_into_a_year_without_data_is_provisional(cal: WorkCalendar) -> None:
    result = cal.add_working_days(at("2026-12-31T15:00"), 1)
    assert result.due_at == at("2027-01-04T15:00")
    assert result.provisional
    assert result.provisional_years == frozenset({2027})
    assert cal.is_provisional_year(2027) and not cal.is_provisional_year(2026)


def test_loading_official_days_makes_it_final() -> None:
    official = WorkCalendar({}, {2027}, package_years=UP_TO_2026)
    result = official.add_working_days(at("2026-12-31T15:00"), 1)
    assert result.due_at == at("2027-01-04T15:00")
    assert not result.provisional and result.provisional_years == frozenset()


def test_official_days_that_move_the_holiday_move_the_deadline() -> None:
    official = WorkCalendar({date(2027, 1, 4): False}, {2027}, package_years=UP_TO_2026)
    result = official.add_working_days(at("2026-12-31T15:00"), 1)
    assert result.due_at == at("2027-01-05T15:00")
    assert not result.provisional


def test_a_single_override_does_not_make_a_year_final() -> None:
    partial = WorkCalendar({date(2027, 1, 1): False}, (), package_years=UP_TO_2026)
    result = partial.add_working_days(at("2026-12-31T15:00"), 1)
    assert result.provisional_years == frozenset({2027})  # 01-02..01-04 are still guesses


def test_provisional_rule_is_weekends_plus_fixed_date_holidays(cal: WorkCalendar) -> None:
    # 2027 is guessed: Fri 01-01 元旦 off; no make-up days or bridges are invented.
    assert not cal.is_workday(date(2027, 1, 1))
    assert [cal.is_workday(date(2027, 10, d)) for d in (1, 4)] == [False, True]
    # 2028: Mon–Tue 05-01/02 劳动节 off, Wed 05-03 works; Mon–Tue 10-02/03 国庆 off.
    assert [cal.is_workday(date(2028, 5, d)) for d in (1, 2, 3)] == [False, False, True]
    assert [cal.is_workday(date(2028, 10, d)) for d in (2, 3, 4)] == [False, False, True]
    assert cal.is_workday(date(2028, 1, 3)) and not cal.is_workday(date(2028, 1, 8))


def test_overrides_win_over_the_package() -> None:
    moved = WorkCalendar({date(2026, 10, 8): False}, (), package_years=UP_TO_2026)
    assert moved.add_working_days(at("2026-09-30T16:00"), 1).due_at == at("2026-10-09T16:00")
    extra = WorkCalendar({date(2026, 10, 11): True}, (), package_years=UP_TO_2026)
    assert extra.is_workday(date(2026, 10, 11))


# -- receipt on a day off, subtraction, counting --------------------------------------------


def test_receipt_on_a_day_off_counts_from_the_next_working_day(cal: WorkCalendar) -> None:
    saturday = at("2026-11-21T10:00")
    assert cal.add_working_days(saturday, 0).due_at == at("2026-11-23T00:00")
    assert cal.add_working_days(saturday, 1).due_at == at("2026-11-24T00:00")  # end of Monday
    assert cal.add_working_days(saturday, 5).due_at == at("2026-11-28T00:00")  # end of Friday
    # In the National Day week: the count starts on Thu 10-08.
    assert cal.add_working_days(at("2026-10-03T12:00"), 1).due_at == at("2026-10-09T00:00")


def test_subtract_working_days(cal: WorkCalendar) -> None:
    assert cal.subtract_working_days(at("2026-10-08T16:00"), 1).due_at == at("2026-09-30T16:00")
    assert cal.subtract_working_days(at("2026-11-25T10:00"), 2).due_at == at("2026-11-23T10:00")
    # Due at 00:00 of a Saturday = end of Friday; 2 working days before = end of Wednesday.
    assert cal.subtract_working_days(at("2026-11-28T00:00"), 2).due_at == at("2026-11-26T00:00")
    back = cal.subtract_working_days(at("2027-01-04T15:00"), 1)
    assert back.due_at == at("2026-12-31T15:00") and back.provisional_years == {2027}


def test_working_days_between(cal: WorkCalendar) -> None:
    start = at("2026-09-30T16:00")
    assert cal.working_days_between(start, at("2026-10-08T15:59")) == 0
    assert cal.working_days_between(start, at("2026-10-08T16:00")) == 1
    assert cal.working_days_between(start, at("2026-10-12T15:59")) == 3  # 08, 09, Sat 10
    assert cal.working_days_between(start, at("2026-10-12T16:00")) == 4
    assert cal.working_days_between(at("2026-10-08T16:00"), start) == -1
    assert cal.working_days_between(start, start) == 0


def test_natural_arithmetic_never_provisional(cal: WorkCalendar) -> None:
    start = at("2026-12-31T15:00")
    assert cal.add_minutes(start, 30).due_at == at("2026-12-31T15:30")
    assert cal.add_hours(start, 24).due_at == at("2027-01-01T15:00")
    result = cal.add_natural_days(start, 5)
    assert result.due_at == at("2027-01-05T15:00") and not result.provisional


def test_results_are_in_the_requested_zone(cal: WorkCalendar) -> None:
    utc_start = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    result = cal.add_working_days(utc_start, 1)
    assert result.due_at == at("2026-10-08T16:00")
    assert result.due_at.tzinfo == SHANGHAI


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_days(datetime(2026, 9, 30, 16), 1)


def test_wall_clock_survives_a_dst_change() -> None:
    # Written generally: in a DST zone the same wall-clock time is kept across the change.
    new_york = ZoneInfo("America/New_York")
    cal = WorkCalendar(package_years=UP_TO_2026)
    start = datetime(2026, 3, 6, 10, 0, tzinfo=new_york)  # Friday; DST starts Sun 03-08
    result = cal.add_working_days(start, 1, new_york)
    assert result.due_at == datetime(2026, 3, 9, 10, 0, tzinfo=new_york)
    # Same-zone datetime subtraction is wall-clock in Python; measure elapsed time in UTC.
    assert result.due_at.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=71)
    assert cal.add_hours(start, 72, new_york).due_at.hour == 11


# -- the override file ------------------------------------------------------------------------


def test_shipped_override_file_loads() -> None:
    days, years = load_overrides_file(OVERRIDES_FILE)
    assert all(isinstance(d, date) for d in days) and all(isinstance(y, int) for y in years)
    assert default_calendar().is_workday(date(2026, 10, 10))


def test_override_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "official_years: [2027]\n"
        "days:\n"
        "  - {date: 2027-01-04, workday: false, note: test}\n"
        "  - {date: '2027-02-20', workday: true}\n",
        encoding="utf-8",
    )
    days, years = load_overrides_file(path)
    assert days == {date(2027, 1, 4): False, date(2027, 2, 20): True}
    assert years == {2027}
    cal = WorkCalendar(days, years, package_years=UP_TO_2026)
    assert cal.add_working_days(at("2026-12-31T15:00"), 1).due_at == at("2027-01-05T15:00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days: [{date: 2027-01-04}]\n", r"days\[0\]\.workday"),
        ("days: [{date: nope, workday: true}]\n", r"days\[0\]\.date"),
        ("days: [{date: 2027-01-04, workday: yes please}]\n", r"days\[0\]\.workday"),
        (
            "days: [{date: 2027-01-04, workday: false}, {date: 2027-01-04, workday: true}]\n",
            "listed twice",
        ),
        ("official_years: 2027\n", "official_years"),
        ("holidays: []\n", "unknown key"),
    ],
)
def test_bad_override_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_overrides_file(path)


# -- properties -------------------------------------------------------------------------------

PROPERTY_CAL = WorkCalendar(package_years=UP_TO_2026)
starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SHANGHAI)
).map(lambda d: d.replace(microsecond=0))
counts = st.integers(min_value=0, max_value=25)


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_working_day_start_lands_on_a_working_day_at_the_same_time(start: datetime, n: int) -> None:
    result = PROPERTY_CAL.add_working_days(start, n).due_at
    if PROPERTY_CAL.is_workday(start.date()):
        assert PROPERTY_CAL.is_workday(result.date())
        assert result.timetz() == start.timetz()
    elif n > 0:
        # Day-off receipt: the end (24:00) of a working day.
        assert result.time() == datetime.min.time()
        assert PROPERTY_CAL.is_workday(result.date() - timedelta(days=1))


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_monotonic_in_n(start: datetime, n: int) -> None:
    assert PROPERTY_CAL.add_working_days(start, n).due_at < (
        PROPERTY_CAL.add_working_days(start, n + 1).due_at
    )


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_between_is_consistent_with_add(start: datetime, n: int) -> None:
    due = PROPERTY_CAL.add_working_days(start, n).due_at
    assert PROPERTY_CAL.working_days_between(start, due) == n
    if n > 0:
        assert PROPERTY_CAL.working_days_between(start, due - timedelta(seconds=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_subtract_undoes_add_from_a_working_day(start: datetime, n: int) -> None:
    if not PROPERTY_CAL.is_workday(start.date()):
        return
    due = PROPERTY_CAL.add_working_days(start, n).due_at
    assert PROPERTY_CAL.subtract_working_days(due, n).due_at == start


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_provisional_exactly_when_a_guessed_year_is_touched(start: datetime, n: int) -> None:
    result = PROPERTY_CAL.add_working_days(start, n)
    touched = set(range(start.year, result.due_at.year + 1))
    assert result.provisional == bool(result.provisional_years)
    assert result.provisional_years <= {y for y in touched if y >= 2027}
    if result.due_at.year >= 2027 and result.due_at.time() != datetime.min.time():
        assert result.due_at.year in result.provisional_years
