"""Report accepted -> order dispatched: latency and the share dispatched automatically.

Submits N reports over HTTP (the real ASGI app, real migrations, SQLite in a temp dir, or
GRID_DATABASE_URL if set) with texts from the classifier's evaluation set, at points spread
over the demo street, and prints p50/p95 of the time from request to dispatched order (the
dispatch happens inside the report's own request) and the share dispatched automatically.

    .venv/bin/python benchmarks/dispatch.py [N]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(count: int) -> None:
    from alembic import command
    from fastapi.testclient import TestClient

    from backend.catalog.service import load_catalog
    from backend.config import Settings
    from backend.db import engine_for, session_scope
    from backend.main import create_app
    from backend.org.demo import create_demo_street
    from backend.seams.clock import SystemClock
    from tests.conftest import alembic_config

    tmp = Path(tempfile.mkdtemp(prefix="gridline-bench-"))
    url = os.environ.get("GRID_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    command.upgrade(alembic_config(url), "head")
    settings = Settings(database_url=url, media_root=tmp / "media", inprocess_worker=False)
    with session_scope(engine_for(url)) as session:
        load_catalog(session, SystemClock().now())
        create_demo_street(session, settings, SystemClock().now())

    texts = [
        json.loads(line)["text"] for line in (ROOT / "tests/data/classifier_eval.jsonl").open()
    ]
    photo = (ROOT.parent / "shared/testdata/photos/exif-samples__jpg_mobile_jolla.jpg").read_bytes()
    latencies, auto = [], 0
    with TestClient(create_app(settings)) as client:
        token = client.post(
            "/api/v1/auth/login", data={"username": "demo-member", "password": "gridline-demo"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(count):
            # Spread over the street so most reports are not duplicates of each other.
            lat = 31.2325 + (i * 7919 % 149) / 149 * 0.015
            lng = 121.4005 + (i * 104729 % 233) / 233 * 0.023
            data = {
                "client_uuid": str(uuid.uuid4()),
                "description": texts[i % len(texts)],
                "lat": lat,
                "lng": lng,
            }
            started = time.perf_counter()
            response = client.post(
                "/api/v1/reports",
                data=data,
                files=[("photos", ("p.jpg", photo, "image/jpeg"))],
                headers=headers,
            )
            latencies.append(time.perf_counter() - started)
            order = client.get(
                f"/api/v1/workorders/{response.json()['work_order_id']}", headers=headers
            ).json()
            auto += order["dispatch_mode"] == "auto"
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"reports: {count} on {url.split(':')[0]}")
    print(
        "report accepted -> order dispatched: "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
    )
    print(
        f"dispatched automatically: {auto / count:.0%} ({auto}/{count}); the rest wait in the queue"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
