"""Lifecycle rules per profile: first contact, returns, extensions, verification, callback,
supervision and 存电 (seeds 000, 002, 003, 004)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.sla.calendar import SHANGHAI, WorkCalendar
from backend.sla.deadlines import due
from backend.sla.profiles import (
    PROFILE_NAMES,
    Duration,
    Unit,
    level_rule,
    load_profile,
    rules_for,
    source_rule,
)
from backend.workorders.disposal.rules import (
    StoreRequest,
    check_store_request,
)
from backend.workorders.extensions.rules import (
    Approver,
    check_extension_request,
)
from backend.workorders.handling.rules import (
    ContactMethod,
    check_first_contact,
)
from backend.workorders.returns.rules import (
    ReturnDecision,
    ReturnFact,
    check_return_decision,
    check_return_request,
)
from backend.workorders.review.rules import (
    RESOLUTIONS,
    SATISFACTIONS,
    SUPERVISION_KINDS,
    SUPERVISION_LEVELS,
    callback_outcome,
    check_supervision,
    supervision_reply_due,
    verification_outcome,
)
from backend.workorders.violations import (
    RuleViolation,
)

CAL = WorkCalendar(package_years=range(2004, 2027))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


WED = "2026-11-18T10:00"  # Wed; Thu 11-19, Fri 11-20, Mon 11-23 …
FRI = "2026-11-20T10:00"
EVE = "2026-09-30T16:00"  # before National Day (10-01…10-07 off, Sat 10-10 a make-up day)


def ask_return(
    profile: str, dispatched: str, now: str, *, source: str = "hotline", **kw: Any
) -> Any:
    kw.setdefault("prior_returns", [])
    kw.setdefault("department_id", 1)
    kw.setdefault("has_leader_signoff_photo", True)
    return check_return_request(
        dispatched_at=at(dispatched),
        now=at(now),
        rule=rules_for(load_profile(profile), source).return_window,
        calendar=CAL,
        **kw,
    )


def code_of(fn: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kw)
    assert caught.value.message
    return caught.value.code


# -- returns -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["zhenru", "xiayang", "dongcheng"])
def test_return_allowed_the_next_working_day_and_at_the_end_of_the_window(profile: str) -> None:
    assert not ask_return(profile, WED, "2026-11-19T09:00").late
    result = ask_return(profile, WED, "2026-11-20T10:00")  # 2 working days, inclusive
    assert not result.late and result.window_ends_at == at("2026-11-20T10:00")


@pytest.mark.parametrize("profile", ["xiayang", "dongcheng", "jiangning", "heyang"])
def test_return_refused_after_the_window(profile: str) -> None:
    assert code_of(ask_return, profile, WED, "2026-11-20T10:01") == "return_window_expired"


def test_return_window_spans_a_weekend() -> None:
    # xiayang: dispatched Friday → Mon and Tue 10:00 are the two working days.
    assert ask_return("xiayang", FRI, "2026-11-23T17:00").window_ends_at == at("2026-11-24T10:00")
    with pytest.raises(RuleViolation) as caught:
        ask_return("xiayang", FRI, "2026-11-24T10:30")
    assert caught.value.code == "return_window_expired"
    assert "2个工作日" in caught.value.message and "2026-11-24 10:00" in caught.value.message


def test_return_window_spans_a_holiday() -> None:
    assert ask_return("xiayang", EVE, "2026-10-06T12:00").window_ends_at == at("2026-10-09T16:00")


def test_zhenru_late_return_needs_a_reason_and_ends_at_72_hours() -> None:
    with pytest.raises(RuleViolation) as caught:
        ask_return("zhenru", WED, "2026-11-21T10:00")
    assert caught.value.code == "late_reason_required"
    late = ask_return("zhenru", WED, "2026-11-23T10:00", late_reason="需调取原始图纸确认产权")
    assert late.late
    assert code_of(ask_return, "zhenru", WED, "2026-11-23T10:01", late_reason="x") == (
        "return_window_expired"
    )


def test_zhenru_snapshot_window_is_one_natural_day() -> None:
    ask_return("zhenru", FRI, "2026-11-21T10:00", source="snapshot")
    code = code_of(ask_return, "zhenru", FRI, "2026-11-21T10:01", source="snapshot")
    assert code == "return_window_expired"


def test_zhenru_return_needs_the_signoff_photo() -> None:
    code = code_of(ask_return, "zhenru", WED, "2026-11-19T09:00", has_leader_signoff_photo=False)
    assert code == "signoff_photo_required"
    ask_return("dongcheng", WED, "2026-11-19T09:00", has_leader_signoff_photo=False)


def test_second_return_by_another_department_needs_a_leader() -> None:
    first = ask_return("xiayang", WED, "2026-11-19T09:00")
    assert not first.needs_leader and not first.coordination_needed and first.departments == 1
    second = ask_return(
        "xiayang", WED, "2026-11-19T09:00",
        prior_returns=[ReturnFact(1, ReturnDecision.approved)], department_id=2,
    )  # fmt: skip
    assert second.needs_leader and second.leader_reasons == ("repeat_return",)
    assert not second.coordination_needed and second.departments == 2


def test_an_order_marked_repeat_needs_a_leader() -> None:
    result = ask_return("zhenru", WED, "2026-11-19T09:00", marked_repeat=True)
    assert result.needs_leader and result.leader_reasons == ("marked_repeat",)


def test_third_distinct_department_calls_for_coordination() -> None:
    two = [ReturnFact(1, "approved"), ReturnFact(2, "approved")]
    third = ask_return("dongcheng", WED, "2026-11-19T09:00", prior_returns=two, department_id=3)
    assert third.coordination_needed and third.departments == 3 and third.needs_leader
    again = ask_return("dongcheng", WED, "2026-11-19T09:00", prior_returns=two, department_id=2)
    assert not again.coordination_needed and again.departments == 2


def test_a_pending_return_blocks_another() -> None:
    pending = [ReturnFact(1, "pending")]
    code = code_of(ask_return, "xiayang", WED, "2026-11-19T09:00", prior_returns=pending)
    assert code == "return_pending"


def test_return_decision_leader_and_one_redispatch() -> None:
    rule = rules_for(load_profile("xiayang"), "hotline").return_window
    check_return_decision(
        approve=True, needs_leader=False, by_leader=False, prior_returns=[], rule=rule
    )
    kw: dict[str, Any] = {"approve": False, "prior_returns": [], "rule": rule}
    assert code_of(check_return_decision, needs_leader=True, by_leader=False, **kw) == (
        "leader_required"
    )
    check_return_decision(needs_leader=True, by_leader=True, **kw)
    # A deployment that leaves the second return to the command center still re-dispatches once.
    relaxed = dataclasses.replace(rule, leader_after_returns=3)
    prior = [ReturnFact(1, "approved")]
    code = code_of(
        check_return_decision, approve=True, needs_leader=False, by_leader=False,
        prior_returns=prior, rule=relaxed,
    )  # fmt: skip
    assert code == "redispatch_limit_reached"
    check_return_decision(
        approve=False, needs_leader=False, by_leader=False, prior_returns=prior, rule=relaxed
    )


# -- extensions ------------------------------------------------------------------------------


def extend(profile: str, source: str, level: str, now: str, **kw: Any) -> Any:
    loaded = load_profile(profile)
    start = at(kw.pop("start", WED))
    current = kw.pop("current_due", None)
    current_due = (
        at(current) if current else due(loaded, source, level, "resolve", start, CAL).due_at
    )
    kw.setdefault("reason", "需协调产权单位")
    kw.setdefault("plan", "12月1日前完成维修")
    return check_extension_request(
        profile=loaded, source=source, level=level, start=start, current_due=current_due,
        now=at(now), calendar=CAL, **kw,
    )  # fmt: skip


def test_zhenru_extension_up_to_the_12th_working_day() -> None:
    ok = extend(
        "zhenru", "hotline", "general", "2026-11-23T10:00", requested=at("2026-12-01T17:00")
    )
    assert ok.approver is Approver.command_center and ok.new_due.due_at == at("2026-12-01T17:00")
    # Issue 10 rule 8 (seed 003 三(三)2: 最长可延期至第12个工作日): a date past the cap is
    # refused with the latest date allowed, never silently cut to it.
    with pytest.raises(RuleViolation) as beyond:
        extend("zhenru", "hotline", "general", "2026-11-23T10:00", requested=at("2026-12-31T17:00"))
    assert beyond.value.code == "extension_beyond_cap" and beyond.value.field == "requested"
    assert "2026-12-04 10:00" in beyond.value.message
    with pytest.raises(RuleViolation) as caught:
        extend(
            "zhenru", "hotline", "general", "2026-12-01T10:00",
            current_due="2026-12-04T10:00", requested=at("2026-12-20T10:00"),
        )  # fmt: skip
    assert caught.value.code == "extension_cap_reached" and "特殊延期" in caught.value.message


def test_zhenru_extension_must_be_asked_a_working_day_ahead() -> None:
    # due Wed 11-25 10:00 → ask by Tue 11-24 10:00
    extend("zhenru", "hotline", "general", "2026-11-24T10:00", requested=at("2026-12-01T17:00"))
    with pytest.raises(RuleViolation) as caught:
        extend("zhenru", "hotline", "general", "2026-11-24T10:01", requested=at("2026-12-01T17:00"))
    assert caught.value.code == "extension_too_late" and "1个工作日" in caught.value.message


def test_special_30_day_extension_needs_a_leader() -> None:
    result = extend(
        "zhenru", "hotline", "difficult", "2026-11-30T10:00",
        special=Duration(30, Unit.NATURAL_DAYS),
    )  # fmt: skip
    assert result.special and result.approver is Approver.leader
    assert result.new_due.due_at == at("2027-01-03T10:00")  # due 12-04 + 30 natural days
    code = code_of(
        extend, "zhenru", "hotline", "difficult", "2026-11-30T10:00",
        special=Duration(45, Unit.NATURAL_DAYS),
    )  # fmt: skip
    assert code == "special_extension_not_allowed"


def test_not_extendable_orders() -> None:
    assert code_of(extend, "zhenru", "snapshot", "general", "2026-11-18T12:00") == (
        "extension_not_allowed"
    )
    assert code_of(extend, "jiangning", "hotline", "urgent", "2026-11-18T12:00") == (
        "extension_not_allowed"
    )


def test_extension_needs_reason_plan_and_watermark_photos() -> None:
    now, when = "2026-11-19T10:00", at("2026-11-30T10:00")
    assert code_of(extend, "zhenru", "hotline", "general", now, reason=" ") == "reason_required"
    assert code_of(extend, "zhenru", "hotline", "general", now, plan="") == "plan_required"
    code = code_of(extend, "zhenru", "hotline", "general", now, requested=when, has_scene=True)
    assert code == "scene_photo_required"
    extend(
        "zhenru", "hotline", "general", now, requested=when, has_scene=True,
        has_watermark_photo=True,
    )  # fmt: skip


def test_jiangning_steps_of_five_working_days() -> None:
    result = extend("jiangning", "hotline", "general", "2026-11-20T10:00")
    assert result.approver is Approver.command_center
    assert result.new_due.due_at == at("2026-12-02T10:00")


@pytest.mark.parametrize(
    ("profile", "source", "level", "cap"),
    [
        ("heyang", "patrol", "general", "2026-11-26T10:00"),  # 3 + 3 working days
        ("xiayang", "hotline", "general", "2026-12-02T10:00"),  # 5 + 5 working days
        ("dongcheng", "hotline", "general", "2026-12-02T10:00"),  # 7 + 7 natural days
    ],
)
def test_silent_seeds_one_extension_then_a_leader(
    profile: str, source: str, level: str, cap: str
) -> None:
    now = "2026-11-19T10:00"
    within = extend(profile, source, level, now, requested=at(cap))
    assert within.approver is Approver.command_center and within.new_due.due_at == at(cap)
    beyond = extend(profile, source, level, now, requested=at(cap) + timedelta(days=2))
    assert beyond.approver is Approver.leader and not beyond.capped
    second = extend(profile, source, level, now, requested=at(cap), approved_extensions=1)
    assert second.approver is Approver.leader


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_profile_can_approve_an_extension_of_its_default_order(name: str) -> None:
    # Some source's default order; jiangning's 一般 grid case is not extended (seed 000: only
    # 疑难), its hotline 一般案件 is.
    profile = load_profile(name)
    source = next(
        s
        for s in profile.sources
        if level_rule(profile, s, source_rule(profile, s).default_level).extension.allowed
    )
    level = source_rule(profile, source).default_level
    start = at(WED)
    current = due(profile, source, level, "resolve", start, CAL).due_at
    result = check_extension_request(
        profile=profile, source=source, level=level, start=start, current_due=current,
        now=start + timedelta(hours=1), calendar=CAL, requested=current + timedelta(hours=2),
        reason="r", plan="p",
    )  # fmt: skip
    assert result.approver is Approver.command_center
    assert result.new_due.due_at > current


# -- verification, callback --------------------------------------------------------------------


def test_more_than_five_failed_checks_start_overdue_supervision() -> None:
    limit = load_profile("jiangning").rules.verification.max_failed_checks
    assert limit == 5
    fifth = verification_outcome(4, passed=False, max_failed_checks=limit)
    assert fifth.failed_checks == 5 and not fifth.overdue_supervision
    sixth = verification_outcome(5, passed=False, max_failed_checks=limit)
    assert sixth.failed_checks == 6 and sixth.overdue_supervision and sixth.start_supervision
    seventh = verification_outcome(6, passed=False, max_failed_checks=limit)
    assert seventh.overdue_supervision and not seventh.start_supervision
    passed = verification_outcome(6, passed=True, max_failed_checks=limit)
    assert passed.failed_checks == 6 and not passed.overdue_supervision


@pytest.mark.parametrize(
    ("satisfaction", "resolution", "warning"),
    [
        ("unsatisfied", "resolved", True),
        ("unsatisfied", "unresolved", True),
        ("neutral", "unresolved", True),
        ("neutral", "resolved", False),
        ("satisfied", "unresolved", False),
        ("basically_satisfied", "explained", False),
        ("satisfied", "filed_for_reference", False),
    ],
)
def test_callback_warning_orders(satisfaction: str, resolution: str, warning: bool) -> None:
    outcome = callback_outcome(satisfaction, resolution)
    assert outcome.warning_order is warning
    assert outcome.unsatisfied is (satisfaction == "unsatisfied")
    assert (outcome.reason is not None) is warning


def test_callback_vocabulary() -> None:
    assert list(SATISFACTIONS.values()) == ["满意", "基本满意", "一般", "不满意"]
    assert list(RESOLUTIONS.values()) == ["实际解决", "解释说明", "参考备案", "未解决"]
    assert code_of(callback_outcome, "happy", "resolved") == "invalid_satisfaction"
    assert code_of(callback_outcome, "satisfied", "done") == "invalid_resolution"


# -- supervision -------------------------------------------------------------------------------


def test_supervision_kinds_and_levels() -> None:
    assert {"leader_assigned", "media", "in_progress", "overdue", "repeated"} <= set(
        SUPERVISION_KINDS
    )
    assert SUPERVISION_LEVELS == {"street": "街道", "district": "区", "city": "市"}
    check_supervision("overdue", "district")
    assert code_of(check_supervision, "angry", "street") == "invalid_supervision_kind"
    assert code_of(check_supervision, "media", "province") == "invalid_supervision_level"


def test_supervision_reply_due_across_national_day() -> None:
    within = load_profile("jiangning").rules.supervision.reply_within
    # Wed 09-30 → Thu 10-08, Fri 10-09, Sat 10-10 (make-up workday), Mon 10-12, Tue 10-13.
    result = supervision_reply_due(at("2026-09-30T10:00"), CAL, SHANGHAI, within)
    assert result.due_at == at("2026-10-13T10:00") and not result.provisional
    assert supervision_reply_due(at(FRI), CAL).due_at == at("2026-11-27T10:00")


def test_dongcheng_supervision_reply_within_24_hours() -> None:
    within = load_profile("dongcheng").rules.supervision.reply_within
    assert supervision_reply_due(at(FRI), CAL, within=within).due_at == at("2026-11-21T10:00")


# -- first contact -----------------------------------------------------------------------------


def test_zhenru_two_level_first_contact() -> None:
    rule = load_profile("zhenru").rules.first_contact
    code = code_of(
        check_first_contact, level="department", rule=rule, done_levels=(),
        method="call", has_recording=True,
    )  # fmt: skip
    assert code == "first_contact_order"
    first = check_first_contact(
        level="command_center", rule=rule, done_levels=(), method="call", has_recording=True
    )
    assert not first.complete and first.next_level == "department"
    second = check_first_contact(
        level="department", rule=rule, done_levels={"command_center"}, method="call",
        has_recording=True,
    )  # fmt: skip
    assert second.complete and second.next_level is None


def test_one_level_first_contact_elsewhere() -> None:
    rule = load_profile("xiayang").rules.first_contact
    code = code_of(
        check_first_contact, level="command_center", rule=rule, done_levels=(), method="call",
        has_recording=True,
    )  # fmt: skip
    assert code == "invalid_first_contact_level"
    assert code_of(
        check_first_contact, level="department", rule=rule, done_levels=(), method="call"
    ) == ("recording_required")


def test_sms_after_three_calls_at_different_times() -> None:
    rule = load_profile("zhenru").rules.first_contact
    spaced = [at("2026-11-18T09:00"), at("2026-11-18T13:00"), at("2026-11-18T17:00")]
    kw: dict[str, Any] = {
        "level": "command_center", "rule": rule, "done_levels": (), "method": ContactMethod.sms,
        "has_sms_screenshot": True,
    }  # fmt: skip
    check_first_contact(failed_attempts=spaced, **kw)
    close = [at("2026-11-18T09:00"), at("2026-11-18T09:05"), at("2026-11-18T09:10")]
    assert code_of(check_first_contact, failed_attempts=close, **kw) == "failed_attempts_required"
    kw["has_sms_screenshot"] = False
    assert code_of(check_first_contact, failed_attempts=spaced, **kw) == "sms_screenshot_required"


# -- 存电 ----------------------------------------------------------------------------------------

STORE = StoreRequest(
    category="handled_unsatisfied",
    calls_same_matter=6,
    main_claim="要求拆除小区合法停车棚",
    handling="经核实停车棚已取得规划许可，已多次解释",
    conclusion="诉求无政策依据",
    reply_points="1. 停车棚合法；2. 已解释",
    evidence_count=2,
    department_head_signoff=True,
    hotline_head_signoff=True,
)


def test_store_needs_the_double_signoff() -> None:
    rule = load_profile("zhenru").rules.store
    check_store_request(STORE, rule=rule)
    no_dept = dataclasses.replace(STORE, department_head_signoff=False)
    assert code_of(check_store_request, no_dept, rule=rule) == "department_signoff_required"
    no_hotline = dataclasses.replace(STORE, hotline_head_signoff=False)
    assert code_of(check_store_request, no_hotline, rule=rule) == "hotline_signoff_required"


def test_store_is_for_repeat_callers_with_a_complete_filing() -> None:
    rule = load_profile("zhenru").rules.store
    check_store_request(dataclasses.replace(STORE, calls_same_matter=5), rule=rule)  # 5次以上
    few = dataclasses.replace(STORE, calls_same_matter=4)
    assert code_of(check_store_request, few, rule=rule) == "not_repeat_caller"
    odd = dataclasses.replace(STORE, category="annoying")
    assert code_of(check_store_request, odd, rule=rule) == "invalid_store_category"
    with pytest.raises(RuleViolation) as caught:
        check_store_request(dataclasses.replace(STORE, evidence_count=0), rule=rule)
    assert (caught.value.code, caught.value.field) == ("missing_element", "evidence")
    with pytest.raises(RuleViolation) as caught:
        check_store_request(dataclasses.replace(STORE, conclusion=""), rule=rule)
    assert "办结结论" in caught.value.message


def test_store_only_where_the_profile_allows_it() -> None:
    rule = load_profile("xiayang").rules.store
    assert code_of(check_store_request, STORE, rule=rule) == "store_not_allowed"
