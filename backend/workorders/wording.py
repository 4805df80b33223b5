"""Wording shared by the lifecycle rules: durations and moments in Chinese (pure)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from backend.sla.profiles import Duration, Unit

_UNIT_ZH = {
    Unit.MINUTES: "分钟",
    Unit.HOURS: "小时",
    Unit.NATURAL_DAYS: "个自然日",
    Unit.WORKING_DAYS: "个工作日",
}


def duration_zh(duration: Duration) -> str:
    return f"{duration.amount}{_UNIT_ZH[duration.unit]}"


def moment_zh(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
