"""`gridline due` / `gridline workdays` through an argparse parser built here."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from backend.sla.calendar import WorkCalendar
from backend.sla.cli import CalendarFactory, ProfileFactory, add_due_parser, add_workdays_parser
from backend.sla.profiles import load_profile


def provisional_2027() -> WorkCalendar:
    return WorkCalendar(package_years=range(2004, 2027))  # 2027 provisional in any release


def run(
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    calendar: CalendarFactory = provisional_2027,
    profile_factory: ProfileFactory = load_profile,
) -> tuple[str, str]:
    """Build a `gridline`-like parser with the two commands, run argv, return (stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="gridline")
    commands = parser.add_subparsers(dest="command", required=True)
    add_due_parser(commands, calendar, profile_factory=profile_factory)
    add_workdays_parser(commands, calendar)
    args = parser.parse_args(argv)
    args.func(args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_due_prints_iso_with_offset_as_last_line(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(
        capsys, "due", "--profile", "heyang", "--source", "patrol", "--level", "major",
        "--clock", "resolve", "--start", "2026-09-30T16:00:00+08:00",
    )  # fmt: skip
    assert last_line(out) == "2026-10-13T16:00:00+08:00"
    assert err == ""


def test_naive_start_is_shanghai_and_other_offsets_are_converted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _ = run(
        capsys, "due", "--profile", "jiangning", "--source", "patrol", "--level", "simple",
        "--clock", "resolve", "--start", "2026-11-18 10:00",
    )  # fmt: skip
    assert last_line(out) == "2026-11-18T12:00:00+08:00"
    out, _ = run(
        capsys, "due", "--profile", "jiangning", "--source", "patrol", "--level", "simple",
        "--clock", "resolve", "--start", "2026-11-18T02:00:00Z",
    )  # fmt: skip
    assert last_line(out) == "2026-11-18T12:00:00+08:00"


def test_provisional_due_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(
        capsys, "due", "--profile", "zhenru", "--source", "hotline", "--level", "urgent",
        "--clock", "resolve", "--start", "2026-12-31T15:00",
    )  # fmt: skip
    assert last_line(out) == "2027-01-04T15:00:00+08:00"
    assert "2027" in err and "provisional" in err
    assert err.startswith("warning: 2027 has no official holiday schedule yet")


def test_workdays_add(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "workdays", "add", "--start", "2026-09-30T16:00", "--days", "1")
    assert last_line(out) == "2026-10-08T16:00:00+08:00" and err == ""
    out, err = run(capsys, "workdays", "add", "--start", "2026-12-31T15:00", "--days", "1")
    assert last_line(out) == "2027-01-04T15:00:00+08:00"
    assert "warning: 2027" in err
    out, _ = run(capsys, "workdays", "add", "--start", "2026-10-08T16:00", "--days", "-1")
    assert last_line(out) == "2026-09-30T16:00:00+08:00"


def test_workdays_uses_the_given_calendar_factory(capsys: pytest.CaptureFixture[str]) -> None:
    def official_2027() -> WorkCalendar:
        return WorkCalendar({date(2027, 1, 4): False}, {2027}, package_years=range(2004, 2027))

    out, err = run(
        capsys, "workdays", "add", "--start", "2026-12-31T15:00", "--days", "1",
        calendar=official_2027,
    )  # fmt: skip
    assert last_line(out) == "2027-01-05T15:00:00+08:00" and err == ""


def test_workdays_check(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "workdays", "check", "--date", "2026-10-10")
    assert out.strip() == "2026-10-10 working day"
    out, _ = run(capsys, "workdays", "check", "--date", "2027-01-01")
    assert out.strip().startswith("2027-01-01 day off (provisional")


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "due", "--list", "--profile", "zhenru")
    assert "source hotline" in out and "source snapshot" in out
    assert "level difficult" in out and "12 working days" in out
    assert "source patrol: same levels and clocks as hotline" in out
    assert "first_contact" in out and "3 natural days" in out


def test_profile_factory_applies_deployment_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    override = {
        "sources": {"patrol": {"levels": {"simple": {"clocks": {"resolve": {"amount": 3}}}}}}
    }
    out, _ = run(
        capsys, "due", "--profile", "jiangning", "--source", "patrol", "--level", "simple",
        "--clock", "resolve", "--start", "2026-11-18T10:00",
        profile_factory=lambda name: load_profile(name, override),
    )  # fmt: skip
    assert last_line(out) == "2026-11-18T13:00:00+08:00"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["due", "--profile", "shanghai", "--list"], "invalid choice: 'shanghai'"),
        (["due", "--list"], "--profile"),
        (
            ["due", "--profile", "zhenru", "--source", "tv", "--clock", "resolve",
             "--start", "2026-11-18T10:00"],
            "unknown source 'tv'",
        ),
        (
            ["due", "--profile", "zhenru", "--source", "hotline", "--level", "major",
             "--clock", "resolve", "--start", "2026-11-18T10:00"],
            "choose one of: urgent, consult",
        ),
        (
            ["due", "--profile", "zhenru", "--source", "hotline", "--clock", "on_scene",
             "--start", "2026-11-18T10:00"],
            "unknown clock 'on_scene'",
        ),
        (["due", "--profile", "zhenru", "--source", "hotline"], "--clock, --start"),
        (
            ["due", "--profile", "zhenru", "--source", "hotline", "--clock", "resolve",
             "--start", "yesterday"],
            "not an ISO 8601 date-time",
        ),
        (["workdays", "add", "--start", "2026-11-18", "--days", "two"], "invalid int value"),
        (["workdays"], "required"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        run(capsys, *argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_list_marks_the_guesses_and_lists_them_with_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _ = run(capsys, "due", "--list", "--profile", "dongcheng")
    lines = out.splitlines()
    assert "    resolve        7 natural days （推定）" in lines
    assert "  return window    2 working days （推定）" in lines
    reasons = lines[lines.index(next(x for x in lines if x.startswith("assumptions"))) :]
    urgent = next(x for x in reasons if "levels.urgent.clocks.resolve" in x)
    assert urgent.startswith(
        "  （推定） sources.hotline.levels.urgent.clocks.resolve = 24 hours — "
    )
    assert "办理时限" in urgent


def test_list_shows_a_guess_the_street_set_as_no_longer_guessed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    override = {
        "sources": {"hotline": {"levels": {"urgent": {"clocks": {"resolve": {"amount": 12}}}}}}
    }
    out, _ = run(
        capsys, "due", "--list", "--profile", "dongcheng",
        profile_factory=lambda name: load_profile(name, override),
    )  # fmt: skip
    lines = out.splitlines()
    urgent = lines.index("  level urgent — 紧急")
    assert lines[urgent + 2] == "    resolve        12 hours"
    assert any(
        x.startswith(
            "  （街道设定） sources.hotline.levels.urgent.clocks.resolve = 12 hours"
            " (guessed: 24 hours)"
        )
        for x in lines
    )
