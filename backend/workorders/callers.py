"""Who may see an order's caller (来电人), and how the rest see them masked. Pure.

The handling departments need the caller to contact them first; the command center needs
them to call back. Everyone else (members, inspectors, other departments) sees a masked
caller, and every list shows a masked one: a list is shown on a screen across a desk.
Anonymous and confidential (信息保密) callers are never shown to departments at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


class CallerView(StrEnum):
    full = "full"
    masked = "masked"
    hidden = "hidden"


@dataclass(frozen=True)
class Caller:
    name: str | None
    phone: str | None
    anonymous: bool = False
    confidential: bool = False

    @property
    def reachable(self) -> bool:
        """Someone to contact first: a caller who left a number and did not stay anonymous
        (seed 003: 所有工单（匿名电话除外）)."""
        return bool(self.phone) and not self.anonymous


def digits(phone: str) -> str:
    return re.sub(r"[^\d+]", "", phone)


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(digits(phone)))


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits stay, as 12345 platforms show."""
    number = digits(phone)
    if len(number) >= 8:
        return f"{number[:3]}****{number[-4:]}"
    if len(number) >= 3:
        return f"{number[:1]}****{number[-2:]}"
    return "****"


def mask_name(name: str) -> str:
    """张* / 欧阳**: the family name's first character, the rest hidden."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def view_of(caller: Caller, *, command_center: bool, handling: bool, in_list: bool) -> CallerView:
    if in_list:
        return CallerView.masked
    if command_center:
        return CallerView.full
    if handling:
        hide = caller.anonymous or caller.confidential
        return CallerView.hidden if hide else CallerView.full
    return CallerView.masked


def shown(caller: Caller, view: CallerView) -> tuple[str | None, str | None]:
    """(name, phone) as this viewer sees them."""
    if view is CallerView.hidden:
        return None, None
    name = "匿名" if caller.anonymous else caller.name
    if view is CallerView.full:
        return name, caller.phone
    masked_name = name if caller.anonymous or not name else mask_name(name)
    return masked_name, mask_phone(caller.phone) if caller.phone else None
