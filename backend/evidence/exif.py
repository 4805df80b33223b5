"""Best-effort reading of the EXIF fields that matter as evidence: GPS, capture time,
orientation and camera.

Phones and cameras write broken EXIF often enough (truncated IFDs, zero-denominator
rationals, empty GPS blocks, "0000:00:00 00:00:00" dates), so every reader here returns
``None`` / a default instead of raising: a photo with unreadable metadata is still a photo.
Pure functions over a Pillow ``Image.Exif``; nothing here decodes pixels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from PIL import ExifTags, Image

__all__ = [
    "ExifFields",
    "parse_exif",
    "parse_exif_datetime",
    "parse_gps",
]

# Tag numbers (Pillow's ExifTags names, spelled out so the intent is obvious).
_ORIENTATION = ExifTags.Base.Orientation  # 0x0112
_MAKE = ExifTags.Base.Make
_MODEL = ExifTags.Base.Model
_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal  # 0x9003
_DATETIME_DIGITIZED = ExifTags.Base.DateTimeDigitized  # 0x9004
_OFFSET_ORIGINAL = ExifTags.Base.OffsetTimeOriginal  # 0x9011
_OFFSET_DIGITIZED = ExifTags.Base.OffsetTimeDigitized  # 0x9012
_SUBSEC_ORIGINAL = ExifTags.Base.SubsecTimeOriginal  # 0x9291
_SUBSEC_DIGITIZED = ExifTags.Base.SubsecTimeDigitized  # 0x9292
_GPS_LAT_REF, _GPS_LAT = ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude
_GPS_LNG_REF, _GPS_LNG = ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude
_GPS_STATUS = ExifTags.GPS.GPSStatus

_DATETIME_RE = re.compile(r"^(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_MAX_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class ExifFields:
    has_exif: bool  # any EXIF tag at all
    orientation: int  # 1..8 as recorded; 1 when absent or invalid
    gps: tuple[float, float] | None  # (lat, lng) WGS-84 decimal degrees
    taken_at: datetime | None  # always aware
    make: str | None
    model: str | None


NO_EXIF = ExifFields(False, 1, None, None, None, None)


def _text(value: Any, limit: int = 64) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    # Cameras pad with NULs and spaces ("OLYMPUS IMAGING CORP.  "); keep printable text only.
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:limit] or None


def _number(value: Any) -> float | None:
    try:
        number = float(value)  # IFDRational with a zero denominator gives nan
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _dms(value: Any, max_degrees: float) -> float | None:
    """(deg, min, sec) rationals -> degrees >= 0, or None if malformed."""
    if not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    deg, minutes, seconds = ([*parts, 0.0, 0.0])[:3]
    assert deg is not None and minutes is not None and seconds is not None
    # Kodak writes decimal minutes (0, 22.278, 0); that is fine, 61 minutes is not.
    if minutes > 60 or seconds > 60:
        return None
    degrees = deg + minutes / 60 + seconds / 3600
    return degrees if degrees <= max_degrees else None


def _ref(value: Any, allowed: str) -> str | None:
    text = _text(value, 4)
    if text is None:
        return None
    text = text.upper()[:1]
    return text if text and text in allowed else None


def parse_gps(gps_ifd: Mapping[int, Any]) -> tuple[float, float] | None:
    """GPS IFD -> (lat, lng) in signed decimal degrees, or None.

    None when coordinates or their N/S/E/W references are missing (a wrong hemisphere is
    worse evidence than no position), malformed, NaN, out of range, exactly (0, 0) ("null
    island", what some phones write without a fix) or when GPSStatus says the fix is void.
    """
    try:
        if _text(gps_ifd.get(_GPS_STATUS), 4) == "V":
            return None
        lat_ref = _ref(gps_ifd.get(_GPS_LAT_REF), "NS")
        lng_ref = _ref(gps_ifd.get(_GPS_LNG_REF), "EW")
        lat = _dms(gps_ifd.get(_GPS_LAT), 90.0)
        lng = _dms(gps_ifd.get(_GPS_LNG), 180.0)
    except Exception:  # a broken IFD can fail in many ways; none of them is the user's fault
        return None
    if lat_ref is None or lng_ref is None or lat is None or lng is None:
        return None
    if lat == 0 and lng == 0:
        return None
    return (-lat if lat_ref == "S" else lat, -lng if lng_ref == "W" else lng)


def _offset(value: Any) -> tzinfo | None:
    text = _text(value, 16)
    match = _OFFSET_RE.match(text) if text else None
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > _MAX_OFFSET or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def parse_exif_datetime(
    value: Any, offset: Any = None, subsec: Any = None, *, local_tz: tzinfo
) -> datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (+ OffsetTime*, SubSecTime*) -> aware datetime or None.

    Without an offset tag the camera's wall clock is assumed to be in ``local_tz``: phones
    write local time, and Gridline's users photograph their own city.
    """
    text = _text(value, 32)
    match = _DATETIME_RE.match(text) if text else None
    if not match:
        return None
    try:
        parts = [int(g) for g in match.groups()]
        if parts[0] < 1900:  # "0000:00:00 …" and other clock-reset junk
            return None
        naive = datetime(*parts)  # type: ignore[arg-type]
    except ValueError:  # "1999:99:99 99:99:99"
        return None
    sub = _text(subsec, 16)
    if sub and sub.isdigit():
        naive = naive.replace(microsecond=int(sub[:6].ljust(6, "0")))
    return naive.replace(tzinfo=_offset(offset) or local_tz)


def _orientation(value: Any) -> int:
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _ifd(exif: Image.Exif, tag: int) -> Mapping[int, Any]:
    try:
        return exif.get_ifd(tag)
    except Exception:  # pointer past the end, loops, bad counts …
        return {}


def parse_exif(exif: Image.Exif, *, local_tz: tzinfo) -> ExifFields:
    """Read the evidence fields from ``exif``; never raises."""
    try:
        if not len(exif):
            return NO_EXIF
        sub = _ifd(exif, ExifTags.IFD.Exif)
        taken_at = parse_exif_datetime(
            sub.get(_DATETIME_ORIGINAL, exif.get(_DATETIME_ORIGINAL)),
            sub.get(_OFFSET_ORIGINAL),
            sub.get(_SUBSEC_ORIGINAL),
            local_tz=local_tz,
        ) or parse_exif_datetime(
            # Digitized == capture time for phones; DateTime (0x0132) is edit time, not used.
            sub.get(_DATETIME_DIGITIZED),
            sub.get(_OFFSET_DIGITIZED),
            sub.get(_SUBSEC_DIGITIZED),
            local_tz=local_tz,
        )
        gps = parse_gps(_ifd(exif, ExifTags.IFD.GPSInfo)) if ExifTags.IFD.GPSInfo in exif else None
        return ExifFields(
            has_exif=True,
            orientation=_orientation(exif.get(_ORIENTATION)),
            gps=gps,
            taken_at=taken_at,
            make=_text(exif.get(_MAKE)),
            model=_text(exif.get(_MODEL)),
        )
    except Exception:
        return NO_EXIF
