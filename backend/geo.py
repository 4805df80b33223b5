"""Coordinates (pure): conversions between the systems Chinese map SDKs use, distances and
bounding boxes.

- WGS-84: what GPS receivers and photo EXIF report.
- GCJ-02: the obfuscated "Mars" datum that WeChat, Amap (高德) and Tencent maps return.
- BD-09: Baidu's extra offset on top of GCJ-02.

Every function takes ``(lat, lng)`` in decimal degrees and returns a ``(lat, lng)`` tuple.
(Many JS libraries use ``[lng, lat]``; this module never does.)

The formulas are the widely published GCJ-02 algorithm (Krasovsky 1940 ellipsoid) and
Baidu's BD-09 offset. Points outside China's bounding box are returned unchanged, matching
what the map SDKs do.
"""

from __future__ import annotations

import math

__all__ = [
    "CRS_NAMES",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "bounding_box",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "out_of_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

LatLng = tuple[float, float]

CRS_NAMES = frozenset({"wgs84", "gcj02", "bd09"})

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

_EARTH_RADIUS_M = 6371008.8  # IUGG mean radius

# The inverses stop once the forward transform reproduces the input this closely.
_INVERSE_TOL_DEG = 1e-9
_INVERSE_MAX_ITER = 30


def out_of_china(lat: float, lng: float) -> bool:
    """True when the point is outside the rough box where GCJ-02 shifting applies."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_delta(lat: float, lng: float) -> LatLng:
    """Offset (dlat, dlng) that GCJ-02 adds to a WGS-84 point."""
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> LatLng:
    if out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj02_delta(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> LatLng:
    """Inverse of wgs84_to_gcj02.

    GCJ-02 has no closed-form inverse. The one-step approximation (subtract the offset
    computed at the GCJ point) is off by ~1e-5° (about a metre), so we refine with
    fixed-point iteration: the offset varies slowly, each step shrinks the error ~1000x,
    and three or four steps reach the 1e-9° tolerance.
    """
    if out_of_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _ in range(_INVERSE_MAX_ITER):
        # Use the raw offset (no box check) so iterates near the border cannot oscillate.
        dlat, dlng = _gcj02_delta(w_lat, w_lng)
        err_lat, err_lng = w_lat + dlat - lat, w_lng + dlng - lng
        if abs(err_lat) < _INVERSE_TOL_DEG and abs(err_lng) < _INVERSE_TOL_DEG:
            break
        w_lat -= err_lat
        w_lng -= err_lng
    return w_lat, w_lng


def _bd09_forward(lat: float, lng: float) -> LatLng:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def gcj02_to_bd09(lat: float, lng: float) -> LatLng:
    # Baidu applies its offset everywhere, but only Chinese points are meaningful; leaving
    # foreign points untouched keeps all conversions consistent.
    if out_of_china(lat, lng):
        return lat, lng
    return _bd09_forward(lat, lng)


def bd09_to_gcj02(lat: float, lng: float) -> LatLng:
    """Inverse of gcj02_to_bd09.

    The commonly published inverse formula is itself approximate (up to ~2e-6°), so its
    result is polished with the same fixed-point refinement as the GCJ-02 inverse.
    """
    if out_of_china(lat, lng):
        return lat, lng
    x = lng - 0.0065
    y = lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    g_lat, g_lng = z * math.sin(theta), z * math.cos(theta)
    for _ in range(_INVERSE_MAX_ITER):
        b_lat, b_lng = _bd09_forward(g_lat, g_lng)
        err_lat, err_lng = b_lat - lat, b_lng - lng
        if abs(err_lat) < _INVERSE_TOL_DEG and abs(err_lng) < _INVERSE_TOL_DEG:
            break
        g_lat -= err_lat
        g_lng -= err_lng
    return g_lat, g_lng


def wgs84_to_bd09(lat: float, lng: float) -> LatLng:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))


def bd09_to_wgs84(lat: float, lng: float) -> LatLng:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))


def to_wgs84(lat: float, lng: float, crs: str) -> LatLng:
    """Convert a point given in ``crs`` ("wgs84" | "gcj02" | "bd09") to WGS-84."""
    if crs == "wgs84":
        return lat, lng
    if crs == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if crs == "bd09":
        return bd09_to_wgs84(lat, lng)
    raise ValueError(f"unknown coordinate system {crs!r}; expected one of wgs84, gcj02, bd09")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (spherical Earth; error < 0.5%, fine for flags)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# Metres per degree of latitude (a sphere of the haversine's radius): close enough for the
# bounding boxes that only pre-select candidates before the exact distance is computed.
_M_PER_DEGREE = 2 * math.pi * _EARTH_RADIUS_M / 360


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) containing every point within ``radius_m``."""
    dlat = radius_m / _M_PER_DEGREE
    dlng = radius_m / (_M_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
