"""Values the seeds do not give: marked ``assumed`` in the profile files, listed on the profile,
and shown as overridden once a deployment sets them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.sla import profiles
from backend.sla.profiles import PROFILE_NAMES, Duration, Unit, level_rule, load_profile


def guessed(name: str) -> dict[str, str]:
    return {a.path: a.reason for a in load_profile(name).assumptions}


# -- the profiles ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["general", "major", "urgent"])
def test_dongcheng_resolve_clocks_are_assumed(level: str) -> None:
    reason = guessed("dongcheng")[f"sources.hotline.levels.{level}.clocks.resolve"]
    assert "办理时限" in reason


@pytest.mark.parametrize("name", ["heyang", "xiayang", "dongcheng"])
def test_extensions_of_seeds_without_one_are_assumed(name: str) -> None:
    marks = guessed(name)
    assert "rules.extension" in marks
    profile = load_profile(name)
    for source, rule in profile.sources.items():
        for level in rule.levels.values():
            if level.extension.allowed and level.extension.max_total is not None:
                assert f"sources.{source}.levels.{level.name}.extension.max_total" in marks


def test_jiangning_days_read_as_working_days_are_assumed() -> None:
    marks = guessed("jiangning")
    for path in (
        "sources.hotline.levels.urgent.clocks.resolve",
        "sources.hotline.levels.general.clocks.resolve",
        "sources.patrol.levels.difficult.clocks.resolve",
        "rules.extension.step",
        "rules.extension.max_total",
        "sources.patrol.rules.extension.max_total",
    ):
        assert "日 read as working days" in marks[path], path
    # the seed's own hours are not guesses
    assert "sources.patrol.levels.general.clocks.resolve" not in marks


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_rules_borrowed_from_other_seeds_are_assumed(name: str) -> None:
    marks = guessed(name)
    assert "rules.reminder_fraction" in marks
    borrowed = [p for p, reason in marks.items() if "seed 0" in reason]
    assert borrowed, f"{name} borrows nothing?"
    if name != "jiangning":  # seed 000 is where the 5 failed checks come from
        # The whole section, or its number alone where the section has seed rules too.
        assert {"rules.verification", "rules.verification.max_failed_checks"} & set(marks)


def test_seed_numbers_are_not_marked() -> None:
    assert "rules.dispatch_target" not in guessed("heyang")  # 在30分钟内派遣工单
    assert "sources.hotline.levels.general.clocks.resolve" not in guessed("xiayang")
    assert "rules.supervision.reply_within" not in guessed("dongcheng")  # 第十条's 24 hours


def test_a_marked_clock_still_loads_as_a_plain_duration() -> None:
    rule = level_rule(load_profile("dongcheng"), "hotline", "urgent")
    assert rule.clocks["resolve"] == Duration(24, Unit.HOURS)
    assert rule.origins["resolve"] == "sources.hotline.levels.urgent.clocks.resolve"


# -- overrides ---------------------------------------------------------------------------------


def test_an_overridden_guess_shows_the_value_in_force_and_the_guess() -> None:
    override = {
        "sources": {"hotline": {"levels": {"urgent": {"clocks": {"resolve": {"amount": 12}}}}}}
    }
    profile = load_profile("dongcheng", override)
    by_path = {a.path: a for a in profile.assumptions}
    urgent = by_path["sources.hotline.levels.urgent.clocks.resolve"]
    assert urgent.overridden
    assert urgent.value == {"amount": 12, "unit": "hours"}
    assert urgent.assumed == {"amount": 24, "unit": "hours"}
    assert not by_path["sources.hotline.levels.general.clocks.resolve"].overridden
    assert not profile.guesses("sources.hotline.levels.urgent.clocks.resolve")
    assert profile.guesses("sources.hotline.levels.general.clocks")


def test_setting_a_guess_to_its_own_value_confirms_it() -> None:
    profile = load_profile("dongcheng", {"rules": {"return_window": {"max_redispatch": 1}}})
    marks = {a.path: a.overridden for a in profile.assumptions}
    assert marks["rules.return_window.max_redispatch"] is True  # confirmed: no longer a guess
    assert marks["rules.return_window.window"] is False


def test_an_override_may_not_mark_assumptions() -> None:
    with pytest.raises(ValueError, match=r"rules\.verification\.assumed: unknown key"):
        load_profile("dongcheng", {"rules": {"verification": {"assumed": "ours"}}})


# -- the loader --------------------------------------------------------------------------------


@pytest.fixture
def profile_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped profiles the test may edit."""
    for name in PROFILE_NAMES:
        (tmp_path / f"{name}.yaml").write_text(
            (profiles.PROFILES_DIR / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    monkeypatch.setattr(profiles, "PROFILES_DIR", tmp_path)
    profiles._raw.cache_clear()
    yield tmp_path
    profiles._raw.cache_clear()


def rewrite(folder: Path, old: str, new: str) -> None:
    path = folder / "heyang.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


ACCEPT = "      accept: {amount: 30, unit: minutes}"


def test_loader_accepts_a_mark_on_any_mapping(profile_dir: Path) -> None:
    rewrite(profile_dir, ACCEPT, '      accept: {amount: 30, unit: minutes, assumed: "ours"}')
    profile = load_profile("heyang")
    assert {a.path: a.reason for a in profile.assumptions}["sources.patrol.clocks.accept"] == "ours"
    assert level_rule(profile, "patrol", None).clocks["accept"] == Duration(30, Unit.MINUTES)


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ("assumd: x", "accept.assumd: unknown key"),
        ("assumed: ''", "accept.assumed: expected a non-empty reason"),
        ("assumed: 5", "accept.assumed: expected a reason or a mapping"),
        ("assumed: {hours: x}", "accept.assumed.hours: names no key"),
        ("assumed: {unit: ''}", "accept.assumed.unit: expected a non-empty reason"),
    ],
)
def test_loader_refuses_bad_marks_and_unknown_keys(
    profile_dir: Path, mark: str, message: str
) -> None:
    rewrite(profile_dir, ACCEPT, f"      accept: {{amount: 30, unit: minutes, {mark}}}")
    with pytest.raises(ValueError) as caught:
        load_profile("heyang")
    assert str(caught.value).startswith(f"profile 'heyang': sources.patrol.clocks.{message}")
