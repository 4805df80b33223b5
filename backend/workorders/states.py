"""The statuses an order can be in and the sources it comes from, with their Chinese labels.

Pure: the state machine, the tables and the API all read these, so "open" is defined once.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    reported = "reported"  # waiting for dispatch
    dispatched = "dispatched"
    accepted = "accepted"
    in_progress = "in_progress"
    submitted = "submitted"  # closure report submitted
    verified = "verified"  # waiting for the callback, which closes or reopens the order
    closed = "closed"
    archived = "archived"
    returned = "returned"  # back at the command center
    rejected = "rejected"  # 不予受理
    merged = "merged"  # duplicate of another order
    stored = "stored"  # 存电


class Source(StrEnum):
    patrol = "patrol"
    inspector = "inspector"
    hotline = "hotline"
    snapshot = "snapshot"  # 随手拍 / 随申拍
    leader = "leader"
    media = "media"
    open311 = "open311"


S = Status
# Still being worked on: counts toward workloads, duplicates and open-order lists.
OPEN = frozenset(
    {S.reported, S.dispatched, S.accepted, S.in_progress, S.submitted, S.verified, S.returned}
)
# A duplicate may join an order still being worked on, not one already verified or closed.
MERGEABLE = frozenset({S.reported, S.dispatched, S.accepted, S.in_progress, S.submitted})
WORKING = frozenset({S.accepted, S.in_progress})
AWAITING_DISPATCH = frozenset({S.reported, S.returned})
# Nobody has anything left to do on these: no deadline runs, no inbox item waits.
FINISHED = frozenset({S.closed, S.archived, S.rejected, S.merged, S.stored})

STATUS_LABELS: dict[Status, str] = {
    S.reported: "待派单",
    S.dispatched: "已派单",
    S.accepted: "已接单",
    S.in_progress: "处置中",
    S.submitted: "待核查",
    S.verified: "待回访",
    S.closed: "已结案",
    S.archived: "已归档",
    S.returned: "退单待审",
    S.rejected: "不予受理",
    S.merged: "已合并",
    S.stored: "已存电",
}
SOURCE_LABELS: dict[Source, str] = {
    Source.patrol: "网格巡查",
    Source.inspector: "专职巡查",
    Source.hotline: "12345热线",
    Source.snapshot: "随手拍",
    Source.leader: "领导交办",
    Source.media: "媒体曝光",
    Source.open311: "Open311",
}

# Orders the district platform sent (12345, 随申拍, 领导交办, 媒体曝光, Open311).
PLATFORM_SOURCES = frozenset(
    {Source.hotline, Source.snapshot, Source.leader, Source.media, Source.open311}
)
