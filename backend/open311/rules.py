"""Open311 GeoReport v2 rules, pure: parameters, the date window, public statuses and the
status updates a client may follow. No web or database code; "now" comes in as an argument.

The spec (wiki.open311.org/GeoReport_v2) is followed where it speaks; where it is silent the
choice is written beside the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.workorders.states import FINISHED, Status

FORMATS = ("xml", "json")
# "GET Service Requests … may not span more than 90 days"; without dates, the last 90 days.
WINDOW = timedelta(days=90)
# The spec leaves the page size to the server; a client that wants more asks by date range.
MAX_REQUESTS = 1000
MAX_TEXT = 2000  # the order's description column
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,60})\](\[\])?$")
_ID = re.compile(r"^[A-Za-z0-9-]{1,40}$")


class Open311Problem(ValueError):
    """A request the spec refuses: ``status`` is its HTTP status (400, 403, 404, 429)."""

    def __init__(
        self, status: int, description: str, field: str | None = None, retry_after: int = 0
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.field = field  # the parameter at fault, for logs and tests (the spec has no slot)
        self.retry_after = retry_after  # seconds, for a 429


def present(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value, stripped; an empty one is the same as an absent one."""
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def service_request_ids(value: str | None) -> list[str]:
    ids = comma_list(value)
    for one in ids:
        if not _ID.match(one):
            raise Open311Problem(400, f"service_request_id：不是有效的诉求编号（{one}）")
    return ids


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C datetime with its zone ("2010-01-01T00:00:00Z", "…+08:00"); a date alone or a
    time without a zone is refused, because the window must mean one instant."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Problem(
            400, f"{name}：时间格式应为 W3C 格式，例如 2026-11-01T00:00:00Z（收到 {value}）"
        ) from None
    if moment.tzinfo is None or "T" not in text:
        raise Open311Problem(400, f"{name}：需要带时区的时间，例如 2026-11-01T00:00:00Z")
    return moment


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def request_window(start: str | None, end: str | None, now: datetime) -> Window:
    """The spec's window over requested_datetime: both dates given may span at most 90 days;
    one date alone reaches 90 days from it (the spec is silent: this keeps every answer inside
    the same bound); none, the most recent 90 days."""
    start_at = parse_w3c(start, "start_date") if start else None
    end_at = parse_w3c(end, "end_date") if end else None
    if start_at and end_at:
        if end_at < start_at:
            raise Open311Problem(400, "end_date：结束时间早于开始时间")
        if end_at - start_at > WINDOW:
            raise Open311Problem(400, "end_date：start_date 与 end_date 的跨度不能超过 90 天")
        return Window(start_at, end_at)
    if start_at:
        return Window(start_at, start_at + WINDOW)
    if end_at:
        return Window(end_at - WINDOW, end_at)
    return Window(now - WINDOW, now)


def public_status(status: str) -> str:
    """open or closed: an order nobody works on any more (closed, archived, not accepted,
    merged into another, 存电) is closed for the citizen."""
    return "closed" if Status(status) in FINISHED else "open"


def statuses_for(wanted: Iterable[str]) -> frozenset[Status] | None:
    """The order statuses behind the spec's status filter ("open", "closed", comma lists);
    None: no filter."""
    names = {w.lower() for w in wanted}
    unknown = names - {"open", "closed"}
    if unknown:
        raise Open311Problem(400, f"status：只能是 open 或 closed（收到 {sorted(unknown)[0]}）")
    if not names or names == {"open", "closed"}:
        return None
    if names == {"closed"}:
        return frozenset(FINISHED)
    return frozenset(s for s in Status if s not in FINISHED)


def attributes_of(form: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """``attribute[CODE]`` (and ``attribute[CODE][]`` for multivaluelist) → code → values."""
    found: dict[str, list[str]] = {}
    for key, values in form.items():
        match = _ATTRIBUTE.match(key)
        if match:
            kept = [v.strip() for v in values if v.strip()]
            if kept:
                found.setdefault(match.group(1), []).extend(kept)
    return found


# The timeline events a requester may follow (servicerequestupdates), with what they say
# and the public status after them. Internal steps (assists, first contacts, evidence, returns
# between offices, supervision) stay inside: they are the street's own work, and their notes
# can name people.
PUBLIC_UPDATES: Mapping[str, tuple[str, str]] = {
    "reported": ("open", "已受理"),
    "dispatched": ("open", "已派单至承办部门"),
    "accepted": ("open", "承办部门已接单"),
    "checked_in": ("open", "承办人员已到达现场"),
    "closure_submitted": ("open", "已处置，待核查"),
    "verified": ("open", "已核查，待回访"),
    "verification_failed": ("open", "核查未通过，重新处置"),
    "warning_order": ("open", "回访不满意，重新处置"),
    "closed": ("closed", "已办结"),
    "rejected": ("closed", "不予受理"),
    "merged": ("closed", "与已有诉求合并办理"),
    "stored": ("closed", "已存档备查（存电）"),
    "archived": ("closed", "已归档"),
}


# -- services and their attributes ----------------------------------------------------------

ASPECT_ATTRIBUTE = "aspect"


def attributes_for(lead: Mapping[str, object]) -> list[dict[str, object]]:
    """The questions a service asks. Only a category whose lead depends on what the problem
    is about (the list's 按事项 rows, e.g. 垃圾厢房: 片区, but 建设、选址 go to 社区管理办)
    needs one: the requester's answer tells the dispatcher whom it goes to. Others ask none."""
    if lead.get("kind") != "by_aspect" or not lead.get("aspect"):
        return []
    aspect = str(lead["aspect"])
    return [
        {
            "variable": True,
            "code": ASPECT_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "选择一项",
            "order": 1,
            "description": f"是否涉及{aspect}？",
            "values": [
                {"key": "no", "name": "否"},
                {"key": "yes", "name": f"是，涉及{aspect}"},
            ],
        }
    ]


def check_attributes(
    given: Mapping[str, list[str]], definitions: Iterable[Mapping[str, object]]
) -> None:
    """Known codes only; a list attribute's value must be one of its keys; required ones
    present."""
    known = {str(d["code"]): d for d in definitions}
    for code, values in given.items():
        definition = known.get(code)
        if definition is None:
            raise Open311Problem(
                400, f"attribute[{code}]：该服务没有这项属性", f"attribute[{code}]"
            )
        options = definition.get("values")
        if isinstance(options, list):
            keys = {str(o["key"]) for o in options}
            bad = [v for v in values if v not in keys]
            if bad:
                raise Open311Problem(
                    400,
                    f"attribute[{code}]：取值应为 {', '.join(sorted(keys))}（收到 {bad[0]}）",
                    f"attribute[{code}]",
                )
            if definition.get("datatype") == "singlevaluelist" and len(values) > 1:
                raise Open311Problem(400, f"attribute[{code}]：只能选一项", f"attribute[{code}]")
    for code, definition in known.items():
        if definition.get("required") and code not in given:
            raise Open311Problem(400, f"attribute[{code}]：必填", f"attribute[{code}]")


def attribute_notes(
    given: Mapping[str, list[str]], definitions: Iterable[Mapping[str, object]]
) -> list[str]:
    """The answers as lines of the order's description, so the dispatcher reads them."""
    notes: list[str] = []
    for definition in definitions:
        code = str(definition["code"])
        if code not in given:
            continue
        names = {str(o["key"]): str(o["name"]) for o in definition.get("values") or []}  # type: ignore[attr-defined]
        answer = "、".join(names.get(v, v) for v in given[code])
        notes.append(f"{definition['description']} {answer}")
    return notes


def group_of(lead: Mapping[str, object]) -> str:
    """The service's group: the office that leads it by the responsibility list."""
    text = str(lead.get("text") or "").strip()
    return text or "由指挥中心指派"
