"""What a person reviewing an order must see, from what the order already records (pure).

The evidence pipeline flags photos (no EXIF, captured long before or after the upload, taken
far from the site), the check-in step records how far from the site it was, and the closure
step records the discouraged wording it let through. Those facts sit in photo rows and event
payloads; this turns them into ``warnings`` with a Chinese message, so the step's answer and
the detail the command center reviews show them instead of burying them in the timeline.
Nothing here reads the database, the settings or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from backend.evidence.imaging import FLAG_FAR, FLAG_FUTURE, FLAG_NO_EXIF, FLAG_STALE
from backend.geo import haversine_m
from backend.sla.calendar import SHANGHAI
from backend.workorders.codes import PHOTO_PHASES
from backend.workorders.facts import OrderFacts
from backend.workorders.wording import distance_zh, moment_zh

# Flags in the order their warnings are listed: the ones that cast doubt on the photo first.
PHOTO_FLAGS: tuple[str, ...] = (FLAG_NO_EXIF, FLAG_STALE, FLAG_FUTURE, FLAG_FAR)


@dataclass(frozen=True)
class OrderWarning:
    code: str  # stable: photo_no_exif, photo_stale, photo_future, photo_far, check_in_far, …
    message: str  # Chinese, shown as is


class PhotoSeen(Protocol):
    """What a warning reads of a stored photo (the evidence row satisfies it)."""

    @property
    def phase(self) -> str: ...
    @property
    def flags(self) -> Sequence[str]: ...
    @property
    def taken_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...  # the upload
    @property
    def gps_lat(self) -> float | None: ...
    @property
    def gps_lng(self) -> float | None: ...


class EventSeen(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


def _which(photos: Sequence[PhotoSeen]) -> str:
    """ "处置前照片 2 张、上报照片" — by phase, in the order they were uploaded."""
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo.phase] = counts.get(photo.phase, 0) + 1
    return "、".join(
        f"{PHOTO_PHASES.get(phase, phase)}照片" + (f" {n} 张" if n > 1 else "")
        for phase, n in counts.items()
    )


def _span_zh(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} 小时" if hours < 48 else f"{hours / 24:.0f} 天"


def _dated(photos: Sequence[PhotoSeen]) -> list[tuple[datetime, datetime]]:
    """(capture, upload) of the photos whose capture time is known."""
    return [(p.taken_at, p.created_at) for p in photos if p.taken_at is not None]


def _stale(photos: Sequence[PhotoSeen], tz: tzinfo) -> str:
    dated = _dated(photos)
    if not dated:  # judged on the time the phone claimed, not on EXIF
        return f"{_which(photos)}的拍摄时间明显早于上传时间，可能不是本次现场所拍"
    taken, uploaded = max(dated, key=lambda pair: pair[1] - pair[0])
    return (
        f"{_which(photos)}的拍摄时间比上传时间早 {_span_zh(uploaded - taken)}"
        f"（拍摄于 {moment_zh(taken, tz)}），可能不是本次现场所拍"
    )


def _future(photos: Sequence[PhotoSeen], tz: tzinfo) -> str:
    dated = _dated(photos)
    when = f"（拍摄时间 {moment_zh(dated[0][0], tz)}）" if dated else ""
    return f"{_which(photos)}的拍摄时间晚于上传时间{when}，相机时间可能有误或被修改"


def _far(photos: Sequence[PhotoSeen], facts: OrderFacts) -> str:
    distances = [
        haversine_m(p.gps_lat, p.gps_lng, facts.lat, facts.lng)
        for p in photos
        if p.gps_lat is not None
        and p.gps_lng is not None
        and facts.lat is not None
        and facts.lng is not None
    ]
    if not distances:
        return f"{_which(photos)}的拍摄位置距上报地点较远"
    return f"{_which(photos)}的拍摄位置距工单地点 {distance_zh(max(distances))}"


def photo_warnings(
    photos: Sequence[PhotoSeen], facts: OrderFacts, tz: tzinfo = SHANGHAI
) -> list[OrderWarning]:
    """One warning per flag, naming every photo that carries it by phase."""
    warnings: list[OrderWarning] = []
    for flag in PHOTO_FLAGS:
        flagged = [p for p in photos if flag in p.flags]
        if not flagged:
            continue
        if flag == FLAG_NO_EXIF:
            message = f"{_which(flagged)}没有拍摄信息（EXIF 拍摄时间和位置），无法核实是否现场所拍"
        elif flag == FLAG_STALE:
            message = _stale(flagged, tz)
        elif flag == FLAG_FUTURE:
            message = _future(flagged, tz)
        else:
            message = _far(flagged, facts)
        warnings.append(OrderWarning(f"photo_{flag}", message))
    return warnings


def _last(events: Sequence[EventSeen], kind: str) -> EventSeen | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def check_in_warning(events: Sequence[EventSeen]) -> OrderWarning | None:
    """The latest check-in only: a later one at the site supersedes a far one."""
    last = _last(events, "checked_in")
    if last is None or not last.payload.get("far"):
        return None
    distance = last.payload.get("distance_m")
    how_far = f" {distance_zh(float(distance))}" if isinstance(distance, int | float) else "较远"
    return OrderWarning("check_in_far", f"签到位置距工单地点{how_far}，请核实处置人员是否到达现场")


def closure_warning(events: Sequence[EventSeen]) -> OrderWarning | None:
    """Discouraged wording (生硬、教育人的口吻) the latest closure report was submitted with."""
    last = _last(events, "closure_submitted")
    phrases = last.payload.get("warnings") if last is not None else None
    if not phrases or not isinstance(phrases, list):
        return None
    listed = "、".join(f"“{p}”" for p in dict.fromkeys(str(p) for p in phrases))
    return OrderWarning("closure_wording", f"结案报告使用了不宜使用的措辞：{listed}")


def order_warnings(
    facts: OrderFacts,
    photos: Sequence[PhotoSeen],
    events: Sequence[EventSeen],
    tz: tzinfo = SHANGHAI,
) -> list[OrderWarning]:
    """Every warning on the order, each code at most once."""
    found = [check_in_warning(events), *photo_warnings(photos, facts, tz), closure_warning(events)]
    return [w for w in found if w is not None]
