"""Hotspots and reports on a filled street: GET /api/v1/stats/hotspots over 30 days and a
month's .xlsx (POST /api/v1/exports, kind monthly, refresh) with --orders orders spread over
90 days (benchmarks/big.py's fill: a few hundred hot spots, 30 categories, 8 grids).

    .venv/bin/python benchmarks/reports.py [--orders 100000] [--samples 10] [--keep]

Measured 2026-12-02 on 2 vCPUs shared with two other test runs (load average ~4-5),
PostgreSQL 15 defaults, 100,000 orders (~32,000 of them in the 30 days), 5 samples:

    hotspots, 30 days    p50  ~530 ms   (EXPLAIN: clusters 122 ms, numbers 52-133 ms, grids 38 ms)
    monthly .xlsx        p50  ~550 ms

The hotspot clusters are one GROUP BY over the period's orders (the created_at index), so
their cost grows with the orders of the period, about 4 ms per 1,000; a street with a million
orders a quarter asks ~1.3 s of a 30-day map. A daily roll-up table (cell, category, grid,
day → count, open) would make the map independent of the order count: the next step if the
dashboard is opened that often.

Builds its own PostgreSQL database (gridline_reports, dropped at the end unless --keep);
GRID_PG_URL points at the server (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "gridline_reports"


def timed(samples: int, call) -> list[float]:  # type: ignore[no-untyped-def]
    took = []
    for _ in range(samples):
        started = time.perf_counter()
        response = call()
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 201), response.text[:300]
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from backend.main import create_app
    from benchmarks.big import fill
    from benchmarks.street_db import street_database

    with street_database(DATABASE, keep=args.keep) as (url, settings):
        eval_rows = [
            json.loads(line) for line in (ROOT / "tests/data/classifier_eval.jsonl").open()
        ]
        print(f"filling with {args.orders:,} orders")
        fill(url, args.orders, eval_rows)
        with TestClient(create_app(settings)) as client:
            login = client.post(
                "/api/v1/auth/login",
                data={"username": "demo-dispatcher", "password": "gridline-demo"},
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            today = date.today()
            hotspots = timed(
                args.samples,
                lambda: client.get(
                    "/api/v1/stats/hotspots",
                    params={"from": (today - timedelta(days=29)).isoformat()},
                    headers=headers,
                ),
            )
            answer = client.get("/api/v1/stats/hotspots", headers=headers).json()
            monthly = timed(
                args.samples,
                lambda: client.post(
                    "/api/v1/exports", json={"kind": "monthly", "refresh": True}, headers=headers
                ),
            )
        print(f"\nPostgreSQL, {args.orders:,} orders over 90 days, {args.samples} samples (ms)")
        for name, values in (("hotspots, 30 days", hotspots), ("monthly .xlsx", monthly)):
            print(f"{name:<20} p50 {statistics.median(values):8.1f}   max {max(values):8.1f}")
        print(
            f"clusters: {len(answer['clusters'])}, largest {answer['clusters'][0]['count']}, "
            f"grids: {len(answer['grids'])}"
        )


if __name__ == "__main__":
    main()
