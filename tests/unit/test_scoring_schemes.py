"""The department scoring schemes as pure functions (hand-computed cases are in
tests/scoring/test_cli.py; here: edges, checks of the counts and the weights, properties)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.scheme_data import SCHEMES_FILE, load_schemes, shipped_schemes
from backend.scoring.schemes import (
    JIANGNING_COUNTS,
    ZHENRU_COUNTS,
    CountError,
    Score,
    grid_order_rates,
    score,
)

WEIGHTS = shipped_schemes()


def dongcheng_counts(**changes: int) -> dict[str, int]:
    base = dict(
        received=10, unjustified_returns=0, rated=10, interim_done=0, done=10, rework=0,
        forced_closed=0, repeat_reports=0, supervision_unreplied=0, visited=10,
        feedback_confirmed=10, satisfied=10,
    )  # fmt: skip
    return {**base, **changes}


def zeros(names: tuple[str, ...], **changes: int) -> dict[str, int]:
    return {**dict.fromkeys(names, 0), **changes}


# -- exact arithmetic and grades -----------------------------------------------------------


def test_a_total_of_exactly_90_is_grade_a_not_a_float_just_below() -> None:
    # 推诿率 1/9: 30·(1 − 1/9) = 80/3; done 3/3: 30; feedback 3/3: 20; satisfaction 2/3: 40/3
    # → 80/3 + 30 + 20 + 40/3 = 90 exactly. The same formula in binary floats gives
    # 89.99999999999999, which would be grade B.
    counts = dongcheng_counts(
        received=9, unjustified_returns=1, rated=3, done=3, visited=3, feedback_confirmed=3,
        satisfied=2,
    )  # fmt: skip
    naive = 30 * (1 - 1 / 9) + 30 * 1 + 20 * (3 / 3) + 20 * (2 / 3)
    assert naive < 90  # the trap the exact arithmetic avoids
    result = score("dongcheng", counts, WEIGHTS)
    assert result.total == Fraction(90)
    assert result.grade == "A"
    assert result.as_dict()["total"] == 90


@pytest.mark.parametrize(
    ("satisfied", "unreplied", "total", "grade"),
    [
        # 30 + 30 + 20 + 20·s/10 − 3·u
        (10, 0, 100, "A"),
        (5, 0, 90, "A"),  # 30 + 30 + 20 + 10 = 90: A includes 90
        (5, 1, 87, "B"),
        (10, 5, 85, "B"),
        (10, 9, 73, "C"),  # 100 − 27
        (5, 10, 60, "C"),  # 90 − 30 = 60: C includes 60
        (0, 10, 50, "D"),  # 80 − 30
        (0, 14, 50, "D"),  # the cap: 14 unreplied cost 30, not 42
        (0, 0, 80, "B"),
    ],
)
def test_dongcheng_grades_at_their_bounds(
    satisfied: int, unreplied: int, total: int, grade: str
) -> None:
    result = score(
        "dongcheng",
        dongcheng_counts(satisfied=satisfied, supervision_unreplied=unreplied),
        WEIGHTS,
    )
    assert result.total == total
    assert result.grade == grade


def test_grade_e_below_40_and_a_negative_total_is_not_clamped() -> None:
    # Nothing done in time, everything returned without reason, nobody satisfied or told:
    # 30·(1 − 1) + 0 + 0 + 0 − 30 = −30 (the formula has no floor; E covers it).
    result = score(
        "dongcheng",
        dongcheng_counts(
            unjustified_returns=10,
            done=0,
            supervision_unreplied=20,
            feedback_confirmed=0,
            satisfied=0,
        ),
        WEIGHTS,
    )
    assert result.total == -30
    assert result.grade == "E"


def test_times_counted_rates_above_one_stop_their_factor_at_zero() -> None:
    # 反复举报 counts times: 15 repeat reports over 10 rated items is 150 %; (1 − 1.5) would make
    # 办理情况 negative, so the factor stops at 0: 30 + 0 + 20 + 20 = 70.
    result = score("dongcheng", dongcheng_counts(repeat_reports=15), WEIGHTS)
    assert result.part("repeat_rate").value == Fraction(3, 2)
    assert result.part("handling_points").value == 0
    assert result.total == 70
    assert any("反复举报率" in note for note in result.notes)


def test_no_data_is_null_with_a_reason_never_zero() -> None:
    result = score("dongcheng", dongcheng_counts(rated=0, done=0), WEIGHTS)
    for name in ("interim_rate", "done_rate", "rework_rate", "forced_close_rate", "repeat_rate"):
        part = result.part(name)
        assert part.value is None and part.no_data and "rated" in part.no_data
    assert result.part("handling_points").value is None
    # 30 + 20 + 20 = 70 of the 70 points that have data, scaled to 100.
    assert result.total == 100
    assert result.total_rule.left_out == ("handling_points",)
    assert result.total_rule.scale == Fraction(100, 70)
    assert result.as_dict()["no_data"]["handling_points"].startswith("无数据")


def test_zhenru_variant_text_takes_five_points_per_missed_first_contact_and_late_order() -> None:
    counts = zeros(ZHENRU_COUNTS, accepted=1, accepted_all_departments=1, missed_first_contact=1,
                   late=2)  # fmt: skip
    sheet = score("zhenru", counts, WEIGHTS)
    text = score("zhenru", counts, WEIGHTS, variant="text")
    # Only acceptance has data (20 of 20 → scaled to 100); sheet: 100 − 10 − 20, text: 100 − 5 − 10.
    assert sheet.total == 70 and sheet.variant == "sheet"
    assert text.total == 85 and text.variant == "text"
    with pytest.raises(ValueError, match="可选"):
        score("zhenru", counts, WEIGHTS, variant="draft")
    with pytest.raises(ValueError, match="zhenru"):
        score("dongcheng", dongcheng_counts(), WEIGHTS, variant="text")


def test_zhenru_variant_is_one_setting_in_the_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(SCHEMES_FILE.read_text(encoding="utf-8"))
    data["zhenru"]["variant"] = "text"
    path = tmp_path / "schemes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    counts = zeros(ZHENRU_COUNTS, accepted=1, accepted_all_departments=1, late=1)
    assert score("zhenru", counts, load_schemes(path)).total == 95  # 100 − 5
    assert score("zhenru", counts, WEIGHTS).total == 90  # shipped: the sheet's 10


# -- counts are checked -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"dispatched": -1}, "dispatched", "负数"),
        ({"bonus": 1.5}, "bonus", "非负整数"),
        ({"bonus": True}, "bonus", "非负整数"),
        ({"on_time": "3"}, "on_time", "非负整数"),
        ({"penalty": 2**63}, "penalty", "超出范围"),
        ({"dispatchd": 3}, "dispatchd", "未知的计数"),
        ({"first_contacted": 11}, "first_contacted", "大于 dispatched"),
        ({"resolved": 5, "explained": 5, "filed_for_reference": 1}, "resolved", "大于"),
    ],
)
def test_bad_counts_name_the_count(change: dict[str, Any], field: str, words: str) -> None:
    counts: dict[str, Any] = {**zeros(JIANGNING_COUNTS, dispatched=10), **change}
    with pytest.raises(CountError, match=words) as caught:
        score("jiangning", counts, WEIGHTS)
    assert caught.value.field == field
    assert field in caught.value.message


def test_missing_counts_are_an_error_not_zero() -> None:
    counts = zeros(JIANGNING_COUNTS)
    del counts["penalty"], counts["bonus"]
    with pytest.raises(CountError, match="缺少计数 bonus, penalty") as caught:
        score("jiangning", counts, WEIGHTS)
    assert caught.value.field == "bonus"
    with pytest.raises(CountError, match="JSON 对象"):
        score("jiangning", [1, 2], WEIGHTS)


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="未知的评分方案 'beijing'"):
        score("beijing", {}, WEIGHTS)


# -- the weights file -----------------------------------------------------------------------


def write_weights(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(SCHEMES_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "schemes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["zhenru"]["deductions"].update(late_fee=3), "zhenru.deductions.late_fee"),
        (lambda d: d["jiangning"].pop("on_time_points"), "jiangning.on_time_points"),
        (lambda d: d["dongcheng"].update(evasion_points=-30), "dongcheng.evasion_points"),
        (lambda d: d["zhenru"].update(variant="draft"), "zhenru"),
        (lambda d: d["dongcheng"]["grades"].reverse(), "dongcheng"),
        (lambda d: d["no_data"].update(parts="full_marks"), "no_data.parts"),
    ],
)
def test_a_bad_weights_file_names_the_file_and_the_key(tmp_path: Path, edit: Any, key: str) -> None:
    path = write_weights(tmp_path, edit)
    with pytest.raises(ValueError) as caught:
        load_schemes(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}")


def test_the_weights_are_frozen() -> None:
    with pytest.raises(ValueError):
        WEIGHTS.dongcheng.evasion_points = 10  # type: ignore[misc]


# -- seed 000's grid-order rates ------------------------------------------------------------


def test_grid_order_rates() -> None:
    # 40 closed: 30 within 24 h (75 %), 36 on time (90 %), 32 at the first check (80 %),
    # 4 overdue (10 %).
    counts = dict(
        closed=40, closed_within_24h=30, closed_on_time=36, verified_first_check=32,
        closed_overdue=4,
    )  # fmt: skip
    rates = {p.name: p.value for p in grid_order_rates(counts)}
    assert rates == {
        "timely_rate": Fraction(3, 4),
        "on_time_rate": Fraction(9, 10),
        "first_pass_rate": Fraction(4, 5),
        "overdue_rate": Fraction(1, 10),
    }
    empty = grid_order_rates(dict.fromkeys(counts, 0))
    assert all(p.value is None and p.no_data and "closed" in p.no_data for p in empty)
    with pytest.raises(CountError, match="大于 closed"):
        grid_order_rates({**dict.fromkeys(counts, 0), "closed": 1, "closed_within_24h": 2})


# -- properties -----------------------------------------------------------------------------

small = st.integers(min_value=0, max_value=60)


@st.composite
def jiangning_counts(draw: st.DrawFn) -> dict[str, int]:
    dispatched = draw(small)
    resolved = draw(st.integers(0, dispatched))
    explained = draw(st.integers(0, dispatched - resolved))
    return dict(
        dispatched=dispatched,
        first_contacted=draw(st.integers(0, dispatched)),
        on_time=draw(st.integers(0, dispatched)),
        resolved=resolved,
        explained=explained,
        filed_for_reference=draw(st.integers(0, dispatched - resolved - explained)),
        bonus=draw(small),
        penalty=draw(small),
    )


@st.composite
def zhenru_counts(draw: st.DrawFn) -> dict[str, int]:
    counts = {name: draw(small) for name in ZHENRU_COUNTS}
    counts["accepted_all_departments"] = counts["accepted"] + draw(small)
    counts["total_orders"] = counts["untrue"] + draw(small)
    return counts


@st.composite
def dongcheng_any(draw: st.DrawFn) -> dict[str, int]:
    rated = draw(small)
    done = draw(st.integers(0, rated))
    visited = draw(small)
    return dict(
        received=draw(small),
        unjustified_returns=draw(small),  # times: may exceed received
        rated=rated,
        interim_done=draw(st.integers(0, rated - done)),
        done=done,
        rework=draw(st.integers(0, rated)),
        forced_closed=draw(st.integers(0, rated)),
        repeat_reports=draw(small),  # times: may exceed rated
        supervision_unreplied=draw(small),
        visited=visited,
        feedback_confirmed=draw(st.integers(0, visited)),
        satisfied=draw(st.integers(0, visited)),
    )


def sane(result: Score) -> None:
    """Never NaN or infinite; null only with a reason; the total is null only when no part
    that makes it has data."""
    for part in (*result.parts, *result.details):
        if part.value is None:
            assert part.no_data
        else:
            assert math.isfinite(float(part.value))
    made_of = [p for p in result.parts if p.maximum is not None]
    assert (result.total is None) == all(p.value is None for p in made_of)
    for part in made_of:
        if part.value is not None:
            assert 0 <= part.value <= part.maximum


@settings(max_examples=150, deadline=None)
@given(jiangning_counts())
def test_jiangning_properties(counts: dict[str, int]) -> None:
    result = score("jiangning", counts, WEIGHTS)
    sane(result)
    if counts["dispatched"] and counts["first_contacted"] < counts["dispatched"]:
        better = score("jiangning", {**counts, "first_contacted": counts["first_contacted"] + 1},
                       WEIGHTS)  # fmt: skip
        assert result.total is not None and better.total is not None
        assert better.total > result.total
    if counts["dispatched"] and counts["filed_for_reference"]:
        # An order resolved instead of filed for reference is worth 30 points more, /dispatched.
        moved = {**counts, "filed_for_reference": counts["filed_for_reference"] - 1,
                 "resolved": counts["resolved"] + 1}  # fmt: skip
        moved_total = score("jiangning", moved, WEIGHTS).total
        assert result.total is not None and moved_total is not None
        assert moved_total - result.total == Fraction(30, counts["dispatched"])


@settings(max_examples=150, deadline=None)
@given(zhenru_counts(), st.sampled_from(["resolved", "satisfied", "accepted"]))
def test_zhenru_is_monotone_in_good_counts(counts: dict[str, int], good: str) -> None:
    result = score("zhenru", counts, WEIGHTS)
    sane(result)
    more = {**counts, good: counts[good] + 1}
    if good == "accepted" and counts["accepted"] == counts["accepted_all_departments"]:
        return  # accepted cannot exceed accepted_all_departments
    better = score("zhenru", more, WEIGHTS)
    # Only compare when the same parts have data (a part gaining data changes the scaling).
    if result.total_rule.left_out == better.total_rule.left_out and result.total is not None:
        assert better.total is not None and better.total >= result.total


@settings(max_examples=150, deadline=None)
@given(
    zhenru_counts(),
    st.sampled_from(["missed_first_contact", "late", "supervision_street", "supervision_city",
                     "copied_reports", "unjustified_returns", "unresolved", "unsatisfied"]),
)  # fmt: skip
def test_zhenru_never_gains_from_bad_counts(counts: dict[str, int], bad: str) -> None:
    result = score("zhenru", counts, WEIGHTS)
    worse = score("zhenru", {**counts, bad: counts[bad] + 1}, WEIGHTS)
    if result.total_rule.left_out == worse.total_rule.left_out and result.total is not None:
        assert worse.total is not None and worse.total <= result.total


@settings(max_examples=200, deadline=None)
@given(dongcheng_any())
def test_dongcheng_properties(counts: dict[str, int]) -> None:
    result = score("dongcheng", counts, WEIGHTS)
    sane(result)
    deduction = result.part("supervision_deduction").value
    assert deduction == min(3 * counts["supervision_unreplied"], 30)  # the 30-point cap holds
    if result.total is not None:
        assert -30 <= result.total <= 100
        assert result.grade in {"A", "B", "C", "D", "E"}
    else:
        assert result.grade is None
    one_more = score(
        "dongcheng",
        {**counts, "supervision_unreplied": counts["supervision_unreplied"] + 1},
        WEIGHTS,
    )
    if result.total is not None:
        assert one_more.total is not None and one_more.total <= result.total
    if counts["visited"] and counts["satisfied"] < counts["visited"]:
        happier = score("dongcheng", {**counts, "satisfied": counts["satisfied"] + 1}, WEIGHTS)
        assert happier.total is not None and result.total is not None
        assert happier.total > result.total
    if counts["rated"] and counts["interim_done"]:
        # An item fully done instead of only an interim result never lowers the score.
        finished = {**counts, "interim_done": counts["interim_done"] - 1,
                    "done": counts["done"] + 1}  # fmt: skip
        finished_total = score("dongcheng", finished, WEIGHTS).total
        assert finished_total is not None and result.total is not None
        assert finished_total >= result.total


@settings(max_examples=100, deadline=None)
@given(dongcheng_any())
def test_rescaling_keeps_the_proportions_of_the_parts_with_data(counts: dict[str, int]) -> None:
    counts = {**counts, "visited": 0, "feedback_confirmed": 0, "satisfied": 0}
    result = score("dongcheng", counts, WEIGHTS)
    if counts["received"] == 0 or counts["rated"] == 0:
        return
    evasion = result.part("evasion_points").value
    handling = result.part("handling_points").value
    assert evasion is not None and handling is not None
    deduction = result.part("supervision_deduction").value
    assert result.total == (evasion + handling) * Fraction(100, 60) - deduction
    assert set(result.total_rule.left_out) == {"feedback_points", "satisfaction_points"}
