"""`gridline score` and `gridline quota` through the real command line.

Most cases run `backend.cli.main` (the `gridline` entry point) with captured output; a few run
the installed `gridline` script in a subprocess, to see its exit status and that stderr is one
line, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from backend.cli import main
from backend.config import get_settings
from backend.db import session_scope
from backend.sla.models import CalendarDay

GRIDLINE = Path(sys.executable).parent / "gridline"


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("GRID_DATABASE_URL", url)
    get_settings.cache_clear()  # the settings are read once per process


@pytest.fixture(autouse=True)
def own_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # `gridline quota` reads the admins' calendar days from the configured database; point it at
    # an empty file so no test depends on (or creates) the project's gridline.db.
    use_database(monkeypatch, f"sqlite:///{tmp_path / 'cli.db'}")
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def write(tmp_path: Path, data: Any, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def gridline(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """Run `gridline ARGV`; (exit status, parsed stdout JSON or None, stderr)."""
    try:
        main(list(argv))
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if captured.out else None, captured.err


def score(capsys: pytest.CaptureFixture[str], tmp_path: Path, scheme: str, counts: Any,
          *extra: str) -> Any:  # fmt: skip
    status, out, err = gridline(
        capsys, "score", "--scheme", scheme, "--counts", write(tmp_path, counts), *extra
    )
    assert status == 0, err
    return out


def close(value: Any, expected: float) -> bool:
    return value is not None and abs(value - expected) < 0.01


# -- jiangning (seed 000) --------------------------------------------------------------------

JIANGNING_ZERO = dict(
    dispatched=0, first_contacted=0, on_time=0, resolved=0, explained=0, filed_for_reference=0,
    bonus=0, penalty=0,
)  # fmt: skip


def test_jiangning_twenty_orders(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    counts = dict(
        dispatched=20, first_contacted=18, on_time=17, resolved=12, explained=4,
        filed_for_reference=2, bonus=3, penalty=1,
    )  # fmt: skip
    out = score(capsys, tmp_path, "jiangning", counts)
    # first_contact_score = 100·18/20 = 90
    # on_time_score       = 100·17/20 = 85
    # resolution_score    = (100·12 + 100·4 + 70·2)/20 = (1200 + 400 + 140)/20 = 87
    # total               = 90 + 85 + 87 + 3 − 1 = 264
    assert close(out["first_contact_score"], 90)
    assert close(out["on_time_score"], 85)
    assert close(out["resolution_score"], 87)
    assert close(out["total"], 264)
    assert "grade" not in out  # the scheme has no grades
    assert out["no_data"] == {}


def test_jiangning_thirds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    counts = dict(
        dispatched=3, first_contacted=2, on_time=1, resolved=1, explained=0,
        filed_for_reference=1, bonus=0, penalty=2,
    )  # fmt: skip
    out = score(capsys, tmp_path, "jiangning", counts)
    # first_contact_score = 100·2/3 = 66.667
    # on_time_score       = 100·1/3 = 33.333
    # resolution_score    = (100·1 + 70·1)/3 = 170/3 = 56.667
    # total               = 200/3 + 100/3 + 170/3 − 2 = 470/3 − 2 = 154.667
    assert close(out["first_contact_score"], 66.667)
    assert close(out["on_time_score"], 33.333)
    assert close(out["resolution_score"], 56.667)
    assert close(out["total"], 154.667)


def test_jiangning_no_dispatched_orders_is_no_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = score(capsys, tmp_path, "jiangning", {**JIANGNING_ZERO, "bonus": 2, "penalty": 1})
    # 派遣案件数 = 0: every score divides by 0 → null with the reason; no part has data, so the
    # total is null too (not 0 + 2 − 1).
    for part in ("first_contact_score", "on_time_score", "resolution_score", "total"):
        assert out[part] is None
        assert "dispatched" in out["no_data"][part]
    assert "均无数据" in out["total_rule"]["text"]


# -- zhenru (seed 003) -----------------------------------------------------------------------

ZHENRU_FULL = dict(
    accepted=30, accepted_all_departments=120, resolved=40, explained_accepted=10,
    explained_not_accepted=5, unresolved=5, satisfied=30, basic_satisfied=10, neutral=5,
    unsatisfied=5, missed_first_contact=1, late=2, supervision_street=1, supervision_district=1,
    supervision_city=0, untrue=10, total_orders=50, copied_reports=2, unjustified_returns=0,
)  # fmt: skip


def test_zhenru_every_part(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = score(capsys, tmp_path, "zhenru", ZHENRU_FULL)
    # acceptance   = 20·30/120 = 5
    # resolution   = 30·(40 + 0.8·10)/(40 + 10 + 5 + 5) = 30·48/60 = 24
    # satisfaction = 50·(30 + 0.8·10 + 0.6·5)/(30 + 10 + 5 + 5) = 50·41/50 = 41
    # untrue rate  = 10/50 = 20 % (not above 25 %: no deduction)
    # deductions   = 10·1 (first contact) + 10·2 (late) + 2.5·1 (street) + 5·1 (district)
    #                + 1·2 (copied) = 10 + 20 + 2.5 + 5 + 2 = 39.5
    # total        = 5 + 24 + 41 − 39.5 = 30.5
    assert close(out["acceptance"], 5)
    assert close(out["resolution"], 24)
    assert close(out["satisfaction"], 41)
    assert close(out["deductions"], 39.5)
    assert close(out["total"], 30.5)
    assert out["variant"] == "sheet"
    assert "grade" not in out


def test_zhenru_text_variant(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = score(capsys, tmp_path, "zhenru", ZHENRU_FULL, "--variant", "text")
    # The text's 5 points per missed first contact / late order instead of the sheet's 10:
    # deductions = 5·1 + 5·2 + 2.5 + 5 + 2 = 24.5; total = 5 + 24 + 41 − 24.5 = 45.5
    assert close(out["deductions"], 24.5)
    assert close(out["total"], 45.5)
    assert out["variant"] == "text"


def test_zhenru_no_callbacks_and_untrue_above_a_quarter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    counts = dict(
        ZHENRU_FULL, accepted=50, accepted_all_departments=200, resolved=40, explained_accepted=5,
        explained_not_accepted=3, unresolved=2, satisfied=0, basic_satisfied=0, neutral=0,
        unsatisfied=0, missed_first_contact=1, late=0, supervision_street=2,
        supervision_district=0, untrue=13, total_orders=50, copied_reports=1,
    )  # fmt: skip
    out = score(capsys, tmp_path, "zhenru", counts)
    # acceptance   = 20·50/200 = 5
    # resolution   = 30·(40 + 0.8·5)/(40 + 5 + 3 + 2) = 30·44/50 = 26.4
    # satisfaction = no data (0 surveyed): left out; the other parts' 50 points scale to 100:
    #                (5 + 26.4)·100/50 = 62.8
    # untrue rate  = 13/50 = 26 % > 25 % → 10
    # deductions   = 10·1 + 2.5·2 + 1·1 + 10 = 26
    # total        = 62.8 − 26 = 36.8
    assert out["satisfaction"] is None
    assert "0" in out["no_data"]["satisfaction"]
    assert out["total_rule"]["left_out"] == ["satisfaction"]
    assert out["total_rule"]["counted_max"] == 50 and out["total_rule"]["scale"] == 2
    assert close(out["deductions"], 26)
    assert close(out["details"]["deduction_untrue"], 10)
    assert close(out["total"], 36.8)


def test_zhenru_exactly_a_quarter_untrue_is_not_deducted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    counts = dict(
        accepted=10, accepted_all_departments=10, resolved=0, explained_accepted=0,
        explained_not_accepted=0, unresolved=4, satisfied=0, basic_satisfied=0, neutral=2,
        unsatisfied=2, missed_first_contact=0, late=0, supervision_street=0,
        supervision_district=0, supervision_city=1, untrue=5, total_orders=20, copied_reports=0,
        unjustified_returns=1,
    )  # fmt: skip
    out = score(capsys, tmp_path, "zhenru", counts)
    # acceptance   = 20·10/10 = 20
    # resolution   = 30·0/4 = 0 (data, just nothing resolved)
    # satisfaction = 50·(0.6·2)/4 = 15
    # untrue rate  = 5/20 = 25 %: not above 25 % → 0
    # deductions   = 10·1 (city supervision) + 10·1 (unjustified return) = 20
    # total        = 20 + 0 + 15 − 20 = 15
    assert out["resolution"] == 0
    assert close(out["satisfaction"], 15)
    assert close(out["details"]["untrue_rate"], 0.25)
    assert out["details"]["deduction_untrue"] == 0
    assert close(out["deductions"], 20)
    assert close(out["total"], 15)


def test_zhenru_nothing_at_all(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = score(capsys, tmp_path, "zhenru", dict.fromkeys(ZHENRU_FULL, 0))
    # Every denominator is 0: acceptance, resolution, satisfaction and the untrue rate are no
    # data; nothing to deduct; the total is no data.
    assert out["total"] is None
    assert {"acceptance", "resolution", "satisfaction", "untrue_rate", "total"} <= set(
        out["no_data"]
    )
    assert out["deductions"] == 0


# -- dongcheng (seed 004) --------------------------------------------------------------------

DONGCHENG = dict(
    received=100, unjustified_returns=5, rated=80, interim_done=8, done=64, rework=4,
    forced_closed=0, repeat_reports=2, supervision_unreplied=3, visited=50,
    feedback_confirmed=45, satisfied=40,
)  # fmt: skip


def test_dongcheng_a_month(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = score(capsys, tmp_path, "dongcheng", DONGCHENG)
    # evasion_rate 5/100 = 0.05; interim 8/80 = 0.1; done 64/80 = 0.8; rework 4/80 = 0.05;
    # forced 0; repeat 2/80 = 0.025; feedback 45/50 = 0.9; satisfaction 40/50 = 0.8
    # total = 30·(1 − 0.05) + 30·(0.8·0.1 + 0.8)·(1 − 0.05)·(1 − 0)·(1 − 0.025)
    #         + 20·0.9 + 20·0.8 − min(3·3, 30)
    #       = 28.5 + 30·0.88·0.95·0.975 + 18 + 16 − 9 = 28.5 + 24.453 + 18 + 16 − 9 = 77.953 → B
    expected_rates = dict(
        evasion_rate=0.05, interim_rate=0.1, done_rate=0.8, rework_rate=0.05,
        forced_close_rate=0, repeat_rate=0.025, feedback_rate=0.9, satisfaction_rate=0.8,
    )  # fmt: skip
    for name, rate in expected_rates.items():
        assert close(out[name], rate), name
    assert close(out["handling_points"], 24.453)
    assert close(out["total"], 77.953)
    assert out["grade"] == "B"


def test_dongcheng_the_30_point_cap(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    perfect = dict(
        received=10, unjustified_returns=0, rated=10, interim_done=0, done=10, rework=0,
        forced_closed=0, repeat_reports=0, supervision_unreplied=11, visited=10,
        feedback_confirmed=10, satisfied=10,
    )  # fmt: skip
    out = score(capsys, tmp_path, "dongcheng", perfect)
    # 30·1 + 30·(0 + 1)·1·1·1 + 20·1 + 20·1 = 100; 11 unreplied × 3 = 33, capped at 30
    # total = 100 − 30 = 70 → C (uncapped it would be 67)
    assert out["supervision_deduction"] == 30
    assert close(out["total"], 70)
    assert out["grade"] == "C"
    out = score(capsys, tmp_path, "dongcheng", {**perfect, "supervision_unreplied": 3})
    # 100 − 3·3 = 91 → A
    assert close(out["total"], 91) and out["grade"] == "A"


def test_dongcheng_no_callbacks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    counts = dict(
        received=20, unjustified_returns=2, rated=20, interim_done=4, done=14, rework=2,
        forced_closed=1, repeat_reports=0, supervision_unreplied=1, visited=0,
        feedback_confirmed=0, satisfied=0,
    )  # fmt: skip
    out = score(capsys, tmp_path, "dongcheng", counts)
    # evasion   = 30·(1 − 2/20) = 27
    # handling  = 30·(0.8·4/20 + 14/20)·(1 − 2/20)·(1 − 1/20)·(1 − 0)
    #           = 30·0.86·0.9·0.95 = 22.059
    # feedback_rate, satisfaction_rate: visited = 0 → no data; their 40 points are left out and
    #           the 60 points with data scale to 100: (27 + 22.059)·100/60 = 81.765
    # total     = 81.765 − 3·1 = 78.765 → B
    assert out["feedback_rate"] is None and out["satisfaction_rate"] is None
    assert "visited" in out["no_data"]["feedback_rate"]
    assert out["total_rule"]["left_out"] == ["feedback_points", "satisfaction_points"]
    assert close(out["handling_points"], 22.059)
    assert close(out["total"], 78.765)
    assert out["grade"] == "B"


def test_dongcheng_nothing_received_rated_or_visited(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = score(capsys, tmp_path, "dongcheng", {**dict.fromkeys(DONGCHENG, 0),
                                                 "supervision_unreplied": 2})  # fmt: skip
    # Every rate divides by 0: all null with reasons; the total and the grade are null, and the
    # 6 points for unreplied supervision are still shown.
    assert out["total"] is None and out["grade"] is None
    assert out["supervision_deduction"] == 6
    assert all(out[name] is None for name in ("evasion_rate", "done_rate", "satisfaction_rate"))


# -- quota (seed 001) ------------------------------------------------------------------------


def quota(capsys: pytest.CaptureFixture[str], tmp_path: Path, week: str, finds: list[str]) -> Any:
    status, out, err = gridline(
        capsys, "quota", "--profile", "heyang", "--week", week, "--finds", write(tmp_path, finds)
    )
    assert status == 0, err
    return out


def test_quota_make_up_saturday_has_no_bonus_and_sunday_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 2026-10-10 is a Saturday worked in exchange for National Day (调休): a working day.
    out = quota(capsys, tmp_path, "2026-W41", ["2026-10-10T10:00:00+08:00"])
    assert (out["finds"], out["bonus"], out["points"], out["warning"]) == (1, 0, 0, False)
    # 2026-10-11 is an ordinary Sunday: +1.
    out = quota(capsys, tmp_path, "2026-W41", ["2026-10-11T10:00:00+08:00"])
    assert (out["finds"], out["bonus"], out["points"]) == (1, 1, 1)
    assert out["bonus_days"] == ["2026-10-11"]


def test_quota_national_day_week_is_pro_rated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 2026-W40: 3 working days (09-28, 29, 30) → quota round(2·3/5) = 1, target round(3·3/5) = 2
    out = quota(capsys, tmp_path, "2026-W40", [])
    assert (out["working_days"], out["quota"], out["target"]) == (3, 1, 2)
    # no find: penalty 1, points −1, warning
    assert (out["finds"], out["penalty"], out["points"], out["warning"]) == (0, 1, -1, True)
    out = quota(capsys, tmp_path, "2026-W40", ["2026-09-29T09:00", "2026-10-03T09:00"])
    # two finds (Tuesday, and Saturday in the holiday: +1); quota met: points 1
    assert (out["finds"], out["bonus"], out["penalty"], out["points"]) == (2, 1, 0, 1)


def test_quota_normal_week(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = quota(capsys, tmp_path, "2026-W47", ["2026-11-18T10:00:00+08:00"])
    # 5 working days: quota 2; one find → 1 missing → penalty 1, bonus 0, points −1
    assert (out["working_days"], out["quota"], out["finds"]) == (5, 2, 1)
    assert (out["bonus"], out["penalty"], out["points"], out["warning"]) == (0, 1, -1, False)
    assert (out["from"], out["to"]) == ("2026-11-16", "2026-11-22")
    out = quota(
        capsys, tmp_path, "2026-W47",
        ["2026-11-16T00:30:00+08:00", "2026-11-22T15:30:00Z", "2026-11-22T16:30:00Z"],
    )  # fmt: skip
    # Monday 00:30 and Sunday 23:30 Shanghai are in the week (Sunday: +1); 16:30Z on the 22nd is
    # Monday 00:30 of W48: not counted. 2 finds meet the quota: points = 1 − 0 = 1.
    assert (out["finds"], out["outside_week"], out["bonus"], out["points"]) == (2, 1, 1, 1)
    out = quota(capsys, tmp_path, "2026-W47", [])
    # no find: 2 missing → −2 and the warning
    assert (out["penalty"], out["points"], out["warning"]) == (2, -2, True)


def test_quota_reads_the_admins_calendar_days(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An admin made Saturday 2026-11-21 a working day: a find on it earns no bonus.
    with session_scope(db) as session:
        session.add(CalendarDay(day=date(2026, 11, 21), is_workday=True, note="test"))
    use_database(monkeypatch, database_url)
    out = quota(capsys, tmp_path, "2026-W47", ["2026-11-21T10:00:00+08:00"])
    assert (out["working_days"], out["bonus"]) == (6, 0)


def test_quota_on_a_provisional_year_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = gridline(
        capsys, "quota", "--profile", "heyang", "--week", "2030-W10",
        "--finds", write(tmp_path, []),
    )  # fmt: skip
    assert status == 0
    assert out["provisional"] is True and out["provisional_years"] == [2030]
    assert err.startswith("warning: 2030 has no official holiday schedule yet")


# -- bad input: exit 2, one line, no traceback -----------------------------------------------


def run_script(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GRIDLINE), *argv], capture_output=True, text=True, cwd=cwd, timeout=60,
        env={"PATH": "/usr/bin:/bin", "GRID_DATABASE_URL": f"sqlite:///{cwd / 'cli.db'}"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "files", "words"),
    [
        (["score", "--scheme", "zhenru", "--counts", "missing.json"], {}, "文件不存在"),
        (["score", "--scheme", "zhenru", "--counts", "bad.json"], {"bad.json": "{oops"},
         "不是有效的 JSON"),
        (["score", "--scheme", "beijing", "--counts", "c.json"], {"c.json": "{}"},
         "未知的评分方案 'beijing'"),
        (["score", "--scheme", "jiangning", "--counts", "c.json"],
         {"c.json": json.dumps({**JIANGNING_ZERO, "dispatched": -3})}, "dispatched 不能为负数"),
        (["score", "--scheme", "dongcheng", "--counts", "c.json"],
         {"c.json": json.dumps({**DONGCHENG, "visits": 1})}, "未知的计数 visits"),
        (["score", "--scheme", "dongcheng", "--counts", "c.json"],
         {"c.json": json.dumps({**DONGCHENG, "satisfied": 51})}, "satisfied（51） 大于 visited"),
        (["score", "--scheme", "dongcheng", "--counts", "c.json"], {"c.json": "[1, 2]"},
         "JSON 对象"),
        (["quota", "--profile", "heyang", "--week", "2026-W54", "--finds", "f.json"],
         {"f.json": "[]"}, "2026-W54 不是有效的 ISO 周"),
        (["quota", "--profile", "heyang", "--week", "2026-W47", "--finds", "f.json"],
         {"f.json": '["2026-11-18T10:00", "yesterday"]'}, "第 2 项不是 ISO 8601 时间"),
        (["quota", "--profile", "heyang", "--week", "2026-W47", "--finds", "f.json"],
         {"f.json": '{"finds": []}'}, "JSON 列表"),
        (["quota", "--profile", "zhenru", "--week", "2026-W47", "--finds", "f.json"],
         {"f.json": "[]"}, "不考核网格员发现问题数"),
        (["quota", "--profile", "heyang", "--week", "2026-W47", "--finds", "nope.json"], {},
         "文件不存在"),
        (["quota", "--profile", "heyang", "--week", "2026-W47", "--finds", "f.json"],
         {"f.json": '["9999-12-31T23:00:00-12:00"]'}, "超出可处理的时间范围"),
        (["score", "--scheme", "zhenru", "--counts", "c.json"],
         {"c.json": '{"accepted": ' + "9" * 5000 + "}"}, "无法解析"),
        (["score", "--scheme", "zhenru", "--counts", "c.json"], {"c.json": "[" * 100000},
         "无法解析"),
        (["score", "--scheme", "zhenru", "--variant", "draft", "--counts", "c.json"],
         {"c.json": json.dumps(ZHENRU_FULL)}, "没有 'draft' 这一套扣分值"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: list[str],
    files: dict[str, str],
    words: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status, out, err = gridline(capsys, *argv)  # an uncaught exception would fail the test
    assert status == 2
    assert out is None
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"gridline {argv[0]}: error: ")
    assert words in lines[0]


def test_the_installed_script_prints_the_score_and_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps(DONGCHENG), encoding="utf-8")
    result = run_script("score", "--scheme", "dongcheng", "--counts", "c.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert close(out["total"], 77.953) and out["grade"] == "B"
    (tmp_path / "c.json").write_text(json.dumps({**DONGCHENG, "rated": -1}), encoding="utf-8")
    result = run_script("score", "--scheme", "dongcheng", "--counts", "c.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "gridline score: error: 计数 rated 不能为负数（收到 -1）\n"


def test_the_installed_script_answers_a_bad_week_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text("[]", encoding="utf-8")
    result = run_script(
        "quota", "--profile", "heyang", "--week", "2026-W54", "--finds", "f.json", cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr == "gridline quota: error: 2026-W54 不是有效的 ISO 周（2026 年有 53 周）\n"
