"""Photo pipeline: identify, check, read EXIF, and derive the display and thumbnail JPEGs.

Pure functions over bytes: limits, font path, "now" and thresholds are arguments. The
original bytes are never modified (the caller stores them as-is under ``sha256``); derived
copies have EXIF orientation applied and carry no EXIF.

Speed matters (target < 90 ms CPU for a 12 MP JPEG): JPEGs are decoded at a DCT scale
(``draft``: 1/2, 1/4, 1/8) chosen so that the result already fits ``display_max``, which
skips the resample pass; the thumbnail is made from that reduced image.

Only ``ImagingError`` subclasses escape, whatever the bytes: ``UnsupportedImage`` (415),
``ImageTooLarge`` (413) and ``BadImage`` (422), each with a stable ``code`` and a Chinese
``message`` for the user.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import Image

from backend.evidence.exif import ExifFields, parse_exif
from backend.evidence.watermark import (
    WatermarkInfo,
    draw_label_band,
    draw_watermark,
    find_cjk_font,
)
from backend.geo import haversine_m

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "FLAG_FAR",
    "FLAG_FUTURE",
    "FLAG_NO_EXIF",
    "FLAG_STALE",
    "BadImage",
    "ImageTooLarge",
    "ImageType",
    "ImagingError",
    "PhotoMetadata",
    "ProcessedPhoto",
    "UnsupportedImage",
    "WatermarkInfo",
    "before_after",
    "detect_image_type",
    "find_cjk_font",
    "photo_flags",
    "process_photo",
    "read_metadata",
]

# Once per process: HEIF support for Image.open. Thumbnails, depth and auxiliary images
# (iPhone HDR gain maps) are never used, so libheif need not parse them.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

log = logging.getLogger("gridline.evidence.imaging")

ImageType = Literal["jpeg", "png", "webp", "heif"]

_MB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * _MB
DEFAULT_MAX_PIXELS = 50_000_000
_SHANGHAI = ZoneInfo("Asia/Shanghai")

FLAG_NO_EXIF = "no_exif"
FLAG_STALE = "stale"
FLAG_FUTURE = "future"
FLAG_FAR = "far"

_PIL_FORMATS: dict[ImageType, list[str]] = {
    "jpeg": ["JPEG"],
    "png": ["PNG"],
    "webp": ["WEBP"],
    "heif": ["HEIF"],
}
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AV1_BRANDS = frozenset({b"avif", b"avis"})

# ImageOps.exif_transpose's table; 5-8 swap width and height.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = frozenset({5, 6, 7, 8})
# A DCT scale that fits but leaves the long side under 3/4 of the bound loses too much
# detail; then decode one scale finer and pay for a (cheap) resample instead.
_MIN_FILL = 0.75
_MAX_ICC_BYTES = 256 * 1024


# --------------------------------------------------------------------------- errors


class ImagingError(ValueError):
    """Base class. ``code`` is stable, ``message`` is Chinese and safe to show."""

    code = "bad_image"
    status_code = 422
    default_message = "照片无法处理"

    def __init__(self, message: str | None = None, *, code: str | None = None, detail: str = ""):
        self.message = message or self.default_message
        self.code = code or type(self).code
        # English, for logs only: what the decoder said.
        self.detail = detail
        super().__init__(self.message)


class UnsupportedImage(ImagingError):
    code = "unsupported_media_type"
    status_code = 415
    default_message = "不支持的文件格式，请上传 JPEG、PNG、WebP 或 HEIC 照片"


class ImageTooLarge(ImagingError):
    code = "image_too_large"
    status_code = 413
    default_message = "照片尺寸过大"

    @classmethod
    def for_bytes(cls, max_bytes: int) -> ImageTooLarge:
        return cls(f"照片超过 {_format_bytes(max_bytes)} 上限", code="file_too_large")

    @classmethod
    def for_pixels(cls, max_pixels: int, size: tuple[int, int] | None = None) -> ImageTooLarge:
        dims = f"（{size[0]}×{size[1]}）" if size else ""
        return cls(f"照片像素过多{dims}，上限为 {_format_pixels(max_pixels)}")


class BadImage(ImagingError):
    code = "bad_image"
    status_code = 422
    default_message = "照片文件已损坏或无法读取，请重新拍摄后上传"


def _format_bytes(limit: int) -> str:
    mb = limit / _MB
    if mb >= 0.1:
        return f"{mb:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(limit / 1024))} KB"


def _format_pixels(limit: int) -> str:
    return f"{limit / 10_000:.0f} 万像素" if limit >= 10_000 else f"{limit} 像素"


@contextmanager
def _guard(max_pixels: int) -> Iterator[None]:
    """Turn whatever Pillow/libheif raise on hostile bytes into an ImagingError."""
    try:
        yield
    except ImagingError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        # The warning only arrives as an exception under -W error; the size check after
        # Image.open rejects anything above max_pixels either way.
        raise ImageTooLarge.for_pixels(max_pixels) from exc
    except Exception as exc:
        # Mostly decoder errors on hostile bytes; the traceback is kept for the rare bug.
        log.info("image processing failed: %r", exc, exc_info=True)
        raise BadImage(detail=repr(exc)) from exc


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class PhotoMetadata:
    image_type: ImageType
    width: int  # after EXIF orientation
    height: int
    orientation: int  # as the camera recorded it (1..8)
    gps: tuple[float, float] | None  # (lat, lng) WGS-84
    taken_at: datetime | None  # aware; naive EXIF times are read in local_tz
    make: str | None
    model: str | None
    has_exif: bool


@dataclass(frozen=True)
class ProcessedPhoto:
    sha256: str  # of the original bytes, which the caller stores unchanged
    image_type: ImageType
    original_width: int  # after EXIF orientation
    original_height: int
    display_jpeg: bytes
    display_width: int
    display_height: int
    thumbnail_jpeg: bytes
    thumb_width: int
    thumb_height: int
    gps: tuple[float, float] | None
    taken_at: datetime | None
    orientation: int
    make: str | None
    model: str | None
    flags: tuple[str, ...]
    watermark_font_missing: bool = False


DistanceFn = Callable[[float, float, float, float], float]


# --------------------------------------------------------------------------- sniffing


def _is_heif(head: bytes) -> bool:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    end = min(int.from_bytes(head[:4], "big"), len(head))
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _HEVC_BRANDS:
        return True
    # mif1/msf1 alone are generic HEIF; with an AV1 brand they are AVIF, which we do not take.
    return major in _GENERIC_HEIF_BRANDS and not brands & _AV1_BRANDS


def detect_image_type(data: bytes) -> ImageType:
    """The image type by content (magic bytes, ftyp brands), never by file name."""
    head = bytes(data[:256])
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _is_heif(head):
        return "heif"
    raise UnsupportedImage(detail=f"magic {head[:12]!r}")


# --------------------------------------------------------------------------- decoding


def _open(data: bytes, max_bytes: int, max_pixels: int) -> tuple[Image.Image, ImageType]:
    """Check size and type, parse the header only, and enforce the pixel limit."""
    if len(data) > max_bytes:
        raise ImageTooLarge.for_bytes(max_bytes)
    kind = detect_image_type(data)
    # Image.open reads headers only; the bomb check (and ours below) precede any decode.
    image = Image.open(io.BytesIO(data), formats=_PIL_FORMATS[kind])
    width, height = image.size
    if width < 1 or height < 1:
        raise BadImage(detail=f"size {image.size}")
    if width * height > max_pixels:
        raise ImageTooLarge.for_pixels(max_pixels, image.size)
    return image, kind


def _read_exif(image: Image.Image, local_tz: tzinfo) -> tuple[ExifFields, int]:
    """(fields, orientation still to apply to the pixels)."""
    try:
        exif = image.getexif()  # PNG: loads the image, the eXIf chunk may follow IDAT
    except Exception:
        exif = Image.Exif()
    fields = parse_exif(exif, local_tz=local_tz)
    pending = fields.orientation
    # libheif has already rotated HEIF pixels (pillow-heif then sets EXIF Orientation to 1);
    # report what the camera recorded.
    recorded = image.info.get("original_orientation")
    if isinstance(recorded, int) and 1 <= recorded <= 8:
        fields = replace(fields, orientation=recorded)
    return fields, pending


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in _SWAPS_AXES else size


def _fit(size: tuple[int, int], bound: int) -> tuple[int, int]:
    width, height = size
    scale = bound / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _dct_scale(size: tuple[int, int], bound: int) -> int:
    """The JPEG DCT scale denominator (1, 2, 4, 8) for a long side <= bound."""
    long_side = max(size)
    fitting = next((s for s in (1, 2, 4, 8) if -(-long_side // s) <= bound), 8)
    if fitting > 1 and -(-long_side // fitting) < bound * _MIN_FILL:
        return fitting // 2
    return fitting


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit greyscale PNG: a plain convert would clip everything above 255 to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _icc(image: Image.Image) -> bytes | None:
    """The ICC profile worth copying to derived JPEGs (RGB profiles only, e.g. Display P3)."""
    icc = image.info.get("icc_profile")
    if isinstance(icc, bytes) and len(icc) <= _MAX_ICC_BYTES and icc[16:20] == b"RGB ":
        return icc
    return None


def _decode_fit(image: Image.Image, kind: ImageType, orientation: int, bound: int) -> Image.Image:
    """Decode to RGB, long side <= bound, then apply ``orientation``."""
    if kind == "jpeg":
        scale = _dct_scale(image.size, bound)
        if scale > 1:
            width, height = image.size
            image.draft("RGB", (max(1, width // scale), max(1, height // scale)))
    image.load()
    rgb = _to_rgb(image)
    if max(rgb.size) > bound:
        rgb = rgb.resize(_fit(rgb.size, bound), Image.Resampling.BILINEAR, reducing_gap=2.0)
    method = _TRANSPOSE.get(orientation)
    return rgb.transpose(method) if method is not None else rgb


def _decode_exact(
    image: Image.Image, kind: ImageType, orientation: int, size: tuple[int, int]
) -> Image.Image:
    """Decode to RGB at exactly ``size`` (upright), using the coarsest DCT scale >= size."""
    stored = _upright_size(size, orientation)  # same swap maps upright -> stored
    if kind == "jpeg":
        image.draft("RGB", stored)
    image.load()
    rgb = _to_rgb(image)
    if rgb.size != stored:
        rgb = rgb.resize(stored, Image.Resampling.BILINEAR, reducing_gap=2.0)
    method = _TRANSPOSE.get(orientation)
    return rgb.transpose(method) if method is not None else rgb


def _jpeg(image: Image.Image, quality: int, icc: bytes | None) -> bytes:
    buf = io.BytesIO()
    # exif=b"": derived copies never carry EXIF (GPS, device serials).
    image.save(buf, "JPEG", quality=quality, exif=b"", icc_profile=icc)
    return buf.getvalue()


def _aware(moment: datetime, local_tz: tzinfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=local_tz)


def _local_stamp(moment: datetime, local_tz: tzinfo) -> str:
    return _aware(moment, local_tz).astimezone(local_tz).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- public API


def read_metadata(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    local_tz: tzinfo = _SHANGHAI,
) -> PhotoMetadata:
    """Type, upright size and EXIF evidence fields, without decoding JPEG/HEIF pixels."""
    with _guard(max_pixels):
        image, kind = _open(data, max_bytes, max_pixels)
        fields, pending = _read_exif(image, local_tz)
        width, height = _upright_size(image.size, pending)
        return PhotoMetadata(
            image_type=kind,
            width=width,
            height=height,
            orientation=fields.orientation,
            gps=fields.gps,
            taken_at=fields.taken_at,
            make=fields.make,
            model=fields.model,
            has_exif=fields.has_exif,
        )


def photo_flags(
    fields: ExifFields,
    *,
    uploaded_at: datetime,
    report_lat: float | None,
    report_lng: float | None,
    stale_hours: float,
    far_m: float,
    distance_m: DistanceFn = haversine_m,
    claimed_taken_at: datetime | None = None,
    future_minutes: float = 10.0,
) -> tuple[str, ...]:
    """``no_exif``: neither a capture time nor a GPS fix, i.e. nothing that ties the photo to
    a time or place (stripped by WeChat, a screenshot, or EXIF holding only orientation/make).
    ``stale``: captured more than ``stale_hours`` before upload; ``future``: captured more than
    ``future_minutes`` after it (a wrong camera clock, or an edited time) — both judged on the
    EXIF time, else on the time the client claims (``claimed_taken_at``). ``far``: photo GPS
    more than ``far_m`` from the report location; needs both positions."""
    flags: list[str] = []
    if fields.taken_at is None and fields.gps is None:
        flags.append(FLAG_NO_EXIF)
    taken = fields.taken_at or claimed_taken_at
    if taken is not None and uploaded_at - taken > timedelta(hours=stale_hours):
        flags.append(FLAG_STALE)
    if taken is not None and taken - uploaded_at > timedelta(minutes=future_minutes):
        flags.append(FLAG_FUTURE)
    if (
        fields.gps is not None
        and report_lat is not None
        and report_lng is not None
        and distance_m(fields.gps[0], fields.gps[1], report_lat, report_lng) > far_m
    ):
        flags.append(FLAG_FAR)
    return tuple(flags)


def _resolve_watermark(
    info: WatermarkInfo,
    fields: ExifFields,
    uploaded_at: datetime,
    report: tuple[float, float] | None,
) -> WatermarkInfo:
    """Fill what the caller left open: EXIF time (else upload time), EXIF GPS (else report)."""
    if info.captured_at is None:
        if fields.taken_at is not None:
            info = replace(info, captured_at=fields.taken_at)
        else:
            info = replace(info, captured_at=uploaded_at, time_label="上传时间")
    if info.lat is None or info.lng is None:
        position = fields.gps or report
        if position is not None:
            info = replace(info, lat=position[0], lng=position[1])
    return info


def process_photo(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    watermark: WatermarkInfo | None,
    font_path: str | None,
    uploaded_at: datetime,
    report_lat: float | None,
    report_lng: float | None,
    stale_hours: float,
    far_m: float,
    claimed_taken_at: datetime | None = None,
    future_minutes: float = 10.0,
    display_max: int = 2048,
    thumb_max: int = 320,
    quality: int = 82,
    local_tz: tzinfo = _SHANGHAI,
    distance_m: DistanceFn = haversine_m,
) -> ProcessedPhoto:
    """Check, read and derive everything for one uploaded photo (see module docstring).

    ``watermark=None`` skips the band. Naive ``uploaded_at`` is read in ``local_tz``.
    """
    uploaded_at = _aware(uploaded_at, local_tz)
    report = (report_lat, report_lng) if report_lat is not None and report_lng is not None else None
    # Everything runs under the guard: whatever odd image survives decoding must still end
    # in a 4xx, never a 500.
    with _guard(max_pixels):
        image, kind = _open(data, max_bytes, max_pixels)
        fields, pending = _read_exif(image, local_tz)
        original_width, original_height = _upright_size(image.size, pending)
        icc = _icc(image)
        display = _decode_fit(image, kind, pending, display_max)

        # The thumbnail comes from the clean reduced image: at 320 px the band is unreadable.
        thumb = display
        if max(display.size) > thumb_max:
            thumb = display.resize(
                _fit(display.size, thumb_max), Image.Resampling.BILINEAR, reducing_gap=2.0
            )
        font_missing = False
        if watermark is not None:
            info = _resolve_watermark(watermark, fields, uploaded_at, report)
            if display is thumb:
                display = display.copy()
            font_missing = not draw_watermark(display, info, font_path, local_tz=local_tz)

        return ProcessedPhoto(
            sha256=hashlib.sha256(data).hexdigest(),
            image_type=kind,
            original_width=original_width,
            original_height=original_height,
            display_jpeg=_jpeg(display, quality, icc),
            display_width=display.width,
            display_height=display.height,
            thumbnail_jpeg=_jpeg(thumb, quality, icc),
            thumb_width=thumb.width,
            thumb_height=thumb.height,
            gps=fields.gps,
            taken_at=fields.taken_at,
            orientation=fields.orientation,
            make=fields.make,
            model=fields.model,
            flags=photo_flags(
                fields,
                uploaded_at=uploaded_at,
                report_lat=report_lat,
                report_lng=report_lng,
                stale_hours=stale_hours,
                far_m=far_m,
                distance_m=distance_m,
                claimed_taken_at=claimed_taken_at,
                future_minutes=future_minutes,
            ),
            watermark_font_missing=font_missing,
        )


def before_after(
    before: bytes,
    after: bytes,
    before_label_time: datetime | None,
    after_label_time: datetime | None,
    font_path: str | None,
    *,
    height: int = 1080,
    quality: int = 82,
    labels: tuple[str, str] = ("处置前", "处置后"),
    local_tz: tzinfo = _SHANGHAI,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes:
    """Side-by-side comparison JPEG (same height, at most ``height``), each half labelled
    with its tag and time in a band at the top (the bottom may hold a watermark already)."""
    with _guard(max_pixels):
        opened = []
        for data in (before, after):
            image, kind = _open(data, max_bytes, max_pixels)
            _, pending = _read_exif(image, local_tz)
            opened.append((image, kind, pending, _upright_size(image.size, pending)))
        target_h = min(height, *(size[1] for *_, size in opened))
        halves = []
        for image, kind, pending, (width, h) in opened:
            # Cap absurd panoramas at 4:1 rather than allocate a kilometre-wide canvas.
            target_w = min(max(1, round(width * target_h / h)), 4 * target_h)
            halves.append(_decode_exact(image, kind, pending, (target_w, target_h)))

        for half, label, moment in zip(
            halves, labels, (before_label_time, after_label_time), strict=True
        ):
            stamp = _local_stamp(moment, local_tz) if moment is not None else ""
            draw_label_band(half, (label, stamp), font_path)
        gap = max(2, target_h // 100)
        canvas = Image.new("RGB", (halves[0].width + gap + halves[1].width, target_h), "white")
        canvas.paste(halves[0], (0, 0))
        canvas.paste(halves[1], (halves[0].width + gap, 0))
        return _jpeg(canvas, quality, None)
