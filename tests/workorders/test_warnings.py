"""Warnings a person must see: a before photo without EXIF and a check-in 11 km from the site
are on the step's answer, on the detail the command center reviews and the handler works
from, and on no one else's."""

from __future__ import annotations

from typing import Any

from tests.reports.conftest import STREET_LAT, STREET_LNG, photo_bytes
from tests.workorders.conftest import closure_body
from tests.workorders.test_steps import _in_progress

NO_EXIF = "exif-samples__jpg_xmp_no_exif.jpg"


def _warnings(order: dict[str, Any]) -> dict[str, str]:
    return {w["code"]: w["message"] for w in order["warnings"]}


def test_a_photo_without_exif_and_a_far_check_in_are_shown_to_whoever_reviews(
    walker, client, as_user
) -> None:
    w = walker()
    w.step("demo-handler", "accept")
    response = client.post(
        f"/api/v1/workorders/{w.id}/evidence",
        data={"version": w.order["version"], "phase": "before"},
        files=[("photos", ("before.jpg", photo_bytes(NO_EXIF), "image/jpeg"))],
        headers=as_user("demo-handler"),
    )
    assert response.status_code == 200, response.text
    uploaded = response.json()
    w.order = uploaded
    no_exif = _warnings(uploaded)["photo_no_exif"]
    assert no_exif.startswith("处置前照片没有拍摄信息") and "EXIF" in no_exif
    assert "check_in_far" not in _warnings(uploaded)

    # About 11 km north of the order's place (0.1° of latitude).
    answer = w.step("demo-handler", "check-in", lat=STREET_LAT + 0.1, lng=STREET_LNG)
    assert _warnings(answer)["check_in_far"].startswith("签到位置距工单地点 11.1 公里")
    assert "photo_no_exif" in _warnings(answer)  # every answer carries the order's warnings

    for reviewer in ("demo-dispatcher", "demo-leader", "demo-admin", "demo-handler"):
        seen = _warnings(w.get(reviewer))
        assert {"photo_no_exif", "check_in_far"} <= set(seen), reviewer
        assert seen["check_in_far"] == _warnings(answer)["check_in_far"]
    # The reporter follows the order's status, not the review of the department's work.
    assert w.get("demo-member")["warnings"] == []

    # A later check-in at the site supersedes the far one.
    near = w.step("demo-handler", "check-in", lat=STREET_LAT, lng=STREET_LNG)
    assert "check_in_far" not in _warnings(near)


def test_discouraged_wording_of_the_closure_is_a_warning_on_review(walker) -> None:
    w = walker()
    _in_progress(w)
    photos = [w.last_photo("before"), w.last_photo("after")]
    process = (
        "已到现场，楼道纸箱和旧家具已清运完毕，消防通道恢复畅通，此前为恶意投诉以外的正常反映。"
    )
    w.step("demo-handler", "closure", **closure_body(process=process, photo_ids=photos))
    assert _warnings(w.order)["closure_wording"] == "结案报告使用了不宜使用的措辞：“恶意投诉”"
    assert "closure_wording" in _warnings(w.get("demo-dispatcher"))
