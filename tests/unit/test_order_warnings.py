"""The order's warnings from what it records (pure): photo flags by phase, the latest
check-in, the closure's discouraged wording; and the lint of a closure being typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.workorders.closure_rules import find_phrase, lint_problems, load_closure_rules
from backend.workorders.facts import OrderFacts
from backend.workorders.states import Source, Status
from backend.workorders.warnings import order_warnings
from backend.workorders.wording import distance_zh

UPLOADED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
FACTS = OrderFacts(
    id=1,
    number="GD1",
    version=3,
    status=Status.in_progress,
    source=Source.patrol,
    level="general",
    created_at=UPLOADED,
    lat=31.2445,
    lng=121.403,
)


@dataclass
class Photo:
    phase: str
    flags: list[str]
    taken_at: datetime | None = None
    created_at: datetime = UPLOADED
    gps_lat: float | None = None
    gps_lng: float | None = None


@dataclass
class Event:
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


def _messages(photos=(), events=(), facts: OrderFacts = FACTS) -> dict[str, str]:
    return {w.code: w.message for w in order_warnings(facts, list(photos), list(events))}


def test_nothing_flagged_nothing_to_warn() -> None:
    assert _messages([Photo("before", [])], [Event("checked_in", {"far": False})]) == {}


def test_photos_are_named_by_phase_and_counted() -> None:
    photos = [
        Photo("before", ["no_exif"]),
        Photo("before", ["no_exif"]),
        Photo("after", ["no_exif"]),
    ]
    assert _messages(photos)["photo_no_exif"].startswith("处置前照片 2 张、处置后照片没有拍摄信息")


def test_stale_says_how_much_earlier_and_when() -> None:
    taken = UPLOADED - timedelta(hours=30)
    stale = _messages([Photo("after", ["stale"], taken_at=taken)])["photo_stale"]
    assert "早 30 小时" in stale and "拍摄于 2026-11-22 04:00" in stale
    old = _messages([Photo("report", ["stale"], taken_at=UPLOADED - timedelta(days=400))])
    assert "上报照片" in old["photo_stale"] and "早 400 天" in old["photo_stale"]
    # Judged on the phone's claimed time when the photo has none of its own.
    assert "明显早于" in _messages([Photo("scene", ["stale"])])["photo_stale"]


def test_future_and_far() -> None:
    future = Photo("before", ["future"], taken_at=UPLOADED + timedelta(days=2))
    assert "晚于上传时间（拍摄时间 2026-11-25 10:00）" in _messages([future])["photo_future"]
    far = Photo("before", ["far"], gps_lat=31.2445 + 0.01, gps_lng=121.403)
    assert _messages([far])["photo_far"] == "处置前照片的拍摄位置距工单地点 1.1 公里"
    unplaced = OrderFacts(**{**FACTS.__dict__, "lat": None, "lng": None})
    assert "较远" in _messages([far], facts=unplaced)["photo_far"]


def test_only_the_latest_check_in_counts() -> None:
    far = Event("checked_in", {"far": True, "distance_m": 11_180.4})
    near = Event("checked_in", {"far": False, "distance_m": 20.0})
    assert _messages(events=[far])["check_in_far"].startswith("签到位置距工单地点 11.2 公里")
    assert _messages(events=[far, near]) == {}
    assert "check_in_far" in _messages(events=[near, far])


def test_the_latest_closure_wording() -> None:
    first = Event("closure_submitted", {"warnings": ["不可能"]})
    second = Event("closure_submitted", {"warnings": []})
    assert _messages(events=[first])["closure_wording"] == "结案报告使用了不宜使用的措辞：“不可能”"
    assert _messages(events=[first, second]) == {}


def test_distances_in_chinese() -> None:
    assert [distance_zh(m) for m in (850.2, 11_180, 9_051_400)] == [
        "850 米",
        "11.2 公里",
        "9051 公里",
    ]


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(st.text(alphabet="正在整改中将会我办理所在适时不可能恶意投诉，。 ", max_size=40))
def test_the_lint_refuses_exactly_what_the_closure_refuses(text: str) -> None:
    rules = load_closure_rules()
    forbidden = [p for p in lint_problems({"process": text}, rules) if p.severity == "forbidden"]
    first = find_phrase(text, rules.forbidden)
    assert (first is None) == (not forbidden)
    if first is not None:
        assert forbidden[0].phrase == first.text
