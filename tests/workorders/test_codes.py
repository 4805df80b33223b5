"""The code lists a client can discover, steps that take the code and refuse anything else by
listing every code with its label, Chinese validation messages that name the field, and the
closure wording lint the form runs while a report is typed."""

from __future__ import annotations

from typing import Any

from tests.reports.conftest import photo_bytes
from tests.workorders.conftest import closure_body
from tests.workorders.test_steps import _in_progress

LISTS = (
    "supervision_kinds", "supervision_levels", "reject_reasons", "store_categories",
    "evidence_phases", "recording_kinds", "fact_findings", "claim_findings", "results",
    "satisfactions", "resolutions", "appeal_types", "sources", "levels", "statuses",
)  # fmt: skip


def _codes(client, as_user, user: str = "demo-member") -> dict[str, list[dict[str, str]]]:
    response = client.get("/api/v1/codes", headers=as_user(user))
    assert response.status_code == 200, response.text
    return response.json()


def _labels(codes: dict[str, list[dict[str, str]]], name: str) -> dict[str, str]:
    return {c["code"]: c["label"] for c in codes[name]}


def _lists_every_choice(message: str, labels: dict[str, str]) -> None:
    for code, label in labels.items():
        assert f"{label}（{code}）" in message, (code, message)


def test_every_code_list_comes_with_chinese_labels(client, as_user) -> None:
    codes = _codes(client, as_user)
    assert set(LISTS) <= set(codes)
    for name, items in codes.items():
        assert items, name
        for item in items:
            assert set(item) == {"code", "label"} and item["code"] and item["label"], name
    assert _labels(codes, "supervision_kinds")["callback"] == "回访督办"
    assert _labels(codes, "evidence_phases")["before"] == "处置前"
    assert _labels(codes, "statuses")["reported"] == "待派单"
    assert _labels(codes, "appeal_types") == {
        "consult": "咨询", "suggest": "建议", "request": "求助", "complain": "投诉",
    }  # fmt: skip
    # The street's profile (zhenru in tests): its levels per source, and all of them together.
    hotline = _labels(codes, "levels.hotline")
    assert "consult" in hotline and "consult" not in _labels(codes, "levels.snapshot")
    assert set(hotline) <= set(_labels(codes, "levels"))
    assert client.get("/api/v1/codes").status_code == 401


def test_the_client_config_announces_codes_and_the_lint(client) -> None:
    features = client.get("/api/v1/client-config").json()["features"]
    assert {"codes", "closure_lint"} <= set(features)


def test_a_supervision_kind_sent_as_its_label_is_refused_listing_the_codes(
    walker, client, as_user
) -> None:
    w = walker()
    kinds = _labels(_codes(client, as_user, "demo-dispatcher"), "supervision_kinds")
    body: dict[str, Any] = {"kind": "回访督办", "level": "street", "notice": "请尽快办理"}
    refused = w.step("demo-dispatcher", "supervisions", expect=422, **body)["error"]
    assert (refused["code"], refused["field"]) == ("invalid_supervision_kind", "kind")
    assert refused["message"].startswith("督办类型只能是：")
    _lists_every_choice(refused["message"], kinds)
    w.step("demo-dispatcher", "supervisions", **{**body, "kind": "in_progress"})
    assert w.order["supervisions"][-1]["kind"] == "in_progress"


def test_a_reject_reason_sent_as_its_label_is_refused_listing_the_codes(
    walker, client, as_user
) -> None:
    w = walker(description="这里有问题请处理")
    assert w.order["status"] == "reported"
    reasons = _labels(_codes(client, as_user, "demo-dispatcher"), "reject_reasons")
    refused = w.step("demo-dispatcher", "reject", expect=422, reason_code="工单要素不全")
    assert (refused["error"]["code"], refused["error"]["field"]) == (
        "invalid_reject_reason",
        "reason_code",
    )
    _lists_every_choice(refused["error"]["message"], reasons)


def test_an_evidence_phase_sent_as_its_label_is_refused_listing_the_codes(
    walker, client, as_user
) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    phases = _labels(_codes(client, as_user, "demo-handler"), "evidence_phases")
    photo = ("before.jpg", photo_bytes("exif-samples__jpg_mobile_jolla.jpg"), "image/jpeg")
    refused = client.post(
        f"/api/v1/workorders/{w.id}/evidence",
        data={"version": w.order["version"], "phase": "处置前"},
        files=[("photos", photo)],
        headers=as_user("demo-handler"),
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_phase", "phase")
    _lists_every_choice(error["message"], phases)
    kinds = _labels(_codes(client, as_user, "demo-handler"), "recording_kinds")
    wrong_kind = client.post(
        f"/api/v1/workorders/{w.id}/evidence",
        data={"version": w.order["version"], "phase": "before", "recording_kind": "通话"},
        files=[("photos", photo)],
        headers=as_user("demo-handler"),
    )
    assert wrong_kind.json()["error"]["field"] == "recording_kind"
    _lists_every_choice(wrong_kind.json()["error"]["message"], kinds)
    assert w.get("demo-handler")["evidence"]["photos"] == []  # nothing was stored


def test_bad_bodies_name_the_field_in_chinese(walker, client, as_user) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    handler = as_user("demo-handler")
    url = f"/api/v1/workorders/{w.id}"

    def post(path: str, **kwargs: Any) -> dict[str, Any]:
        kwargs["headers"] = {**handler, **kwargs.get("headers", {})}
        response = client.post(f"{url}/{path}", **kwargs)
        assert response.status_code == 422, response.text
        return response.json()["error"]

    wrong_type = post("check-in", json={"version": "x", "lat": 31.2, "lng": 121.4})
    assert (wrong_type["field"], wrong_type["message"]) == ("version", "字段 version 须为整数")
    too_far_north = post("check-in", json={"version": w.order["version"], "lat": 91, "lng": 0})
    assert too_far_north["field"] == "lat" and "不能大于 90" in too_far_north["message"]
    assert "90.0" not in too_far_north["message"]
    a_list = post("check-in", json=[{"version": w.order["version"]}])
    assert a_list["code"] == "invalid_body" and "JSON 对象" in a_list["message"]
    nested = post("extensions", json={"version": w.order["version"], "milestones": [[1]]})
    assert "milestones.0" in {d["field"] for d in nested["details"]}
    json_type = {"content-type": "application/json"}
    broken = post("check-in", content=b'{"version": x}', headers=json_type)
    assert (broken["code"], broken["field"]) == ("invalid_json", "version")
    assert "第 1 行" in broken["message"]
    for error in (wrong_type, too_far_north, a_list, nested, broken):
        for detail in error.get("details") or [error]:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message"]), detail


def test_the_lint_names_forbidden_and_discouraged_wording_as_the_closure_does(
    walker, client, as_user
) -> None:
    handler = as_user("demo-handler")
    process = "楼道堆物正在整改中，恶意投诉不予理会"
    linted = client.post(
        "/api/v1/closure/lint",
        json={"process": process, "basis": "《上海市消防条例》", "reply": "我办将会处理"},
        headers=handler,
    )
    assert linted.status_code == 200, linted.text
    problems = linted.json()["problems"]
    found = {(p["field"], p["phrase"], p["severity"]) for p in problems}
    assert found == {
        ("process", "正在整改中", "forbidden"),  # named once, not again as 正在
        ("process", "恶意投诉", "discouraged"),
        ("reply", "我办", "forbidden"),
        ("reply", "将会", "forbidden"),
    }
    assert all(p["hint"] for p in problems)
    clean = client.post("/api/v1/closure/lint", json={"process": "", "basis": ""}, headers=handler)
    assert clean.json() == {"problems": []}
    # The closure step refuses the same report with the lint's first forbidden problem.
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    refused = w.step(
        "demo-handler", "closure", expect=422, **closure_body(process=process, photo_ids=photos)
    )["error"]
    first = next(p for p in problems if p["severity"] == "forbidden")
    assert (refused["code"], refused["field"], refused["message"]) == (
        "forbidden_phrase",
        "process",
        first["message"],
    )
    # 答复要点 are read back to the caller: the step lints them too.
    reply = w.step(
        "demo-handler",
        "closure",
        expect=422,
        **closure_body(photo_ids=photos, reply_points="我办将会处理"),
    )["error"]
    assert (reply["code"], reply["field"]) == ("forbidden_phrase", "reply_points")
