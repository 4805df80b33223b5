"""The 水印相机-style band drawn on display photos, and CJK font lookup.

The band is evidence that a photo was filed through Gridline at a given time and place, so
Chinese must render: a CJK font file is required (Debian: ``fonts-wqy-microhei``). Without
one the band is still drawn with Pillow's built-in font, limited to ASCII-safe lines (time,
coordinates, order number), and the caller records that the font was missing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "CJK_FONT_CANDIDATES",
    "WatermarkInfo",
    "draw_label_band",
    "draw_watermark",
    "find_cjk_font",
    "format_coordinates",
    "load_font",
    "watermark_lines",
]

AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Well-known locations, smallest good font first. Debian/Ubuntu package names in comments.
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (5 MB)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",  # fonts-noto-cjk-extra
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora/RHEL
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora/RHEL
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Alpine
    "/System/Library/Fonts/PingFang.ttc",  # macOS
    "/System/Library/Fonts/STHeiti Medium.ttc",  # macOS
    "C:/Windows/Fonts/msyh.ttc",  # Windows: Microsoft YaHei
    "C:/Windows/Fonts/simhei.ttf",  # Windows: SimHei
)

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_WEEKDAYS = "一二三四五六日"
_BAND_DARKEN = 0.42  # band = photo x 0.42, i.e. black at ~58 % opacity
_ACCENT = (255, 196, 0)  # the yellow bar 水印相机 apps use next to the time
_WHITE = (255, 255, 255)


@dataclass(frozen=True)
class WatermarkInfo:
    """What the band says. ``captured_at`` / ``lat`` / ``lng`` left as None are filled by
    ``process_photo``: EXIF capture time (else upload time, labelled 上传时间) and EXIF GPS
    (else the report location). Coordinates are WGS-84."""

    reporter: str
    address: str = ""
    grid_name: str | None = None
    order_no: str | None = None
    captured_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    time_label: str = "拍摄时间"


def find_cjk_font(extra_candidates: Iterable[str] = ()) -> str | None:
    """First existing CJK font file among ``extra_candidates`` then well-known paths."""
    for path in (*extra_candidates, *CJK_FONT_CANDIDATES):
        if path and os.path.isfile(path):
            return path
    return None


def _ttc_index(path: str) -> int:
    # Noto CJK collections start with the Japanese face (JP, KR, SC, TC, HK); SC is index 2.
    name = os.path.basename(path)
    return 2 if name.startswith(("NotoSansCJK", "NotoSerifCJK")) and name.endswith(".ttc") else 0


@functools.lru_cache(maxsize=64)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Load (and cache: watermark sizes repeat) a TrueType/OpenType font; raises OSError."""
    # BASIC layout: no shaping is needed for Chinese and it avoids a libraqm dependency.
    return ImageFont.truetype(
        path, size, index=_ttc_index(path), layout_engine=ImageFont.Layout.BASIC
    )


def _font(path: str | None, size: int) -> tuple[AnyFont, bool]:
    """(font, is_cjk_font). Falls back to Pillow's default font, never raises."""
    if path:
        try:
            return load_font(path, size), True
        except (OSError, ValueError):
            pass
    return _default_font(size), False


@functools.lru_cache(maxsize=16)
def _default_font(size: int) -> AnyFont:
    return ImageFont.load_default(size)


def format_coordinates(lat: float, lng: float, *, cjk: bool = True) -> str:
    """6 decimals (~0.1 m) with hemisphere, e.g. "北纬 31.234567° 东经 121.456789°"."""
    if cjk:
        ns, ew = ("北纬" if lat >= 0 else "南纬"), ("东经" if lng >= 0 else "西经")
        return f"{ns} {abs(lat):.6f}° {ew} {abs(lng):.6f}° (WGS-84)"
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lng >= 0 else "W")
    return f"{abs(lat):.6f}{ns} {abs(lng):.6f}{ew} (WGS-84)"


def _clean(text: str | None) -> str:
    # Control characters would render as boxes (or make FreeType reject the string).
    return "".join(ch if ch.isprintable() else " " for ch in (text or "")).strip()


def watermark_lines(
    info: WatermarkInfo, *, cjk: bool = True, local_tz: tzinfo = _SHANGHAI
) -> tuple[str, list[str]]:
    """(title, body lines) of the band. ``cjk=False`` keeps only ASCII-safe content."""
    when = info.captured_at
    if when is not None:
        local = when.astimezone(local_tz) if when.tzinfo else when.replace(tzinfo=local_tz)
        stamp = local.strftime("%Y-%m-%d %H:%M:%S")
        title = (
            f"{_clean(info.time_label)}：{stamp} 星期{_WEEKDAYS[local.weekday()]}"
            if cjk
            else f"{stamp} {local.strftime('%a')}"
        )
    else:
        title = ""
    lines: list[str] = []
    has_position = info.lat is not None and info.lng is not None
    if cjk:
        if _clean(info.address):
            lines.append(f"地点：{_clean(info.address)}")
        if has_position:
            lines.append(f"坐标：{format_coordinates(info.lat, info.lng)}")  # type: ignore[arg-type]
        who = [f"网格：{_clean(info.grid_name)}"] if _clean(info.grid_name) else []
        if _clean(info.reporter):
            who.append(f"上报人：{_clean(info.reporter)}")
        if who:
            lines.append("　".join(who))
        if _clean(info.order_no):
            lines.append(f"工单号：{_clean(info.order_no)}")
    else:
        if has_position:
            lines.append(format_coordinates(info.lat, info.lng, cjk=False))  # type: ignore[arg-type]
        order = _clean(info.order_no)
        if order and order.isascii():
            lines.append(f"No. {order}")
    return title, lines


def _wrap(text: str, font: AnyFont, width: float, max_lines: int = 2) -> list[str]:
    """Greedy per-character wrap (Chinese has no spaces); ellipsis after ``max_lines``."""
    out: list[str] = []
    line = ""
    for ch in text:
        if font.getlength(line + ch) <= width or not line:
            line += ch
            continue
        out.append(line)
        line = ch
        if len(out) == max_lines:
            break
    else:
        out.append(line)
        return out
    last = out[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    out[-1] = last + "…"
    return out


def _darken(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    # A lookup-table multiply on the band only: far cheaper than alpha-compositing the photo.
    region = image.crop(box).point([int(v * _BAND_DARKEN) for v in range(256)] * 3)
    image.paste(region, box[:2])


def draw_watermark(
    image: Image.Image,
    info: WatermarkInfo,
    font_path: str | None,
    *,
    local_tz: tzinfo = _SHANGHAI,
) -> bool:
    """Draw the band in place on an RGB ``image``; return False if no CJK font was usable."""
    width, height = image.size
    # Scale with the width, but not past 4:3 so panoramas do not get a giant band.
    ref = min(width, height * 4 / 3)
    body_size = max(8, round(ref / 60))
    title_size = round(body_size * 1.25)
    body_font, cjk = _font(font_path, body_size)
    title_font, _ = _font(font_path, title_size)
    title, lines = watermark_lines(info, cjk=cjk, local_tz=local_tz)

    pad = round(body_size * 0.7)
    accent = max(2, round(body_size * 0.18))
    text_x = pad + accent + pad // 2
    avail = width - text_x - pad
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(_wrap(line, body_font, avail))
    title_lines = _wrap(title, title_font, avail, max_lines=1) if title else []
    step_title, step_body = round(title_size * 1.35), round(body_size * 1.4)
    band = pad * 2 + step_title * len(title_lines) + step_body * len(wrapped)
    top = max(0, height - band)
    _darken(image, (0, top, width, height))

    draw = ImageDraw.Draw(image)
    y = top + pad
    if title_lines:
        draw.rectangle((pad, y, pad + accent - 1, y + title_size), fill=_ACCENT)
        draw.text((text_x, y), title_lines[0], font=title_font, fill=_WHITE)
        y += step_title
    for line in wrapped:
        draw.text((text_x, y), line, font=body_font, fill=_WHITE)
        y += step_body
    return cjk


def draw_label_band(
    image: Image.Image, texts: Sequence[str], font_path: str | None, *, at_top: bool = True
) -> bool:
    """A one-line dark band (e.g. "处置前  2026-11-22 10:00"); returns False without CJK font."""
    width, height = image.size
    size = max(8, round(min(width, height * 4 / 3) / 22))
    font, cjk = _font(font_path, size)
    text = "  ".join(t for t in texts if t)
    if not cjk:
        text = "".join(ch for ch in text if ch.isascii()).strip()
    pad = round(size * 0.45)
    band = min(height, size + 2 * pad)
    top = 0 if at_top else height - band
    _darken(image, (0, top, width, top + band))
    if text:
        line = _wrap(text, font, width - 2 * pad, max_lines=1)[0]
        ImageDraw.Draw(image).text((pad, top + pad), line, font=font, fill=_WHITE)
    return cjk
