"""Benchmark: one uploaded photo through ``process_photo`` (decode, orientation, watermark,
display JPEG, thumbnail). Target (DESIGN.md): < 90 ms CPU on one core for a 12 MP JPEG.

Run pinned to one core so CPU and wall time mean the same thing::

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/photo_pipeline.py [--runs 9]

Prints, per photo, the median of ``--runs`` runs (after one warm-up) of process CPU time
(``time.process_time``) and wall time, then the peak memory: tracemalloc's peak of Python
allocations in a separate traced run (Pillow's pixel buffers are C allocations and do not
show there) and the peak RSS (VmHWM, which includes them) of a fresh process that
processes one 12 MP photo. ``--naive``
also times the naive path (full decode + LANCZOS resize) for comparison.
"""

from __future__ import annotations

import argparse
import functools
import io
import multiprocessing
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.evidence.imaging import (  # noqa: E402
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    WatermarkInfo,
    find_cjk_font,
    process_photo,
)

PHOTOS = ROOT.parent / "shared" / "testdata" / "photos"
TWELVE_MP = ("exif-samples__jpg_tests_42_IndexError.jpg", "exif-py__Xiaomi_Mi_9T_KeyError.jpg")
SHANGHAI = ZoneInfo("Asia/Shanghai")
WATERMARK = WatermarkInfo(
    reporter="张三",
    address="上海市普陀区真如镇街道铜川路1000号",
    grid_name="真如一村第3网格",
    order_no="GD20261122-0001",
)


def three_mp_jpeg(source: bytes) -> bytes:
    """A ~3 MP phone-like JPEG (2016x1512, EXIF kept) made from a 12 MP fixture."""
    with Image.open(io.BytesIO(source)) as image:
        exif = image.info.get("exif", b"")
        small = image.resize((2016, 1512), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def run_pipeline(data: bytes, font: str | None) -> None:
    process_photo(
        data,
        max_bytes=DEFAULT_MAX_BYTES,
        max_pixels=DEFAULT_MAX_PIXELS,
        watermark=WATERMARK,
        font_path=font,
        uploaded_at=datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI),
        report_lat=31.25,
        report_lng=121.40,
        stale_hours=24,
        far_m=500,
    )


def run_naive(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((2048, 2048), Image.Resampling.LANCZOS, reducing_gap=None)
    upright.save(io.BytesIO(), "JPEG", quality=82)


def _peak_rss_mib() -> float:
    # VmHWM is this process's own high-water mark; ru_maxrss survives fork+exec on Linux
    # and would report the parent's peak.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_peak_rss(data: bytes, font: str | None) -> tuple[float, float]:
    baseline = _peak_rss_mib()
    run_pipeline(data, font)
    return baseline, _peak_rss_mib()


def peak_rss_mib(data: bytes, font: str | None) -> tuple[float, float]:
    """(peak RSS after imports, peak RSS after one photo) of a fresh process, so that this
    script's own set-up (the 3 MP resize, the naive runs) does not count."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_child_peak_rss, (data, font))


def measure(fn: Callable[[], None], runs: int) -> tuple[float, float]:
    fn()  # warm-up: font cache, libjpeg tables
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--naive", action="store_true", help="also time full decode + LANCZOS")
    args = parser.parse_args()

    font = find_cjk_font()
    print(f"CJK font: {font or 'none (Pillow default font)'}")
    photos = {name: (PHOTOS / name).read_bytes() for name in TWELVE_MP}
    photos["3 MP (2016x1512, made from tests_42)"] = three_mp_jpeg(photos[TWELVE_MP[0]])

    print(f"{'photo':44} {'MP':>5} {'cpu ms':>8} {'wall ms':>8}")
    for name, data in photos.items():
        with Image.open(io.BytesIO(data)) as image:
            megapixels = image.width * image.height / 1e6
        cpu, wall = measure(functools.partial(run_pipeline, data, font), args.runs)
        print(f"{name[:44]:44} {megapixels:5.1f} {cpu:8.1f} {wall:8.1f}")
        if args.naive:
            cpu, wall = measure(functools.partial(run_naive, data), max(3, args.runs // 3))
            print(f"{'  naive: full decode + LANCZOS':44} {'':5} {cpu:8.1f} {wall:8.1f}")

    tracemalloc.start()
    run_pipeline(photos[TWELVE_MP[1]], font)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc peak (Python objects, one 12 MP run): {peak / 2**20:.1f} MiB")
    baseline, rss = peak_rss_mib(photos[TWELVE_MP[1]], font)
    print(f"peak RSS, fresh process, one 12 MP run: {rss:.1f} MiB ({baseline:.1f} after imports)")


if __name__ == "__main__":
    main()
