"""Coordinate conversions against gcoord's published reference vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.geo import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

CITIES_PATH = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "testdata"
    / "coords"
    / "china-cities.json"
)
# Independent implementations agree with the fixtures within ~7.4e-6° (testdata README).
REF_TOL = 1e-5


def _load_cities() -> list[dict[str, Any]]:
    # Fail rather than skip: without the vectors the conversions are not checked at all.
    assert CITIES_PATH.exists(), f"reference data missing: {CITIES_PATH}"
    return json.loads(CITIES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cities() -> list[dict[str, Any]]:
    data = _load_cities()
    assert len(data) == 664
    return data


def _latlng(city: dict[str, Any], crs: str) -> tuple[float, float]:
    lng, lat = city["coords"][crs]  # the fixture stores [lng, lat]
    return lat, lng


def _assert_close(got: tuple[float, float], want: tuple[float, float], tol: float, what: str):
    assert abs(got[0] - want[0]) <= tol and abs(got[1] - want[1]) <= tol, (
        f"{what}: got {got}, want {want}"
    )


def _check_all(cities: list[dict[str, Any]], func: Any, src: str, dst: str) -> None:
    failures = []
    for city in cities:
        got = func(*_latlng(city, src))
        want = _latlng(city, dst)
        if abs(got[0] - want[0]) > REF_TOL or abs(got[1] - want[1]) > REF_TOL:
            failures.append((city["attrs"]["name"], got, want))
    assert not failures, f"{len(failures)} cities off, e.g. {failures[:3]}"


def test_reference_cities_are_inside_china(cities: list[dict[str, Any]]) -> None:
    assert not any(out_of_china(*_latlng(c, "WGS84")) for c in cities)


def test_wgs84_to_gcj02_matches_reference(cities: list[dict[str, Any]]) -> None:
    _check_all(cities, wgs84_to_gcj02, "WGS84", "GCJ02")


def test_gcj02_to_wgs84_matches_reference(cities: list[dict[str, Any]]) -> None:
    _check_all(cities, gcj02_to_wgs84, "GCJ02", "WGS84")


def test_wgs84_to_bd09_matches_reference(cities: list[dict[str, Any]]) -> None:
    _check_all(cities, wgs84_to_bd09, "WGS84", "BD09")


def test_bd09_to_wgs84_matches_reference(cities: list[dict[str, Any]]) -> None:
    _check_all(cities, bd09_to_wgs84, "BD09", "WGS84")


def test_gcj02_bd09_pair_matches_reference(cities: list[dict[str, Any]]) -> None:
    _check_all(cities, gcj02_to_bd09, "GCJ02", "BD09")
    _check_all(cities, bd09_to_gcj02, "BD09", "GCJ02")


def test_to_wgs84_dispatches_on_crs(cities: list[dict[str, Any]]) -> None:
    city = cities[0]
    want = _latlng(city, "WGS84")
    for crs, key in (("wgs84", "WGS84"), ("gcj02", "GCJ02"), ("bd09", "BD09")):
        _assert_close(to_wgs84(*_latlng(city, key), crs), want, REF_TOL, crs)


def test_to_wgs84_identity_for_wgs84() -> None:
    assert to_wgs84(39.9, 116.4, "wgs84") == (39.9, 116.4)


@pytest.mark.parametrize("crs", ["WGS84", "GCJ-02", "bd-09", "", "epsg:4326", "mercator"])
def test_unknown_crs_raises(crs: str) -> None:
    with pytest.raises(ValueError):
        to_wgs84(39.9, 116.4, crs)


@pytest.mark.parametrize(
    ("name", "lat", "lng"),
    [("Paris", 48.8566, 2.3522), ("Tokyo", 35.6762, 139.6503), ("Sydney", -33.8688, 151.2093)],
)
def test_points_outside_china_are_unchanged(name: str, lat: float, lng: float) -> None:
    assert out_of_china(lat, lng), name
    for func in (
        wgs84_to_gcj02,
        gcj02_to_wgs84,
        wgs84_to_bd09,
        bd09_to_wgs84,
        gcj02_to_bd09,
        bd09_to_gcj02,
    ):
        assert func(lat, lng) == (lat, lng), func.__name__
    for crs in ("wgs84", "gcj02", "bd09"):
        assert to_wgs84(lat, lng, crs) == (lat, lng)


def test_shift_is_a_few_hundred_metres_in_beijing() -> None:
    # Sanity check on argument order: (lat, lng) in, (lat, lng) out.
    lat, lng = 39.9087, 116.3975  # Tiananmen, WGS-84
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    assert 100 < haversine_m(lat, lng, g_lat, g_lng) < 1000
    assert abs(g_lat - lat) < 0.01 and abs(g_lng - lng) < 0.01


# The GCJ-02 offset reaches ~0.011°, so keep a margin from the out_of_china box: a point just
# inside the box can be shifted out of it, where the inverse (correctly) no longer applies.
_china_lat = st.floats(min_value=0.85, max_value=55.8)
_china_lng = st.floats(min_value=72.03, max_value=137.8)


@given(lat=_china_lat, lng=_china_lng)
def test_gcj02_round_trip_within_1e_6(lat: float, lng: float) -> None:
    _assert_close(gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng)), (lat, lng), 1e-6, "gcj02")


@given(lat=_china_lat, lng=_china_lng)
def test_bd09_round_trip_within_1e_6(lat: float, lng: float) -> None:
    _assert_close(bd09_to_wgs84(*wgs84_to_bd09(lat, lng)), (lat, lng), 1e-6, "bd09")


def test_haversine_one_degree_of_latitude() -> None:
    d = haversine_m(30.0, 114.0, 31.0, 114.0)
    assert d == pytest.approx(111_195, rel=0.005)


def test_haversine_zero_and_symmetry() -> None:
    assert haversine_m(39.9, 116.4, 39.9, 116.4) == 0.0
    a = haversine_m(39.9042, 116.4074, 31.2304, 121.4737)  # Beijing -> Shanghai
    b = haversine_m(31.2304, 121.4737, 39.9042, 116.4074)
    assert a == pytest.approx(b)
    assert a == pytest.approx(1_067_000, rel=0.01)


def test_haversine_antipodes_does_not_fail() -> None:
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(20_015_000, rel=0.005)
