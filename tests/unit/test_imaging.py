"""The photo pipeline against real camera/phone fixtures (../shared/testdata/photos)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import struct
import time
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageOps, ImageStat, TiffImagePlugin

from backend.evidence.exif import parse_exif_datetime, parse_gps
from backend.evidence.imaging import (
    FLAG_FAR,
    FLAG_NO_EXIF,
    FLAG_STALE,
    BadImage,
    ImageTooLarge,
    ImagingError,
    ProcessedPhoto,
    UnsupportedImage,
    WatermarkInfo,
    before_after,
    detect_image_type,
    find_cjk_font,
    process_photo,
    read_metadata,
)
from backend.evidence.watermark import load_font, watermark_lines

# Pillow warns about every broken EXIF tag it skips; broken EXIF is what these tests feed it.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MB = 1024 * 1024
UPLOADED = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
WATERMARK = WatermarkInfo(
    reporter="张三",
    address="上海市普陀区真如镇街道铜川路1000号",
    grid_name="真如一村第3网格",
    order_no="GD20261122-0001",
)
CJK_FONT = find_cjk_font()
needs_cjk_font = pytest.mark.skipif(
    CJK_FONT is None,
    reason="no CJK font installed (Debian: apt-get install fonts-wqy-microhei)",
)

GPS_FIXTURES = [
    "exif-samples__jpg_gps_DSCN0010.jpg",
    "exif-samples__jpg_hdr_iphone_hdr_YES.jpg",
    "exif-samples__jpg_mobile_HMD_Nokia_8.3_5G.jpg",
    "exif-samples__jpg_tests_67-0_length_string.jpg",
    "exif-samples__jpg_Kodak_CX7530.jpg",
    "exif-samples__heic_IMG_5195.HEIC",
]
NO_GPS_FIXTURES = [
    "exif-samples__jpg_Canon_40D.jpg",  # GPS block without coordinates
    "exif-samples__jpg_hdr_canon_hdr_NO.jpg",  # same, Orientation 6
    "exif-samples__jpg_mobile_jolla.jpg",
    "exif-samples__jpg_xmp_no_exif.jpg",
    "exif-samples__heic_mobile_iphone_13_pro_max.HEIC",
    "pillow__exif_gps.jpg",  # malformed GPS values
    "pillow__empty_gps_ifd.jpg",
]
BROKEN_EXIF = [
    "exif-samples__jpg_corrupted.jpg",
    "exif-samples__jpg_tests_42_IndexError.jpg",
    "exif-samples__jpg_tests_67-0_length_string.jpg",
    "exif-py__Xiaomi_Mi_9T_KeyError.jpg",
]
# Small enough to fuzz by the hundred.
SMALL_FIXTURES = [
    "exif-samples__jpg_Canon_40D.jpg",
    "exif-samples__jpg_Kodak_CX7530.jpg",
    "pillow__exif_gps.jpg",
    "pillow__empty_gps_ifd.jpg",
]


@functools.cache
def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def process(data: bytes, **overrides: object) -> ProcessedPhoto:
    kwargs: dict[str, object] = {
        "max_bytes": 10 * MB,
        "max_pixels": 50_000_000,
        "watermark": WATERMARK,
        "font_path": CJK_FONT,
        "uploaded_at": UPLOADED,
        "report_lat": None,
        "report_lng": None,
        "stale_hours": 24,
        "far_m": 500,
    }
    kwargs.update(overrides)
    return process_photo(data, **kwargs)  # type: ignore[arg-type]


def decode(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    image.load()
    return image


def raw_gps(data: bytes) -> tuple[float, float]:
    """What Pillow's raw EXIF rationals say, computed independently of the module."""
    gps = Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)

    def degrees(dms: tuple[float, ...], ref: str, negative: str) -> float:
        value = sum(float(part) / 60**i for i, part in enumerate(dms))
        return -value if ref == negative else value

    return degrees(gps[2], gps[1], "S"), degrees(gps[4], gps[3], "W")


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3)
    sof += bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + bytes([1, 0, 2, 0x11, 3, 0x11, 0, 63, 0])
    return b"\xff\xd8" + sof + sos + b"\0" * 64 + b"\xff\xd9"


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def mean_luma(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    return ImageStat.Stat(image.convert("L").crop(box)).mean[0]


def median_luma(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    return ImageStat.Stat(image.convert("L").crop(box)).median[0]


@pytest.fixture(scope="module")
def xiaomi() -> tuple[ProcessedPhoto, ProcessedPhoto]:
    """The 12 MP Orientation-6 phone photo, with and without the band (processed once)."""
    data = photo("exif-py__Xiaomi_Mi_9T_KeyError.jpg")
    return process(data), process(data, watermark=None)


# --------------------------------------------------------------------------- type and limits


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("exif-samples__jpg_gps_DSCN0010.jpg", "jpeg"),
        ("pillow__exif.png", "png"),
        ("exif-samples__heic_IMG_5195.HEIC", "heif"),
        ("exif-samples__heic_mobile_iphone_13_pro_max.HEIC", "heif"),
        ("exif-py__heic_hdlr_box.jpg", "heif"),  # HEIF content behind a .jpg name
    ],
)
def test_type_is_detected_by_content(name: str, kind: str) -> None:
    assert detect_image_type(photo(name)) == kind


def test_webp_and_ftyp_brands() -> None:
    assert detect_image_type(encode(Image.new("RGB", (8, 8)), "WEBP")) == "webp"

    def ftyp(major: bytes, *compatible: bytes) -> bytes:
        body = major + b"\0\0\0\0" + b"".join(compatible)
        return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\0" * 32

    assert detect_image_type(ftyp(b"mif1", b"mif1", b"heic")) == "heif"
    assert detect_image_type(ftyp(b"msf1", b"msf1")) == "heif"
    assert detect_image_type(ftyp(b"hevc", b"mif1")) == "heif"
    for not_heif in (ftyp(b"avif", b"mif1"), ftyp(b"mif1", b"avif"), ftyp(b"isom", b"mp42")):
        with pytest.raises(UnsupportedImage):
            detect_image_type(not_heif)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GET / HTTP/1.1\r\n\r\n",
        "这不是照片".encode(),
        b"%PDF-1.7\n",
        encode(Image.new("RGB", (8, 8)), "GIF"),
        encode(Image.new("RGB", (8, 8)), "BMP"),
    ],
)
def test_other_content_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedImage) as err:
        process(data)
    assert err.value.code == "unsupported_media_type"
    assert err.value.status_code == 415
    assert "JPEG" in err.value.message


def test_file_over_the_byte_limit() -> None:
    padded = photo("exif-samples__jpg_gps_DSCN0010.jpg") + b"\0" * (11 * MB)  # after EOI
    with pytest.raises(ImageTooLarge) as err:
        process(padded, max_bytes=10 * MB)
    assert err.value.code == "file_too_large"
    assert err.value.status_code == 413
    assert "10 MB" in err.value.message
    with pytest.raises(ImageTooLarge, match=r"2\.5 MB"):
        process(padded, max_bytes=int(2.5 * MB))


def test_decompression_bomb_gif_is_a_4xx() -> None:
    with pytest.raises(ImagingError) as err:
        process(photo("pillow__decompression_bomb.gif"))
    assert 400 <= err.value.status_code < 500


@pytest.mark.parametrize(
    "data",
    [png_claiming(100_000, 100_000), png_claiming(8000, 8000), jpeg_claiming(60_000, 60_000)],
)
def test_headers_claiming_huge_dimensions_are_rejected_before_decoding(data: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(ImageTooLarge) as err:
        process(data)
    assert time.perf_counter() - start < 1.0
    assert err.value.code == "image_too_large"
    assert "5000 万像素" in err.value.message
    with pytest.raises(ImageTooLarge):
        read_metadata(data)


def test_pixel_limit_is_an_argument() -> None:
    data = photo("exif-samples__jpg_gps_DSCN0010.jpg")  # 640x480
    with pytest.raises(ImageTooLarge, match="640×480"):
        process(data, max_pixels=300_000)


@pytest.mark.parametrize("data", [png_claiming(7000, 7000), jpeg_claiming(7000, 7000)])
def test_plausible_header_without_pixel_data_is_bad_image(data: bytes) -> None:
    with pytest.raises(BadImage) as err:
        process(data)
    assert err.value.code == "bad_image"
    assert err.value.status_code == 422


@pytest.mark.parametrize("name", ["exif-samples__jpg_gps_DSCN0010.jpg", "pillow__exif.png"])
def test_truncated_photo_is_bad_image(name: str) -> None:
    data = photo(name)
    with pytest.raises(BadImage):
        process(data[: len(data) // 2])


# --------------------------------------------------------------------------- EXIF


@pytest.mark.parametrize("name", GPS_FIXTURES)
def test_gps_matches_the_raw_exif_rationals(name: str) -> None:
    gps = read_metadata(photo(name)).gps
    assert gps is not None
    expected = raw_gps(photo(name))
    assert gps == pytest.approx(expected, abs=1e-6)


def test_gps_hemispheres() -> None:
    kodak = read_metadata(photo("exif-samples__jpg_Kodak_CX7530.jpg")).gps
    assert kodak is not None and kodak[0] < 0 < kodak[1]  # Kenya: south, east
    iphone = read_metadata(photo("exif-samples__heic_IMG_5195.HEIC")).gps
    assert iphone is not None and iphone[0] > 0 > iphone[1]  # Kansas: north, west
    assert read_metadata(photo("exif-samples__jpg_gps_DSCN0010.jpg")).gps == pytest.approx(
        (43.467448, 11.885127), abs=1e-6
    )


@pytest.mark.parametrize("name", NO_GPS_FIXTURES)
def test_missing_empty_or_malformed_gps_is_no_gps(name: str) -> None:
    assert read_metadata(photo(name)).gps is None


def r(num: int, den: int = 1) -> TiffImagePlugin.IFDRational:
    return TiffImagePlugin.IFDRational(num, den)


@pytest.mark.parametrize(
    "gps",
    [
        {},
        {1: "N", 2: (r(31), r(0), r(0))},  # no longitude
        {2: (r(31), r(0), r(0)), 4: (r(121), r(0), r(0))},  # no refs
        {1: "N", 2: (r(31), r(1, 0), r(0)), 3: "E", 4: (r(121), r(0), r(0))},  # NaN
        {1: "N", 2: (r(91), r(0), r(0)), 3: "E", 4: (r(121), r(0), r(0))},  # > 90°
        {1: "N", 2: (r(31), r(75), r(0)), 3: "E", 4: (r(121), r(0), r(0))},  # 75 minutes
        {1: "N", 2: (r(0), r(0), r(0)), 3: "E", 4: (r(0), r(0), r(0))},  # null island
        {1: "X", 2: (r(31), r(0), r(0)), 3: "E", 4: (r(121), r(0), r(0))},  # bad ref
        {1: "N", 2: 4294967295.0, 3: "E", 4: (r(121), r(0), r(0))},  # not a triple
        {1: "N", 2: (r(31), r(0), r(0)), 3: "E", 4: (r(121), r(0), r(0)), 9: "V"},  # void fix
    ],
)
def test_parse_gps_rejects_bad_values(gps: dict[int, object]) -> None:
    assert parse_gps(gps) is None


def test_parse_gps_reads_refs_and_decimal_minutes() -> None:
    gps = {1: b"S\0", 2: (r(0), r(22278, 1000), r(0)), 3: "W", 4: (r(36), r(3), r(36))}
    assert parse_gps(gps) == pytest.approx((-0.3713, -36.06), abs=1e-9)


def test_capture_time_naive_is_read_in_local_tz() -> None:
    meta = read_metadata(photo("exif-samples__jpg_gps_DSCN0010.jpg"))
    assert meta.taken_at == datetime(2008, 10, 22, 16, 28, 39, tzinfo=SHANGHAI)
    assert meta.taken_at.utcoffset() == timedelta(hours=8)
    utc = read_metadata(photo("exif-samples__jpg_gps_DSCN0010.jpg"), local_tz=UTC)
    assert utc.taken_at == datetime(2008, 10, 22, 16, 28, 39, tzinfo=UTC)


def test_capture_time_with_offset_is_aware_in_that_offset() -> None:
    nokia = read_metadata(photo("exif-samples__jpg_mobile_HMD_Nokia_8.3_5G.jpg"))
    assert nokia.taken_at is not None
    assert nokia.taken_at.utcoffset() == timedelta(hours=3)
    assert nokia.taken_at.astimezone(UTC) == datetime(2022, 8, 14, 11, 12, 31, tzinfo=UTC)
    iphone = read_metadata(photo("exif-samples__heic_IMG_5195.HEIC"))
    assert iphone.taken_at is not None and iphone.taken_at.utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize(
    "value",
    [None, "", "0000:00:00 00:00:00", "1999:99:99 99:99:99", "    :  :     :  :  ", b"\xff\xfe", 7],
)
def test_junk_capture_times_are_none(value: object) -> None:
    assert parse_exif_datetime(value, local_tz=SHANGHAI) is None


def test_capture_time_parts() -> None:
    moment = parse_exif_datetime("2026:11:22 10:00:00\0", "+09:00", "25", local_tz=SHANGHAI)
    assert moment == datetime(2026, 11, 22, 1, 0, 0, 250000, tzinfo=UTC)
    assert parse_exif_datetime("2026:11:22 10:00:00", "+99:00", local_tz=SHANGHAI) == datetime(
        2026, 11, 22, 10, tzinfo=SHANGHAI
    )


def test_camera_orientation_and_upright_size() -> None:
    nikon = read_metadata(photo("exif-samples__jpg_gps_DSCN0010.jpg"))
    assert (nikon.make, nikon.model, nikon.orientation) == ("NIKON", "COOLPIX P6000", 1)
    assert (nikon.width, nikon.height, nikon.image_type) == (640, 480, "jpeg")
    olympus = read_metadata(photo("exif-samples__jpg_tests_42_IndexError.jpg"))
    assert olympus.make == "OLYMPUS IMAGING CORP."  # NUL/space padding stripped
    xiaomi = read_metadata(photo("exif-py__Xiaomi_Mi_9T_KeyError.jpg"))
    assert (xiaomi.orientation, xiaomi.width, xiaomi.height) == (6, 3000, 4000)
    # libheif applies HEIF rotation itself; the recorded value is still reported.
    iphone = read_metadata(photo("exif-samples__heic_mobile_iphone_13_pro_max.HEIC"))
    assert (iphone.orientation, iphone.width, iphone.height) == (6, 3024, 4032)
    assert read_metadata(photo("pillow__exif_imagemagick_orientation.png")).orientation == 3


@pytest.mark.parametrize("name", BROKEN_EXIF)
def test_broken_exif_does_not_crash(name: str) -> None:
    meta = read_metadata(photo(name))
    assert meta.image_type == "jpeg"
    assert meta.width > 1000


def test_broken_exif_still_decodes() -> None:
    result = process(photo("exif-samples__jpg_corrupted.jpg"), watermark=None)
    assert (result.original_width, result.original_height) == (3648, 2736)
    assert (result.display_width, result.display_height) == (1824, 1368)  # 1/2 DCT scale
    assert result.taken_at is not None


# --------------------------------------------------------------------------- derived copies


@pytest.mark.parametrize(
    "name",
    [
        "exif-samples__jpg_orientation_landscape_3.jpg",
        "exif-samples__jpg_orientation_landscape_6.jpg",
        "exif-samples__jpg_orientation_portrait_8.jpg",
        "pillow__exif_imagemagick_orientation.png",
        "pillow__empty_gps_ifd.jpg",
    ],
)
def test_orientation_matches_exif_transpose(name: str) -> None:
    result = process(photo(name), watermark=None)
    reference = ImageOps.exif_transpose(Image.open(io.BytesIO(photo(name)))).convert("RGB")
    display = decode(result.display_jpeg)
    assert display.size == reference.size == (result.original_width, result.original_height)
    diff = ImageStat.Stat(ImageChops.difference(display, reference)).mean
    assert max(diff) < 6, diff  # JPEG re-encoding noise only; a wrong rotation gives ~50


def test_orientation_swaps_axes() -> None:
    landscape_6 = process(photo("exif-samples__jpg_orientation_landscape_6.jpg"), watermark=None)
    stored = Image.open(io.BytesIO(photo("exif-samples__jpg_orientation_landscape_6.jpg"))).size
    assert stored == (450, 600)
    assert (landscape_6.display_width, landscape_6.display_height) == (600, 450)
    portrait_8 = process(photo("exif-samples__jpg_orientation_portrait_8.jpg"), watermark=None)
    assert portrait_8.display_height > portrait_8.display_width


def test_twelve_megapixel_portrait(xiaomi: tuple[ProcessedPhoto, ProcessedPhoto]) -> None:
    result, _ = xiaomi
    assert (result.original_width, result.original_height) == (3000, 4000)
    # 1/2 DCT scale fits the 2048 bound: no resample pass, exactly half size.
    assert (result.display_width, result.display_height) == (1500, 2000)
    assert decode(result.display_jpeg).size == (1500, 2000)
    assert (result.thumb_width, result.thumb_height) == (240, 320)
    assert decode(result.thumbnail_jpeg).size == (240, 320)
    assert result.orientation == 6
    assert (result.make, result.model) == ("Xiaomi", "Mi 9T")


def test_sha256_and_no_exif_in_derived_copies(
    xiaomi: tuple[ProcessedPhoto, ProcessedPhoto],
) -> None:
    data = photo("exif-py__Xiaomi_Mi_9T_KeyError.jpg")
    result, _ = xiaomi
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    for jpeg, bound in ((result.display_jpeg, 2048), (result.thumbnail_jpeg, 320)):
        image = decode(jpeg)
        assert not image.getexif()
        assert "exif" not in image.info
        assert max(image.size) <= bound


@pytest.mark.parametrize(
    "name",
    ["exif-samples__jpg_gps_DSCN0010.jpg", "exif-samples__jpg_mobile_HMD_Nokia_8.3_5G.jpg"],
)
def test_gps_photos_lose_their_exif(name: str) -> None:
    result = process(photo(name))
    assert result.gps is not None
    for jpeg in (result.display_jpeg, result.thumbnail_jpeg):
        assert not decode(jpeg).getexif()
    assert result.display_width == min(2048, Image.open(io.BytesIO(photo(name))).width)


@pytest.mark.parametrize("name", ["exif-py__heic_hdlr_box.jpg", "exif-samples__heic_IMG_5195.HEIC"])
def test_heic_is_processed(name: str) -> None:
    result = process(photo(name))
    assert result.image_type == "heif"
    display = decode(result.display_jpeg)
    assert max(display.size) <= 2048 and not display.getexif()
    assert max(decode(result.thumbnail_jpeg).size) <= 320


def test_rgb_icc_profile_is_kept() -> None:
    # iPhones shoot Display P3; without the profile the display copy's colours shift.
    data = photo("exif-samples__jpg_orientation_landscape_3.jpg")
    source = Image.open(io.BytesIO(data)).info.get("icc_profile")
    assert source
    result = process(data)
    assert decode(result.display_jpeg).info.get("icc_profile") == source
    assert decode(result.thumbnail_jpeg).info.get("icc_profile") == source


def test_heic_exif_is_read() -> None:
    meta = read_metadata(photo("exif-samples__heic_IMG_5195.HEIC"))
    assert (meta.make, meta.model) == ("Apple", "iPhone 11 Pro Max")
    assert meta.taken_at == datetime(2021, 4, 11, 15, 47, 53, 54000, tzinfo=ZoneInfo("EST"))


def test_png_exif_is_read() -> None:
    meta = read_metadata(photo("pillow__exif.png"))
    assert meta.has_exif and meta.image_type == "png"


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (40, 30), (255, 0, 0, 0)),
        Image.new("LA", (40, 30)),
        Image.new("P", (40, 30)),
        Image.new("1", (40, 30)),
        Image.new("I;16", (40, 30), 40000),
        Image.new("RGB", (1, 1)),
        Image.new("RGB", (1, 3000)),
    ],
    ids=lambda image: f"{image.mode}-{image.width}x{image.height}",
)
def test_unusual_png_modes_and_shapes(image: Image.Image) -> None:
    result = process(encode(image, "PNG"))
    display = decode(result.display_jpeg)
    assert display.mode == "RGB" and max(display.size) <= 2048


def test_transparent_png_is_flattened_on_white() -> None:
    result = process(encode(Image.new("RGBA", (400, 400), (255, 0, 0, 0)), "PNG"), watermark=None)
    assert decode(result.display_jpeg).getpixel((200, 200)) == pytest.approx((255, 255, 255), abs=3)


def test_cmyk_and_greyscale_jpeg() -> None:
    for image in (Image.new("CMYK", (300, 200), (0, 255, 0, 0)), Image.new("L", (300, 200))):
        assert decode(process(encode(image, "JPEG")).display_jpeg).mode == "RGB"


def test_display_bound_is_an_argument() -> None:
    result = process(photo("exif-samples__jpg_gps_DSCN0010.jpg"), display_max=300, thumb_max=100)
    assert max(result.display_width, result.display_height) <= 300
    assert max(result.thumb_width, result.thumb_height) <= 100


# --------------------------------------------------------------------------- flags


def test_no_gps_photo_is_never_far() -> None:
    result = process(photo("exif-samples__jpg_Canon_40D.jpg"), report_lat=31.2, report_lng=121.4)
    assert FLAG_FAR not in result.flags


def test_far_flag_against_the_report_location() -> None:
    data = photo("exif-samples__jpg_gps_DSCN0010.jpg")
    lat, lng = raw_gps(data)
    ten_km_north = lat + 10_000 / 111_195
    far = process(data, report_lat=ten_km_north, report_lng=lng, watermark=None)
    assert FLAG_FAR in far.flags
    near = process(data, report_lat=lat + 0.001, report_lng=lng, watermark=None)
    assert FLAG_FAR not in near.flags
    assert (
        FLAG_FAR not in process(data, report_lat=ten_km_north, report_lng=lng, far_m=20_000).flags
    )


def test_far_uses_the_given_distance_function() -> None:
    calls: list[tuple[float, ...]] = []

    def always_far(*args: float) -> float:
        calls.append(args)
        return math.inf

    result = process(
        photo("exif-samples__jpg_Kodak_CX7530.jpg"),
        report_lat=1.0,
        report_lng=2.0,
        distance_m=always_far,
    )
    assert FLAG_FAR in result.flags
    assert calls and calls[0][2:] == (1.0, 2.0)


def test_stale_is_relative_to_uploaded_at() -> None:
    data = photo("exif-samples__jpg_gps_DSCN0010.jpg")
    taken = datetime(2008, 10, 22, 16, 28, 39, tzinfo=SHANGHAI)
    fresh = process(data, uploaded_at=taken + timedelta(hours=23), watermark=None)
    assert FLAG_STALE not in fresh.flags
    stale = process(data, uploaded_at=taken + timedelta(hours=25), watermark=None)
    assert FLAG_STALE in stale.flags
    assert (
        FLAG_STALE
        not in process(data, uploaded_at=taken + timedelta(hours=25), stale_hours=48).flags
    )


def test_no_exif_flag() -> None:
    # EXIF with only Orientation proves nothing about time or place.
    assert FLAG_NO_EXIF in process(photo("exif-samples__jpg_orientation_landscape_3.jpg")).flags
    assert FLAG_NO_EXIF in process(encode(Image.new("RGB", (64, 48)), "JPEG")).flags
    with_time = process(photo("exif-samples__jpg_Canon_40D.jpg"))
    assert FLAG_NO_EXIF not in with_time.flags
    assert FLAG_STALE in with_time.flags  # 2008 vs 2026


# --------------------------------------------------------------------------- watermark


def test_watermark_darkens_the_bottom_band(xiaomi: tuple[ProcessedPhoto, ProcessedPhoto]) -> None:
    marked, clean = xiaomi
    assert not marked.watermark_font_missing or CJK_FONT is None
    with_band, without = decode(marked.display_jpeg), decode(clean.display_jpeg)
    assert with_band.size == without.size
    width, height = with_band.size
    bottom = (0, height - height // 20, width, height)
    # Median: the white text is a minority of the band's pixels.
    assert median_luma(with_band, bottom) < 0.6 * median_luma(without, bottom)
    top = (0, 0, width, height // 4)
    assert abs(mean_luma(with_band, top) - mean_luma(without, top)) < 2  # rest untouched
    # The thumbnail is made from the clean reduced image.
    assert marked.thumbnail_jpeg == clean.thumbnail_jpeg


@needs_cjk_font
def test_cjk_font_renders_distinct_glyphs() -> None:
    assert CJK_FONT is not None
    font = load_font(CJK_FONT, 48)

    def glyph(ch: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(ch)
        return mask.size, bytes(mask)

    glyphs = [glyph(ch) for ch in "处置前"]
    notdef = glyph("\U0010fffd")  # unassigned: the font's .notdef box
    assert len(set(glyphs)) == 3
    assert notdef not in glyphs
    assert all(any(data) for _, data in glyphs)
    assert load_font(CJK_FONT, 48) is font  # cached


def test_find_cjk_font_prefers_extra_candidates(tmp_path: Path) -> None:
    custom = tmp_path / "custom.ttf"
    custom.write_bytes(b"")
    assert find_cjk_font([str(tmp_path / "missing.ttf"), str(custom)]) == str(custom)
    assert find_cjk_font([str(tmp_path / "missing.ttf")]) == CJK_FONT


def test_missing_font_falls_back_and_is_recorded() -> None:
    data = photo("exif-samples__jpg_gps_DSCN0010.jpg")
    for font_path in (None, "/nonexistent/font.ttc"):
        result = process(data, font_path=font_path)
        assert result.watermark_font_missing
        assert decode(result.display_jpeg).size == (640, 480)


def test_watermark_lines() -> None:
    info = replace(
        WATERMARK, captured_at=datetime(2026, 11, 22, 2, 0, tzinfo=UTC), lat=31.2, lng=-121.4
    )
    title, lines = watermark_lines(info)
    assert title == "拍摄时间：2026-11-22 10:00:00 星期日"  # shown in Asia/Shanghai
    assert "坐标：北纬 31.200000° 西经 121.400000° (WGS-84)" in lines
    assert "网格：真如一村第3网格　上报人：张三" in lines
    assert "工单号：GD20261122-0001" in lines
    title, lines = watermark_lines(info, cjk=False)
    assert title.startswith("2026-11-22 10:00:00") and title.isascii()
    assert all(line.isascii() for line in lines)


# --------------------------------------------------------------------------- before/after


@needs_cjk_font
def test_before_after_side_by_side() -> None:
    red = encode(Image.new("RGB", (800, 600), (200, 30, 30)), "JPEG")
    blue = encode(Image.new("RGB", (600, 800), (30, 30, 200)), "JPEG")
    when = datetime(2026, 11, 22, 9, 30, tzinfo=SHANGHAI)
    jpeg = before_after(red, blue, when, when + timedelta(days=1), CJK_FONT, height=480)
    image = decode(jpeg)
    width, height = image.size
    assert height == 480 and width > height
    assert width == pytest.approx(640 + 360 + 4, abs=2)
    left = image.crop((310, height - 20, 330, height - 10)).resize((1, 1)).getpixel((0, 0))
    right = image.crop((width - 190, height - 20, width - 170, height - 10)).resize((1, 1))
    assert left == pytest.approx((200, 30, 30), abs=12)
    assert right.getpixel((0, 0)) == pytest.approx((30, 30, 200), abs=12)
    # Label band at the top of each half.
    assert mean_luma(image, (0, 0, 600, 20)) < mean_luma(image, (0, 300, 600, 320))


def test_before_after_real_photos_and_orientation() -> None:
    jpeg = before_after(
        photo("exif-samples__jpg_gps_DSCN0010.jpg"),
        photo("exif-samples__jpg_orientation_portrait_8.jpg"),
        None,
        datetime(2026, 11, 22, 15, 0),
        CJK_FONT,
    )
    image = decode(jpeg)
    assert image.height == 480  # the smaller of the two heights; never upscaled
    assert image.width == pytest.approx(640 + 360 + 4, abs=2)
    with pytest.raises(UnsupportedImage):
        before_after(b"not a photo", photo("pillow__exif_gps.jpg"), None, None, None)


# --------------------------------------------------------------------------- fuzz

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_only_imaging_errors(data: bytes) -> None:
    try:
        result = process(data, max_pixels=4_000_000)
    except ImagingError as err:
        assert err.code in {
            "unsupported_media_type",
            "file_too_large",
            "image_too_large",
            "bad_image",
        }
        assert err.message and 400 <= err.status_code < 500
    else:
        assert decode(result.display_jpeg).size == (result.display_width, result.display_height)


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data: bytes) -> None:
    assert_only_imaging_errors(data)


@FUZZ
@given(
    st.sampled_from(
        [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBPVP8 ", b"\0\0\0\x18ftypheic"]
    ),
    st.binary(max_size=1024),
)
def test_fuzz_valid_magic_random_body(magic: bytes, body: bytes) -> None:
    assert_only_imaging_errors(magic + body)


@FUZZ
@given(
    st.sampled_from([*SMALL_FIXTURES, "exif-py__heic_hdlr_box.jpg", "pillow__exif.png"]), st.data()
)
def test_fuzz_truncated_fixtures(name: str, data: st.DataObject) -> None:
    original = photo(name)
    cut = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    assert_only_imaging_errors(original[:cut])


@FUZZ
@given(st.sampled_from(SMALL_FIXTURES), st.data())
def test_fuzz_corrupted_fixtures(name: str, data: st.DataObject) -> None:
    corrupted = bytearray(photo(name))
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(corrupted) - 1))
        corrupted[position] = data.draw(st.integers(min_value=0, max_value=255))
    assert_only_imaging_errors(bytes(corrupted))
    with contextlib.suppress(ImagingError):
        read_metadata(bytes(corrupted))
