"""The five policy profiles: each yields its seed's deadlines (table-driven), overrides,
validation, reminders and extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from backend.sla.calendar import SHANGHAI, Deadline, WorkCalendar
from backend.sla.deadlines import add_duration, all_dues, due, extended_due, reminder_at
from backend.sla.profiles import (
    CLOCKS,
    PROFILE_NAMES,
    SOURCES,
    Duration,
    Unit,
    clock_rule,
    clocks,
    level_rule,
    levels,
    load_profile,
    rules_for,
    source_names,
)

CAL = WorkCalendar(package_years=range(2004, 2027))  # 2027 provisional even in later releases


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


WED = "2026-11-18T10:00"  # an ordinary week: Wed 11-18 … Fri 11-20, Mon 11-23 …
FRI = "2026-11-20T10:00"
EVE = "2026-09-30T16:00"  # before the National Day week; Sat 10-10 is a make-up day
SPRING = "2026-02-13T10:00"  # Fri before 春节; Sat 02-14 and Sat 02-28 are make-up days


def rule_due(profile_name: str, source: str, level: str, what: str, start: datetime) -> Deadline:
    """A clock of the level, or a profile rule (return/extension/redo) started at ``start``."""
    profile = load_profile(profile_name)
    rules = rules_for(profile, source)
    extension = level_rule(profile, source, level).extension
    durations: dict[str, Duration | None] = {
        "return_window": rules.return_window.window,
        "return_late": rules.return_window.late_window,
        "redo_after_unsatisfied": rules.redo_after_unsatisfied,
        "extension_max": extension.max_total,
        "extension_special_30": extension.special[0] if extension.special else None,
        "supervision_reply": rules.supervision.reply_within,
    }
    if what in durations:
        duration = durations[what]
        assert duration is not None, f"{profile_name} has no {what}"
        return add_duration(start, duration, CAL)
    return due(profile, source, level, what, start, CAL)


# (profile, source, level, clock or rule, start, expected due) — each row cites its seed.
TABLE: list[tuple[str, str, str, str, str, str]] = [
    # 000 jiangning: grid simple 2 h; general on scene 30 min + resolve 24 h; difficult 3 days
    # after extension, at most 7; hotline urgent/simple 1, general 5, difficult ≤ 15 days.
    ("jiangning", "patrol", "simple", "resolve", WED, "2026-11-18T12:00"),
    ("jiangning", "patrol", "simple", "dispatch", WED, "2026-11-18T10:30"),
    ("jiangning", "patrol", "general", "check_in", WED, "2026-11-18T10:30"),
    ("jiangning", "patrol", "general", "resolve", FRI, "2026-11-21T10:00"),  # 24 h, natural
    ("jiangning", "patrol", "difficult", "resolve", WED, "2026-11-23T10:00"),
    ("jiangning", "patrol", "difficult", "extension_max", WED, "2026-11-27T10:00"),
    ("jiangning", "hotline", "urgent", "resolve", FRI, "2026-11-23T10:00"),
    ("jiangning", "hotline", "simple", "resolve", WED, "2026-11-19T10:00"),
    ("jiangning", "hotline", "general", "resolve", WED, "2026-11-25T10:00"),
    ("jiangning", "hotline", "general", "first_contact", EVE, "2026-10-08T16:00"),
    ("jiangning", "hotline", "difficult", "extension_max", WED, "2026-12-09T10:00"),
    ("jiangning", "inspector", "general", "check_in", WED, "2026-11-18T10:30"),
    # 一(二)4: the supervision notice is answered within 5 working days (10-10 is a make-up day).
    ("jiangning", "hotline", "general", "supervision_reply", EVE, "2026-10-13T16:00"),
    # 001 heyang: dispatch 30 min, respond 30 min, on scene 2 h; 3 / 5 / 10 working days.
    ("heyang", "patrol", "general", "dispatch", WED, "2026-11-18T10:30"),
    ("heyang", "patrol", "general", "accept", WED, "2026-11-18T10:30"),
    ("heyang", "patrol", "general", "check_in", WED, "2026-11-18T12:00"),
    ("heyang", "patrol", "simple", "resolve", WED, "2026-11-18T12:00"),
    ("heyang", "patrol", "general", "resolve", WED, "2026-11-23T10:00"),
    ("heyang", "patrol", "major", "resolve", WED, "2026-11-25T10:00"),
    ("heyang", "patrol", "cross_department", "resolve", WED, "2026-12-02T10:00"),
    ("heyang", "hotline", "major", "resolve", EVE, "2026-10-13T16:00"),  # 08 09 Sat10 12 13
    ("heyang", "hotline", "general", "return_window", WED, "2026-11-20T10:00"),
    # Silent on extensions: one, of at most the level's own term (3 + 3 working days).
    ("heyang", "patrol", "general", "extension_max", WED, "2026-11-26T10:00"),
    # 002 xiayang: accept + first contact 1 working day, handle 5, redo 3 after an unsatisfied
    # callback, special orders 2 (department's share), 随身拍 3 natural days, returns within 2.
    ("xiayang", "hotline", "general", "first_contact", FRI, "2026-11-23T10:00"),
    ("xiayang", "hotline", "general", "accept", WED, "2026-11-19T10:00"),
    ("xiayang", "hotline", "general", "resolve", WED, "2026-11-25T10:00"),
    ("xiayang", "hotline", "general", "resolve", EVE, "2026-10-13T16:00"),
    ("xiayang", "hotline", "general", "redo_after_unsatisfied", FRI, "2026-11-25T10:00"),
    ("xiayang", "hotline", "urgent", "resolve", FRI, "2026-11-24T10:00"),
    ("xiayang", "hotline", "review", "resolve", WED, "2026-11-20T10:00"),
    ("xiayang", "hotline", "general", "return_window", FRI, "2026-11-24T10:00"),
    ("xiayang", "snapshot", "general", "resolve", FRI, "2026-11-23T10:00"),
    ("xiayang", "patrol", "general", "resolve", WED, "2026-11-25T10:00"),
    ("xiayang", "hotline", "general", "extension_max", WED, "2026-12-02T10:00"),  # 5 + 5
    # 003 zhenru: urgent 1, consult 3, general 5, complex 5–7 (7), difficult 12 working days,
    # 回访复核 3; 随申拍 3 natural days (of the platform's 5); returns 2 (late 3) working days,
    # 随申拍 1 natural day; extension to the 12th working day; special 30/60/90 natural days.
    ("zhenru", "hotline", "urgent", "resolve", FRI, "2026-11-23T10:00"),
    ("zhenru", "hotline", "consult", "resolve", WED, "2026-11-23T10:00"),
    ("zhenru", "hotline", "general", "resolve", WED, "2026-11-25T10:00"),
    ("zhenru", "hotline", "complex", "resolve", WED, "2026-11-27T10:00"),
    ("zhenru", "hotline", "difficult", "resolve", WED, "2026-12-04T10:00"),
    ("zhenru", "hotline", "difficult", "resolve", SPRING, "2026-03-09T10:00"),
    ("zhenru", "hotline", "review", "resolve", WED, "2026-11-23T10:00"),
    ("zhenru", "hotline", "general", "first_contact", EVE, "2026-10-08T16:00"),
    ("zhenru", "hotline", "general", "redo_after_unsatisfied", WED, "2026-11-23T10:00"),
    ("zhenru", "hotline", "general", "return_window", WED, "2026-11-20T10:00"),
    ("zhenru", "hotline", "general", "return_late", WED, "2026-11-23T10:00"),
    ("zhenru", "hotline", "general", "extension_max", WED, "2026-12-04T10:00"),
    ("zhenru", "hotline", "general", "extension_special_30", WED, "2026-12-18T10:00"),
    ("zhenru", "snapshot", "general", "resolve", FRI, "2026-11-23T10:00"),
    ("zhenru", "snapshot", "general", "extension_max", FRI, "2026-11-25T10:00"),
    ("zhenru", "snapshot", "general", "return_window", FRI, "2026-11-21T10:00"),
    ("zhenru", "patrol", "urgent", "resolve", WED, "2026-11-19T10:00"),
    # 004 dongcheng: levels 一般/重大/紧急 (numbers are the profile's defaults, the seed leaves
    # them to the platform); return within 2 days.
    ("dongcheng", "hotline", "general", "resolve", WED, "2026-11-25T10:00"),
    ("dongcheng", "hotline", "major", "resolve", WED, "2026-12-03T10:00"),
    ("dongcheng", "hotline", "urgent", "resolve", FRI, "2026-11-21T10:00"),
    ("dongcheng", "hotline", "general", "return_window", FRI, "2026-11-24T10:00"),
    ("dongcheng", "media", "urgent", "dispatch", WED, "2026-11-18T10:30"),
    ("dongcheng", "hotline", "general", "extension_max", WED, "2026-12-02T10:00"),  # 7 + 7
    ("dongcheng", "hotline", "general", "supervision_reply", FRI, "2026-11-21T10:00"),  # 24 h
]


@pytest.mark.parametrize(("profile", "source", "level", "clock", "start", "expected"), TABLE)
def test_profile_yields_the_seed_deadline(
    profile: str, source: str, level: str, clock: str, start: str, expected: str
) -> None:
    result = rule_due(profile, source, level, clock, at(start))
    assert result.due_at == at(expected)
    assert result.due_at.isoformat().endswith("+08:00")
    assert not result.provisional


def test_every_profile_is_covered_by_the_table() -> None:
    assert {row[0] for row in TABLE} == set(PROFILE_NAMES)


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_profile_loads_and_answers_every_source(name: str) -> None:
    profile = load_profile(name)
    assert (
        profile.name == name
        and profile.label
        and profile.seed.startswith(f"{PROFILE_NAMES.index(name):03d}_")
    )
    assert set(source_names(profile)) == set(SOURCES)
    for source in SOURCES:
        for level in levels(profile, source):
            level_clocks = clocks(profile, source, level)
            assert "dispatch" in level_clocks and "resolve" in level_clocks
            assert set(level_clocks) <= set(CLOCKS)
    assert profile.rules.dispatch_target == Duration(30, Unit.MINUTES)


LEVEL_NAMES = {
    "jiangning": {"patrol": ["simple", "general", "difficult"],
                  "hotline": ["urgent", "simple", "general", "difficult"]},
    "heyang": {"patrol": ["simple", "general", "major", "cross_department"]},
    "xiayang": {"hotline": ["general", "urgent", "sub_urgent", "review"],
                "snapshot": ["general"]},
    "zhenru": {"hotline": ["urgent", "consult", "general", "complex", "difficult", "review"],
               "snapshot": ["general"]},
    "dongcheng": {"hotline": ["general", "major", "urgent"]},
}  # fmt: skip


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_level_names(name: str) -> None:
    profile = load_profile(name)
    for source, names in LEVEL_NAMES[name].items():
        assert list(levels(profile, source)) == names


def test_all_dues_on_dispatch() -> None:
    profile = load_profile("jiangning")
    dues = all_dues(profile, "patrol", "general", at(WED), CAL)
    assert {k: v.due_at for k, v in dues.items()} == {
        "dispatch": at("2026-11-18T10:30"),
        "check_in": at("2026-11-18T10:30"),
        "resolve": at("2026-11-19T10:00"),
    }
    default = all_dues(profile, "hotline", None, at(WED), CAL)  # None = the default level
    assert default["resolve"].due_at == at("2026-11-25T10:00")


def test_provisional_due_names_the_year() -> None:
    result = due(
        load_profile("zhenru"), "hotline", "general", "resolve", at("2026-12-28T09:00"), CAL
    )
    assert result.due_at == at("2027-01-05T09:00")  # 29 30 31 | Mon 01-04, Tue 01-05 (guessed)
    assert result.provisional and result.provisional_years == {2027}


@pytest.mark.parametrize(
    ("source", "level", "clock", "message"),
    [
        ("tv", "general", "resolve", r"unknown source 'tv'.*hotline, snapshot, patrol"),
        ("hotline", "major", "resolve", r"unknown level 'major'.*urgent, consult, general"),
        ("hotline", "general", "check_in", r"unknown clock 'check_in'.*first_contact, resolve"),
    ],
)
def test_unknown_choices_list_the_valid_ones(
    source: str, level: str, clock: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        due(load_profile("zhenru"), source, level, clock, at(WED), CAL)


# -- overrides and validation ----------------------------------------------------------------


def test_override_deep_merges_one_number() -> None:
    override = {
        "sources": {"patrol": {"levels": {"general": {"clocks": {"resolve": {"amount": 4}}}}}}
    }
    profile = load_profile("jiangning", override)
    assert clocks(profile, "patrol", "general")["resolve"] == Duration(4, Unit.HOURS)
    assert clocks(profile, "patrol", "general")["check_in"] == Duration(30, Unit.MINUTES)
    assert clocks(profile, "patrol", "simple")["resolve"] == Duration(2, Unit.HOURS)
    assert clocks(load_profile("jiangning"), "patrol", "general")["resolve"].amount == 24


def test_override_rules_and_add_a_level() -> None:
    profile = load_profile(
        "dongcheng",
        {
            "rules": {
                "dispatch_target": {"amount": 15},
                "return_window": {"window": {"unit": "natural_days"}},
            },
            "sources": {
                "hotline": {
                    "levels": {
                        "consult": {
                            "label": "咨询",
                            "clocks": {"resolve": {"amount": 3, "unit": "working_days"}},
                        }
                    }
                }
            },
        },
    )
    assert clocks(profile, "hotline", "consult") == {
        "dispatch": Duration(15, Unit.MINUTES),
        "resolve": Duration(3, Unit.WORKING_DAYS),
    }
    assert rules_for(profile, "media").return_window.window == Duration(2, Unit.NATURAL_DAYS)


@pytest.mark.parametrize(
    ("override", "path"),
    [
        (
            {
                "sources": {
                    "patrol": {"levels": {"general": {"clocks": {"resolve": {"amount": -1}}}}}
                }
            },
            "sources.patrol.levels.general.clocks.resolve.amount",
        ),
        (
            {
                "sources": {
                    "patrol": {"levels": {"general": {"clocks": {"resolve": {"unit": "weeks"}}}}}
                }
            },
            "sources.patrol.levels.general.clocks.resolve.unit",
        ),
        (
            {
                "sources": {
                    "patrol": {"levels": {"general": {"clocks": {"on_scene": {"amount": 1}}}}}
                }
            },
            "sources.patrol.levels.general.clocks.on_scene",
        ),
        ({"sources": {"hotline": {"default_level": "major"}}}, "sources.hotline.default_level"),
        ({"rules": {"reminder_fraction": 2}}, "rules.reminder_fraction"),
        ({"rules": {"extension": {"counted_from": "tomorrow"}}}, "rules.extension.counted_from"),
        ({"aliases": {"media": "tv"}}, "aliases.media"),
        ({"rules": {"closure": {"max_attachments": 0}}}, "rules.closure.max_attachments"),
        ({"rules": {"closure": {"max_files": 3}}}, "rules.closure.max_files"),
        (
            {"rules": {"return_window": {"max_redispatch": True}}},
            "rules.return_window.max_redispatch",
        ),
        (
            {"rules": {"first_contact": {"levels": ["department", "command_center"]}}},
            "rules.first_contact.levels",
        ),
        ({"rules": {"store": {"allowed": "yes"}}}, "rules.store.allowed"),
        (
            {"rules": {"verification": {"max_failed_checks": -5}}},
            "rules.verification.max_failed_checks",
        ),
        (
            {"rules": {"supervision": {"reply_within": {"unit": "weeks"}}}},
            "rules.supervision.reply_within.unit",
        ),
        ({"rules": {"extension": {"leader_beyond": 1}}}, "rules.extension.leader_beyond"),
        ({"sources": {"tv": {}}}, "sources.tv"),
        ({"colour": "red"}, "colour"),
        # A source's partial rules and a level's extension are checked where they are written.
        (
            {"sources": {"patrol": {"rules": {"return_window": {"window": {"amount": 0}}}}}},
            "sources.patrol.rules.return_window.window.amount",
        ),
        (
            {"sources": {"hotline": {"levels": {"urgent": {"extension": {"steps": 2}}}}}},
            "sources.hotline.levels.urgent.extension.steps",
        ),
        (
            {"sources": {"hotline": {"levels": {"general": {"extension": {"special": [{}]}}}}}},
            "sources.hotline.levels.general.extension.special[0].amount",
        ),
        (
            {"sources": {"hotline": {"levels": {"Urgent": {"label": "紧急"}}}}},
            "sources.hotline.levels.Urgent",
        ),
        ({"rules": {"reminder_lead": {"hours": None}}}, "rules.reminder_lead.hours"),
        ({"aliases": {"hotline": "patrol"}}, "aliases.hotline"),
        ({"name": "zhenru"}, "name"),
    ],
)
def test_bad_override_names_profile_and_path(override: dict[str, Any], path: str) -> None:
    with pytest.raises(ValueError) as caught:
        load_profile("jiangning", override)
    assert str(caught.value).startswith(f"profile 'jiangning': {path}:")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"colour": "red"}, "colour: unknown key"),
        (
            {"rules": {"store": {"allowed": True, "max_calls": 5}}},
            "rules.store.max_calls: unknown key",
        ),
        (
            {"sources": {"patrol": {"levels": {"general": {"clocks": {"on_scene": {}}}}}}},
            "sources.patrol.levels.general.clocks.on_scene: unknown key (expected 'dispatch'",
        ),
        ({"sources": {"tv": {}}}, "sources.tv: unknown key (expected 'patrol'"),
        (
            {"sources": {"hotline": {"levels": {"consult": {"clocks": {}}}}}},
            "sources.hotline.levels.consult.label: missing",
        ),
        (
            {"rules": {"store": {"min_calls": 0}}},
            "rules.store.min_calls: Input should be greater than 0 (got 0)",
        ),
        ({"aliases": {"media": "tv"}}, "aliases.media: 'tv' is not one of: patrol, hotline"),
    ],
)
def test_bad_override_says_what_is_wrong(override: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        load_profile("jiangning", override)
    assert str(caught.value).startswith(f"profile 'jiangning': {message}")


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match=r"unknown profile 'shanghai'.*jiangning"):
        load_profile("shanghai")


# -- reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "source", "level", "clock", "start", "reminder"),
    [
        # 000: "到期前2个工作日" — 5 working days from Wed → due Wed 11-25, remind Mon 11-23.
        ("jiangning", "hotline", "general", "resolve", WED, "2026-11-23T10:00"),
        # 1 working day: 2 working days before would precede the start → 4 hours before due.
        ("jiangning", "hotline", "urgent", "resolve", FRI, "2026-11-23T06:00"),
        # The 30-minute dispatch clock: warn at 20 minutes (10 minutes before).
        ("heyang", "patrol", "general", "dispatch", WED, "2026-11-18T10:20"),
        # 2 hours on scene: a 2-hour lead does not fit → 30 minutes before.
        ("heyang", "patrol", "general", "check_in", WED, "2026-11-18T11:30"),
        # 24 hours: 2 hours before.
        ("jiangning", "patrol", "general", "resolve", WED, "2026-11-19T08:00"),
        # 3 natural days: 1 day before.
        ("zhenru", "snapshot", "general", "resolve", FRI, "2026-11-22T10:00"),
        # Across National Day: 12 working days → remind 2 working days before.
        ("zhenru", "hotline", "difficult", "resolve", EVE, "2026-10-20T16:00"),
    ],
)
def test_reminder_at(
    profile: str, source: str, level: str, clock: str, start: str, reminder: str
) -> None:
    loaded = load_profile(profile)
    rule = clock_rule(loaded, source, level, clock)
    deadline = due(loaded, source, level, clock, at(start), CAL)
    result = reminder_at(loaded, rule, at(start), deadline, CAL)
    assert result.due_at == at(reminder)
    assert at(start) < result.due_at < deadline.due_at


def test_reminder_falls_back_to_a_fraction() -> None:
    profile = load_profile("heyang", {"sources": {"patrol": {"clocks": {"accept": {"amount": 8}}}}})
    rule = clock_rule(profile, "patrol", "general", "accept")  # 8 minutes: a 10-minute lead misfits
    start = at(WED)
    result = reminder_at(
        profile, rule, start, due(profile, "patrol", "general", "accept", start, CAL), CAL
    )
    assert result.due_at == at("2026-11-18T10:06")  # a quarter of the clock left


def test_reminder_of_a_provisional_due_is_provisional() -> None:
    profile = load_profile("zhenru")
    rule = clock_rule(profile, "hotline", "general", "resolve")
    start = at("2026-12-28T09:00")
    deadline = due(profile, "hotline", "general", "resolve", start, CAL)
    result = reminder_at(profile, rule, start, deadline, CAL)
    assert result.due_at == at("2026-12-31T09:00")
    assert result.provisional_years == {2027}


# -- extensions --------------------------------------------------------------------------------


def test_extension_steps_and_caps() -> None:
    jiangning = load_profile("jiangning")
    start = at(WED)
    first = due(jiangning, "hotline", "general", "resolve", start, CAL).due_at  # 11-25
    second = extended_due(jiangning, "hotline", "general", start, first, CAL)
    assert second.due_at == at("2026-12-02T10:00")  # + 5 working days
    third = extended_due(jiangning, "hotline", "general", start, second.due_at, CAL)
    assert third.due_at == at("2026-12-09T10:00")  # 15 working days from the start
    capped = extended_due(jiangning, "hotline", "general", start, third.due_at, CAL)
    assert capped.due_at == at("2026-12-09T10:00")
    with pytest.raises(ValueError, match="cannot be extended"):
        extended_due(jiangning, "hotline", "urgent", start, first, CAL)


def test_grid_difficult_extension_counts_from_approval() -> None:
    jiangning = load_profile("jiangning")
    start = at(WED)
    result = extended_due(
        jiangning, "patrol", "difficult", start, at("2026-11-19T10:00"), CAL,
        approved_at=at("2026-11-19T09:00"),
    )  # fmt: skip
    assert result.due_at == at("2026-11-24T09:00")  # 3 working days after approval
    late = extended_due(
        jiangning, "patrol", "difficult", start, at("2026-11-25T10:00"), CAL,
        approved_at=at("2026-11-25T09:00"),
    )  # fmt: skip
    assert late.due_at == at("2026-11-27T10:00")  # capped: 7 working days from the start


def test_requested_extension_is_capped_at_the_12th_working_day() -> None:
    zhenru = load_profile("zhenru")
    start = at(WED)
    current = due(zhenru, "hotline", "general", "resolve", start, CAL).due_at
    ok = extended_due(
        zhenru, "hotline", "general", start, current, CAL, requested=at("2026-12-01T17:00")
    )
    assert ok.due_at == at("2026-12-01T17:00")
    capped = extended_due(
        zhenru, "hotline", "general", start, current, CAL, requested=at("2026-12-31T17:00")
    )
    assert capped.due_at == at("2026-12-04T10:00")
    with pytest.raises(ValueError, match="cannot be extended"):
        extended_due(zhenru, "snapshot", "general", start, current, CAL, requested=current)
    with pytest.raises(ValueError, match="cannot be extended"):
        extended_due(
            load_profile("xiayang"), "snapshot", "general", start, current, CAL, requested=current
        )


@pytest.mark.parametrize("name", ["heyang", "xiayang", "dongcheng"])
def test_silent_seeds_allow_one_extension_then_a_leader(name: str) -> None:
    source = "patrol" if name == "heyang" else "hotline"
    profile = load_profile(name)
    for level in levels(profile, source):
        rule = level_rule(profile, source, level).extension
        resolve = clocks(profile, source, level)["resolve"]
        assert rule.allowed and rule.step is None and rule.max_count == 1 and rule.leader_beyond
        assert rule.max_total == Duration(resolve.amount * 2, resolve.unit)


# -- lifecycle rules carried by every profile ----------------------------------------------------


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_lifecycle_rules_in_every_profile(name: str) -> None:
    rules = load_profile(name).rules
    assert rules.verification.max_failed_checks == 5
    assert rules.return_window.max_redispatch == 1
    assert rules.return_window.leader_after_returns == 2
    assert rules.return_window.coordination_after_departments == 3
    zhenru = name == "zhenru"
    assert rules.return_window.requires_signoff_photo is (name in ("zhenru", "xiayang"))
    assert rules.store.allowed is zhenru
    assert rules.first_contact.levels == (
        ("command_center", "department") if zhenru else ("department",)
    )
    assert rules.first_contact.failed_attempts_before_sms == 3
    if zhenru:
        assert (rules.closure.max_attachments, rules.closure.max_attachment_bytes) == (
            3, 10 * 1024 * 1024,
        )  # fmt: skip
        assert rules.store.min_calls == 5
    else:
        assert rules.closure.max_attachments is None is rules.closure.max_attachment_bytes
    reply = Duration(24, Unit.HOURS) if name == "dongcheng" else Duration(5, Unit.WORKING_DAYS)
    assert rules.supervision.reply_within == reply


def test_source_rules_inherit_the_lifecycle_rules() -> None:
    snapshot = rules_for(load_profile("zhenru"), "snapshot")
    assert snapshot.return_window.window == Duration(1, Unit.NATURAL_DAYS)
    assert snapshot.return_window.requires_signoff_photo  # merged from the profile-wide rules
    assert snapshot.closure.max_attachments == 3


def test_calendar_overrides_reach_profile_deadlines() -> None:
    moved = WorkCalendar({date(2026, 11, 20): False}, (), package_years=range(2004, 2027))
    result = due(load_profile("heyang"), "patrol", "general", "resolve", at(WED), moved)
    assert result.due_at == at("2026-11-24T10:00")  # Fri off: 19, 23, 24
