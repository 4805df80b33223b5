"""The roles people have in a street (pure: the state machine reads them too)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    member = "member"  # 网格员
    inspector = "inspector"  # 专职巡查员
    handler = "handler"  # 承办人
    dispatcher = "dispatcher"  # 指挥中心
    leader = "leader"  # 分管领导
    admin = "admin"


# The command center's roles: they see and may act on the whole street.
STREET_WIDE = frozenset({Role.dispatcher, Role.leader, Role.admin})
