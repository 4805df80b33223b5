"""Grid lookup, lead routing and the timeline hash chain (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog.responsibility_list import load_responsibility_list
from backend.dispatch.geo import GridIndex
from backend.dispatch.routing import RoutingContext, route
from backend.org.demo import cell_polygon
from backend.workorders.timeline import GENESIS, EventContent, chain_hash, verify

CATALOG = {item.number: item for item in load_responsibility_list().items}


def _lead(number: int) -> dict:
    lead = CATALOG[number].lead
    return {k: v for k, v in lead.__dict__.items() if v is not None}


def _assists(number: int) -> list[dict]:
    return [a.__dict__ for a in CATALOG[number].assists]


CTX = RoutingContext(area_team="第一片区", repeat_at_address=False, workday_daytime=True)


def test_area_team_items_go_to_the_grids_area_team() -> None:
    result = route(_lead(66), _assists(66), CTX)
    assert result.lead == "第一片区"
    assert "第一片区" not in result.assists


def test_group_rental_goes_to_the_area_team_first_then_to_the_safety_office() -> None:
    assert route(_lead(26), _assists(26), CTX).lead == "第一片区"
    again = route(_lead(26), _assists(26), replace(CTX, repeat_at_address=True))
    assert again.lead == "社区平安办"
    assert "社区平安办" not in again.assists  # the new lead is not also its own helper


def test_duty_phone_is_the_command_center_by_day_and_the_party_office_otherwise() -> None:
    assert route(_lead(97), _assists(97), CTX).lead == "城运中心"
    assert route(_lead(97), _assists(97), replace(CTX, workday_daytime=False)).lead == "党政办"


def test_fixed_department_and_enforcement_helpers() -> None:
    result = route(_lead(34), _assists(34), CTX)
    assert result.lead == "综合行政执法队"
    assert route(_lead(17), _assists(17), CTX).assists == (
        "综合行政执法队",
    )  # 执法 works it; 指导 does not


def test_unassigned_and_out_of_grid_need_a_dispatcher() -> None:
    assert route(_lead(85), _assists(85), CTX).lead is None
    assert route(_lead(66), _assists(66), replace(CTX, area_team=None)).lead is None


SQUARES = [(i + 1, cell_polygon(i % 4, i // 4)) for i in range(8)]


def test_grid_lookup_finds_the_cell_and_flags_points_outside() -> None:
    index = GridIndex(SQUARES)
    assert index.locate(31.2445, 121.403) == 5  # lattice row 1, first column
    assert index.locate(31.236, 121.403) == 1
    assert index.locate(31.30, 121.50) is None
    assert GridIndex([]).locate(31.24, 121.41) is None


@given(st.floats(31.2325, 31.2475), st.floats(121.4005, 121.4235))
def test_every_point_of_the_street_is_in_exactly_one_grid(lat: float, lng: float) -> None:
    assert GridIndex(SQUARES).locate(lat, lng) is not None


def _chain(n: int) -> list[tuple[EventContent, str, str]]:
    events, previous = [], GENESIS
    for seq in range(1, n + 1):
        content = EventContent(
            seq, "step", 1, datetime(2026, 11, 23, 1, seq, tzinfo=UTC), {"n": seq}
        )
        digest = chain_hash(previous, content)
        events.append((content, previous, digest))
        previous = digest
    return events


def test_chain_verifies_and_detects_tampering() -> None:
    events = _chain(4)
    assert verify(events)
    content, prev, digest = events[1]
    assert not verify([events[0], (replace(content, payload={"n": 99}), prev, digest), *events[2:]])
    assert not verify([events[0], *events[2:]])  # a deleted event
    assert not verify([events[1], events[0], *events[2:]])  # reordered


@pytest.mark.parametrize("microsecond", [0, 999_999])
def test_hash_ignores_sub_second_precision(microsecond: int) -> None:
    content = EventContent(1, "x", None, datetime(2026, 1, 1, tzinfo=UTC), {})
    assert chain_hash(GENESIS, content) == chain_hash(
        GENESIS, replace(content, at=content.at.replace(microsecond=microsecond))
    )
