"""Closure reports (seed 003): the seven elements, the forbidden phrasings, attachments,
sign-offs, before/after photos, copies by assisting departments, 不予受理 reasons."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from backend.sla.calendar import SHANGHAI
from backend.sla.profiles import load_profile
from backend.workorders.closure_rules import (
    DEFAULT_PATH,
    ELEMENTS,
    Attachment,
    AttachmentKind,
    ClosureRejected,
    ClosureReport,
    RuleViolation,
    check_assist_report,
    check_closure,
    check_reject_reason,
    discouraged_phrases,
    find_phrase,
    is_copy,
    lint_text,
    load_closure_rules,
)

RULES = load_closure_rules()
ZHENRU = load_profile("zhenru").rules.closure
MB = 1024 * 1024

RECORDING = Attachment("先行联系录音.mp3", 2 * MB, AttachmentKind.recording)
REPLY = Attachment("答复录音.mp3", 2 * MB, AttachmentKind.recording)
PHOTOS = Attachment("处置前后对比.jpg", 3 * MB, AttachmentKind.photo)

GOOD = ClosureReport(
    first_contact_at=datetime(2026, 11, 18, 14, 0, tzinfo=SHANGHAI),
    fact_finding="true",
    process="11月19日到现场核实，督促物业清运楼道堆物，现已清理完毕。",
    basis="依据《上海市住宅物业管理规定》第七十条",
    responsible_person="张三",
    phone="021-62540000",
    attachments=(RECORDING, REPLY, PHOTOS),
    claim_finding="lawful",
    result="resolved",
    reply="您反映的楼道堆物已于11月19日清理完毕。",
    has_scene=True,
    before_photo=True,
    after_photo=True,
)


def zhenru_check(report: ClosureReport) -> None:
    check_closure(
        report,
        max_attachments=ZHENRU.max_attachments,
        max_attachment_bytes=ZHENRU.max_attachment_bytes,
        rules=RULES,
    )


def refused(report: ClosureReport) -> ClosureRejected:
    with pytest.raises(ClosureRejected) as caught:
        zhenru_check(report)
    return caught.value


def test_a_complete_report_passes() -> None:
    zhenru_check(GOOD)


# -- forbidden phrasings ---------------------------------------------------------------------


def test_will_do_is_refused_naming_the_phrase() -> None:
    error = refused(dataclasses.replace(GOOD, process="我们将会尽快处理"))
    assert error.code == "forbidden_phrase" and error.field == "process"
    assert "“将会”" in error.message and "实质举措" in error.message


@pytest.mark.parametrize("phrase", [p.text for p in RULES.forbidden])
def test_every_forbidden_phrase_is_refused_verbatim(phrase: str) -> None:
    error = refused(dataclasses.replace(GOOD, reply=f"经核实，{phrase}。"))
    assert error.code == "forbidden_phrase" and error.field == "reply"
    assert f"“{phrase}”" in error.message


def test_the_seed_list_is_all_there() -> None:
    texts = {p.text for p in RULES.forbidden}
    seed = {
        "将会", "正在", "适时", "将列入计划", "已报上级部门", "应向", "正在走相关程序",
        "正在整改中", "已要求当事人自行整改", "因地址不明确无法处置", "已到现场查看未发现",
        "我办", "我所", "非我部门职责",
    }  # fmt: skip
    assert seed <= texts
    assert all(p.hint for p in RULES.forbidden)


def named(text: str) -> str | None:
    hit = find_phrase(text, RULES.forbidden)
    return hit.text if hit else None


def test_the_longest_phrase_at_a_position_is_named() -> None:
    assert named("该点位正在整改中") == "正在整改中"
    assert named("正在处理，将会完成") == "正在"  # the earliest one


def test_spacing_and_compatibility_forms_do_not_hide_a_phrase() -> None:
    assert find_phrase("我们将 会处理", RULES.forbidden) is not None
    assert find_phrase("我们将\u200b会处理", RULES.forbidden) is not None
    assert find_phrase("⾮我部门职责", RULES.forbidden) is not None  # KangXi radical 非


@pytest.mark.parametrize("text", ["由我办理完毕", "我所在社区已清理", "我办结了该件"])
def test_ordinary_words_starting_like_a_phrase_pass(text: str) -> None:
    lint_text(text, rules=RULES, field="process")


def test_subordinate_unit_name_is_refused() -> None:
    with pytest.raises(ClosureRejected, match="我办"):
        lint_text("我办已于11月19日处置完毕", rules=RULES, field="process")


def test_discouraged_wording_is_a_warning_only() -> None:
    report = dataclasses.replace(GOOD, reply="您的要求不可能满足，建议来电人通过司法途径解决。")
    zhenru_check(report)
    assert [p.text for _, p in discouraged_phrases(report, RULES)] == [
        "不可能",
        "建议来电人通过司法途径解决",
    ]


@given(st.text())
def test_the_lint_only_ever_raises_closure_rejected(text: str) -> None:
    report = dataclasses.replace(GOOD, process=text or "x", basis=text or "y", reply=text)
    try:
        zhenru_check(report)
    except ClosureRejected as error:
        assert error.code and error.message and error.field
    try:
        lint_text(text, rules=RULES, field="reply")
    except ClosureRejected as error:
        assert error.code == "forbidden_phrase"


@given(st.text(alphabet="将会正在我办所理在适时应向 ，。", max_size=30))
def test_lint_agrees_with_find_phrase(text: str) -> None:
    hit = find_phrase(text, RULES.forbidden)
    if hit is None:
        lint_text(text, rules=RULES, field="process")
    else:
        with pytest.raises(ClosureRejected, match=hit.text):
            lint_text(text, rules=RULES, field="process")


# -- the seven elements ----------------------------------------------------------------------

EMPTY = {
    "first_contact_at": None,
    "fact_finding": None,
    "process": "  ",
    "basis": "",
    "responsible_person": "",
    "phone": "",
    "attachments": (),
}


@pytest.mark.parametrize("element", ELEMENTS)
def test_each_missing_element_is_refused_by_name(element: str) -> None:
    report = dataclasses.replace(GOOD, **{element: EMPTY[element]})
    error = refused(report)
    assert (error.code, error.field) == ("missing_element", element)
    assert RULES.elements[element] in error.message


def test_seven_elements() -> None:
    assert len(ELEMENTS) == 7 and tuple(RULES.elements) == ELEMENTS


def test_first_contact_may_be_exempt_for_an_anonymous_caller() -> None:
    report = dataclasses.replace(GOOD, first_contact_at=None)
    check_closure(
        report, max_attachments=3, max_attachment_bytes=None, rules=RULES,
        exempt={"first_contact_at"},
    )  # fmt: skip


def test_unknown_finding_and_bad_phone() -> None:
    error = refused(dataclasses.replace(GOOD, fact_finding="maybe"))
    assert (error.code, error.field) == ("invalid_value", "fact_finding")
    assert "属实" in error.message
    assert refused(dataclasses.replace(GOOD, result="done")).field == "result"
    assert refused(dataclasses.replace(GOOD, phone="打我电话")).code == "invalid_phone"


# -- attachments -----------------------------------------------------------------------------


def test_a_fourth_attachment_is_refused() -> None:
    extra = Attachment("现场.jpg", MB, AttachmentKind.photo)
    error = refused(dataclasses.replace(GOOD, attachments=(*GOOD.attachments, extra)))
    assert (error.code, error.field) == ("too_many_attachments", "attachments")
    assert "最多3个" in error.message and "Word" in error.message


def test_attachment_size_limit_is_inclusive() -> None:
    exact = Attachment("处置进程.docx", 10 * MB, AttachmentKind.document)
    zhenru_check(dataclasses.replace(GOOD, attachments=(RECORDING, REPLY, exact)))
    big = Attachment("现场视频.mp4", 10 * MB + 1, AttachmentKind.photo)
    error = refused(dataclasses.replace(GOOD, attachments=(RECORDING, big)))
    assert error.code == "attachment_too_large"
    assert "现场视频.mp4" in error.message and "10 MB" in error.message


def test_profiles_without_limits_accept_many_attachments() -> None:
    limits = load_profile("jiangning").rules.closure
    many = tuple(Attachment(f"{i}.jpg", 30 * MB, AttachmentKind.photo) for i in range(8))
    check_closure(
        dataclasses.replace(GOOD, attachments=many),
        max_attachments=limits.max_attachments,
        max_attachment_bytes=limits.max_attachment_bytes,
        rules=RULES,
    )


# -- sign-offs -------------------------------------------------------------------------------

UNTRUE = dataclasses.replace(
    GOOD, fact_finding="untrue", result="explained", before_photo=False, after_photo=False,
    scene_photo=True,
)  # fmt: skip


def test_untrue_needs_the_leader_sign_off() -> None:
    error = refused(UNTRUE)
    assert (error.code, error.field) == ("leader_signoff_required", "fact_finding")
    assert "不属实" in error.message
    zhenru_check(dataclasses.replace(UNTRUE, leader_signoff=True))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("claim_finding", "no_policy_basis"),
        ("result", "not_adopted"),
        ("result", "explained_not_accepted"),
        ("result", "filed_for_reference"),
    ],
)
def test_the_other_sensitive_findings_need_it_too(field: str, value: str) -> None:
    report = dataclasses.replace(GOOD, **{"result": "explained", field: value})
    error = refused(report)
    assert (error.code, error.field) == ("leader_signoff_required", field)
    zhenru_check(dataclasses.replace(report, leader_signoff=True))


def test_excessive_claim_needs_no_sign_off() -> None:
    zhenru_check(dataclasses.replace(GOOD, claim_finding="excessive", result="explained"))


def test_unresolved_needs_it_only_on_a_reworked_order() -> None:
    report = dataclasses.replace(GOOD, result="unresolved")
    zhenru_check(report)
    error = refused(dataclasses.replace(report, reworked=True))
    assert (error.code, error.field) == ("leader_signoff_required", "result")


def test_untrue_is_barred_after_a_special_extension() -> None:
    report = dataclasses.replace(UNTRUE, leader_signoff=True, had_special_extension=True)
    assert refused(report).code == "untrue_after_special_extension"


# -- photos ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), [(False, True), (True, False), (False, False)])
def test_a_handled_scene_needs_before_and_after(before: bool, after: bool) -> None:
    error = refused(dataclasses.replace(GOOD, before_photo=before, after_photo=after))
    assert error.code == "before_after_required"


def test_a_scene_not_handled_needs_a_scene_photo_only() -> None:
    signed = dataclasses.replace(UNTRUE, leader_signoff=True)
    zhenru_check(signed)
    assert refused(dataclasses.replace(signed, scene_photo=False)).code == "scene_photo_required"


def test_no_scene_no_photos() -> None:
    zhenru_check(dataclasses.replace(GOOD, has_scene=False, before_photo=False, after_photo=False))


# -- assisting departments -------------------------------------------------------------------

LEAD = "11月19日，我街道到现场核实，督促物业清运楼道堆物，现已清理完毕，并加强日常巡查。"


def test_a_copy_is_detected() -> None:
    assert is_copy(LEAD, LEAD)
    assert is_copy(
        " 11月19日 我街道到现场核实 督促物业清运楼道堆物 现已清理完毕 并加强日常巡查", LEAD
    )
    assert is_copy(LEAD.replace("日常", "经常"), LEAD)  # one word changed: ≥ 90 % alike
    with pytest.raises(ClosureRejected) as caught:
        check_assist_report(LEAD + "。", LEAD)
    assert caught.value.code == "copied_lead_report"


def test_an_own_report_is_not_a_copy() -> None:
    own = "社区自治办配合片区上门宣传，向居民发放楼道堆物整治告知书20份。"
    assert not is_copy(own, LEAD)
    check_assist_report(own, LEAD)
    assert not is_copy("", LEAD) and not is_copy("，。", "，。")


# -- data ------------------------------------------------------------------------------------


def test_vocabulary() -> None:
    assert dict(RULES.fact_findings) == {
        "true": "属实",
        "partly_true": "部分属实",
        "untrue": "不属实",
    }
    assert dict(RULES.claim_findings) == {
        "lawful": "合理合法", "excessive": "诉求过高", "no_policy_basis": "无政策依据",
        "other": "其他",
    }  # fmt: skip
    assert {"resolved", "explained", "filed_for_reference", "unresolved"} <= set(RULES.results)
    assert RULES.sensitive["fact_finding"] == {"untrue"}


def test_reject_reasons() -> None:
    assert len(RULES.reject_reasons) == 10
    assert check_reject_reason("emergency_channel", RULES).label.startswith("应通过110")
    with pytest.raises(RuleViolation) as caught:
        check_reject_reason("too_busy", RULES)
    assert (caught.value.code, caught.value.field) == ("invalid_reject_reason", "reason")


def shipped_rules() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def write_rules(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_bad_rules_file_names_the_key(tmp_path: Path) -> None:
    data = shipped_rules()
    data["sensitive"]["fact_finding"] = ["fake"]
    with pytest.raises(ValueError, match=r"rules.yaml: sensitive.fact_finding"):
        load_closure_rules(write_rules(tmp_path, data))
    del data["elements"]["phone"]
    with pytest.raises(ValueError, match="elements"):
        load_closure_rules(write_rules(tmp_path, data))


def _unknown_top_key(data: dict[str, Any]) -> None:
    data["colour"] = "red"


def _unknown_phrase_key(data: dict[str, Any]) -> None:
    data["forbidden"][2]["note"] = "x"


def _missing_section(data: dict[str, Any]) -> None:
    del data["results"]


def _missing_reason_text(data: dict[str, Any]) -> None:
    del data["reject_reasons"]["military"]["text"]


def _empty_hint(data: dict[str, Any]) -> None:
    data["discouraged"][0]["hint"] = "  "


def _unknown_finding(data: dict[str, Any]) -> None:
    data["sensitive_on_rework"]["outcome"] = ["unresolved"]


def _undefined_result(data: dict[str, Any]) -> None:
    data["before_after_results"] = ["resolved", "done"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_unknown_top_key, "colour: unknown key"),
        (_unknown_phrase_key, "forbidden[2].note: unknown key"),
        (_missing_section, "results: missing"),
        (_missing_reason_text, "reject_reasons.military.text: missing"),
        (_empty_hint, "discouraged[0].hint: String should have at least 1 character"),
        (_unknown_finding, "sensitive_on_rework.outcome: unknown key"),
        (_undefined_result, "before_after_results: expected a list of: resolved, partly_resolved"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_file_and_key(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = shipped_rules()
    edit(data)
    with pytest.raises(ValueError) as caught:
        load_closure_rules(write_rules(tmp_path, data))
    assert str(caught.value).startswith(f"closure rules rules.yaml: {message}")


def test_phrases_are_stored_normalised(tmp_path: Path) -> None:
    data = shipped_rules()
    data["forbidden"][0]["phrase"] = " 将 会\u200b "
    rules = load_closure_rules(write_rules(tmp_path, data))
    assert rules.forbidden[0].text == "将会"
    assert find_phrase("我们将会处理", rules.forbidden) == rules.forbidden[0]
