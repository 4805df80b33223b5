"""A million orders: report submit, the dispatcher queue, an order detail and the work lists
(GET /workorders by role, with search and keyset paging; GET /reports?q), empty vs full.

Measured 2026-12-02 on 2 vCPUs (Intel Xeon) shared with other work (load average ~5-20),
PostgreSQL 15 with its default settings (shared_buffers 128 MB), Python 3.11, 20 samples:

                    empty database                    1,000,000 orders
    report submit   p50    96.4 ms   p95   117.0 ms   p50    53.8 ms   p95   134.6 ms
    dispatch queue  p50     9.7 ms   p95    13.5 ms   p50    69.2 ms   p95   101.2 ms
    order detail    p50    19.4 ms   p95    29.1 ms   p50    21.2 ms   p95    29.7 ms
    handler: due    p50    25.3 ms   p95    32.8 ms   p50    38.7 ms   p95    51.5 ms
    handler: 垃圾   p50    10.0 ms   p95    11.7 ms   p50   845.6 ms   p95  1338.7 ms
    desk: number    p50    17.9 ms   p95    23.8 ms   p50    23.5 ms   p95    39.7 ms
    desk: overdue   p50     9.4 ms   p95    10.5 ms   p50    47.4 ms   p95    80.4 ms
    inspector       p50    11.1 ms   p95    15.0 ms   p50    39.8 ms   p95    52.0 ms
    member          p50    32.5 ms   p95    36.8 ms   p50    33.2 ms   p95    50.1 ms
    my reports 垃圾 p50    12.2 ms   p95    14.1 ms   p50  1478.9 ms   p95  2563.2 ms
    handler: page 2                                   p50    44.2 ms   p95   102.0 ms

    fill: 1,000,000 orders, 1,000,000 reports, 7.7 M events, 2.9 M clocks, their search
    terms and next due times, ~6 min.

A word as common as 垃圾 (in ~15 % of the filled orders: the fill draws its texts from 30
categories only) costs the GIN index's whole posting list before the list's own index orders
the page: about a second at a million orders. An order number (23 ms) or a rarer word is
answered by the index at once. Limiting a common-word search by recency is the next step if
streets search that way.

The full queue is a page of 200 orders with ~2,400 possible duplicates among ~93,000 open
orders (the street is small and dense), so most of its time is Python, not SQL (~17 ms).

Builds its own PostgreSQL database (gridline_big, dropped at the end unless --keep) with the
real migrations, the catalog and the demo street, and measures over HTTP through the ASGI app:
report submit (POST /api/v1/reports with a real photo, as demo-member), the dispatcher queue
(GET /api/v1/dispatch/queue, as demo-dispatcher) and an order detail (GET
/api/v1/workorders/{id}). Then it fills the database with --orders orders in set-based
INSERT ... SELECT generate_series statements: spread over the eight demo grids (points cluster
round a few hundred hot spots, as complaints do), the 30 categories the evaluation set uses
most (weighted alike), and 90 days; about 10 % still open (most of them recent), about 2 %
waiting for dispatch; each with its report, the events its status implies (2 to 9) and its
clocks. The events' hashes are placeholders, not a valid chain (nothing measured reads it).
After VACUUM ANALYZE it measures again, prints p50/p95 of each and the submit's ratio, and
EXPLAIN (ANALYZE, BUFFERS) of the duplicate, 返潮 and queue statements the requests emitted
(captured with an engine event, run again with the same parameters).

    .venv/bin/python benchmarks/big.py [--orders 1000000] [--samples 100] [--keep]

GRID_PG_URL points at the server (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "gridline_big"
PHOTO = ROOT.parent / "shared/testdata/photos/exif-samples__jpg_gps_DSCN0010.jpg"
ROADS = ["铜川路", "真北路", "曹杨路", "梅川路", "兰溪路", "真光路"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def figures(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1000:7.1f} ms   p95 {p95(values) * 1000:7.1f} ms"


@contextmanager
def captured(engine: Any) -> Iterator[dict[str, tuple[str, Any]]]:
    """The last statement of each kind the app emits (with its parameters), for EXPLAIN."""
    from sqlalchemy import event

    kinds: dict[str, Callable[[str], bool]] = {
        "duplicate check (open_orders_near)": lambda s: (
            "work_order.duplicate_of_id IS NULL" in s and " JOIN " not in s
        ),
        "返潮 check (earlier_nearby)": lambda s: (
            "work_order.created_at >=" in s and " OR " not in s
        ),
        "返潮 check with an address (earlier_nearby)": lambda s: (
            "work_order.created_at >=" in s and " OR work_order.address =" in s
        ),
        "queue (queue)": lambda s: (
            "LEFT OUTER JOIN clock" in s and "ORDER BY work_order.created_at" in s
        ),
        "queue duplicates (open_orders_near_each)": lambda s: "JOIN work_order AS" in s,
        "work list, search (listing.page)": lambda s: (
            "work_order_search" in s and "next_due_at" in s and "FROM work_order LEFT" in s
        ),
        "work list, department by due (listing.page)": lambda s: (
            "work_order_assist" in s
            and "ORDER BY work_order.next_due_at" in s
            and "work_order_search" not in s
        ),
    }
    seen: dict[str, tuple[str, Any]] = {}

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        for name, matches in kinds.items():
            if statement.lstrip().startswith("SELECT") and matches(statement):
                seen[name] = (statement, parameters)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


class Bench:
    def __init__(self, client: Any, texts: list[str], samples: int) -> None:
        self.client, self.texts, self.samples = client, texts, samples
        self.photo = PHOTO.read_bytes()
        self.member = self.login("demo-member")
        self.dispatcher = self.login("demo-dispatcher")
        self.handler = self.login("demo-handler")
        self.inspector = self.login("demo-inspector")
        self.submitted = 0

    def login(self, username: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/login", data={"username": username, "password": "gridline-demo"}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def timed(self, method: str, url: str, **kwargs: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        response = self.client.request(method, url, **kwargs)
        elapsed = time.perf_counter() - started
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")
        return elapsed, response.json()

    def submit(self) -> tuple[float, int]:
        # Spread over the street (as benchmarks/dispatch.py), so the checks meet the history.
        i = self.submitted = self.submitted + 1
        data = {
            "client_uuid": str(uuid.uuid4()),
            "description": self.texts[i * 31 % len(self.texts)],
            "lat": 31.2325 + (i * 7919 % 149) / 149 * 0.015,
            "lng": 121.4005 + (i * 104729 % 233) / 233 * 0.023,
        }
        if i % 2:  # half give an address, as the fill's orders do
            data["address"] = f"{ROADS[i % 6]}{i % 300 * 37 % 500 + 1}号"
        elapsed, body = self.timed(
            "POST",
            "/api/v1/reports",
            data=data,
            files=[("photos", ("p.jpg", self.photo, "image/jpeg"))],
            headers=self.member,
        )
        return elapsed, int(body["work_order_id"])

    def measure(self, order_ids: list[int]) -> dict[str, list[float]]:
        for _ in range(3):  # warm-up: the classifier, the grid index, the pool
            self.submit()
            self.timed("GET", "/api/v1/dispatch/queue", headers=self.dispatcher)
        submits, new_ids = [], []
        for _ in range(self.samples):
            elapsed, order_id = self.submit()
            submits.append(elapsed)
            new_ids.append(order_id)
        queue = [
            self.timed("GET", "/api/v1/dispatch/queue", headers=self.dispatcher)[0]
            for _ in range(self.samples)
        ]
        detail = [
            self.timed("GET", f"/api/v1/workorders/{i}", headers=self.dispatcher)[0]
            for i in order_ids or new_ids
        ]
        number = self.timed(
            "GET", f"/api/v1/workorders/{(order_ids or new_ids)[0]}", headers=self.dispatcher
        )[1]["number"]
        lists = {
            "handler: due": ("/api/v1/workorders?limit=50", self.handler),
            "handler: 垃圾": ("/api/v1/workorders?limit=50&q=垃圾", self.handler),
            "desk: number": (f"/api/v1/workorders?q={number}", self.dispatcher),
            "desk: overdue": ("/api/v1/workorders?limit=50&overdue=true&sort=due", self.dispatcher),
            "inspector": ("/api/v1/workorders?limit=50", self.inspector),
            "member": ("/api/v1/workorders?limit=50", self.member),
            "my reports 垃圾": ("/api/v1/reports?limit=50&q=垃圾", self.member),
        }
        timings = {
            name: [self.timed("GET", url, headers=who)[0] for _ in range(self.samples)]
            for name, (url, who) in lists.items()
        }
        # The second page of the handler's list: the keyset, not an offset.
        first = self.timed("GET", "/api/v1/workorders?limit=50", headers=self.handler)[1]
        if first["next_cursor"]:
            second = f"/api/v1/workorders?limit=50&cursor={first['next_cursor']}"
            timings["handler: page 2"] = [
                self.timed("GET", second, headers=self.handler)[0] for _ in range(self.samples)
            ]
        return {
            "report submit": submits,
            "dispatch queue": queue,
            "order detail": detail,
            **timings,
        }


# -- the fill ------------------------------------------------------------------------------
# Set-based: a staging table draws every order's attributes once, then one INSERT ... SELECT
# per table reads it, so an order, its report, events and clocks agree.

STAGE = """
CREATE UNLOGGED TABLE fill AS
WITH base AS (
    SELECT i,
           now() - interval '90 days'
               + (i - random() * 0.9) * (interval '90 days' / :n) AS created_at,
           random() AS r_cat, random() AS r_open, random() AS r_status, random() AS r_spot,
           random() AS r_text, random() AS r_source, random() AS r_confident,
           random() AS r_address, floor(random() * 300)::int AS spot,
           random() AS a, random() AS b, random() AS c, random() AS d, random() AS e
    FROM generate_series(1, :n) AS i
), placed AS (
    SELECT base.*,
           extract(epoch FROM now() - created_at) / 86400.0 AS age_days,
           (:cat_numbers ::int[])[width_bucket(r_cat, :cat_bounds ::float8[])]
               AS category_number,
           -- A hot spot (a market, a building site, a corner: ±70 m) or anywhere in the street.
           CASE WHEN r_spot < 0.6
                THEN 31.2322 + (spot * 7919 % 997) / 997.0 * 0.0156 + (a + b - 1) * 0.0006
                ELSE 31.2321 + a * 0.0158 END AS lat,
           CASE WHEN r_spot < 0.6
                THEN 121.4002 + (spot * 104729 % 991) / 991.0 * 0.0236 + (c + d - 1) * 0.0007
                ELSE 121.4001 + c * 0.0238 END AS lng
    FROM base
), statused AS (
    SELECT placed.*,
           least(greatest(lat, 31.2321), 31.2479) AS plat,
           least(greatest(lng, 121.4001), 121.4239) AS plng,
           -- Open orders are mostly recent: P(open) = exp(-age / 9 days), ~10 % over 90 days;
           -- a fifth of those wait for dispatch (~2 %).
           CASE WHEN r_open < exp(-age_days / 9.0) THEN
                CASE WHEN r_status < 0.18 THEN 'reported'
                     WHEN r_status < 0.20 THEN 'returned'
                     WHEN r_status < 0.40 THEN 'dispatched'
                     WHEN r_status < 0.55 THEN 'accepted'
                     WHEN r_status < 0.85 THEN 'in_progress'
                     WHEN r_status < 0.95 THEN 'submitted'
                     ELSE 'verified' END
           ELSE CASE WHEN r_status < 0.50 THEN 'archived'
                     WHEN r_status < 0.95 THEN 'closed'
                     WHEN r_status < 0.97 THEN 'rejected'
                     ELSE 'merged' END
           END AS status,
           (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day
    FROM placed
)
SELECT :order_base + i AS oid, :report_base + i AS rid, created_at, statused.day,
       -- The day's sequence after what the day's counter already handed out.
       row_number() OVER (PARTITION BY statused.day ORDER BY i) + coalesce(oc.last, 0) AS seq,
       status, category_number, plat AS lat, plng AS lng, r_text, e,
       r_confident > 0.3 AS confident,
       CASE WHEN r_source < 0.25 THEN 'inspector' ELSE 'patrol' END AS source,
       (:grid_ids ::bigint[])[(CASE WHEN plat < 31.240 THEN 0 ELSE 4 END)
                              + least(floor((plng - 121.400) / 0.006)::int, 3) + 1] AS grid_id,
       CASE WHEN r_address < 0.7
            THEN (:roads ::text[])[spot % 6 + 1] || (spot * 37 % 500 + 1) || '号' END AS address,
       status NOT IN ('reported', 'rejected', 'merged') AS was_dispatched,
       status NOT IN ('reported', 'rejected', 'merged', 'dispatched', 'accepted', 'returned')
           AS was_contacted,
       -- When the order stopped moving: closed, or how far it got by now.
       created_at + least(now() - created_at, interval '1 hour' + a * interval '6 days') AS until
FROM statused
LEFT JOIN order_counter oc ON oc.day = statused.day
"""

# The steps each status implies, in order (the kinds the services write).
_WORKED = "'reported', 'dispatched', 'accepted', 'first_contact'"
_DONE = f"{_WORKED}, 'closure_submitted', 'verified', 'callback', 'closed'"
EVENT_KINDS = f"""CASE f.status
  WHEN 'reported' THEN ARRAY['reported', 'queued']
  WHEN 'rejected' THEN ARRAY['reported', 'queued', 'rejected']
  WHEN 'merged' THEN ARRAY['reported', 'queued', 'merged']
  WHEN 'dispatched' THEN ARRAY['reported', 'dispatched']
  WHEN 'accepted' THEN ARRAY['reported', 'dispatched', 'accepted']
  WHEN 'returned' THEN ARRAY['reported', 'dispatched', 'accepted', 'return_requested']
  WHEN 'in_progress' THEN ARRAY[{_WORKED}]
  WHEN 'submitted' THEN ARRAY[{_WORKED}, 'closure_submitted']
  WHEN 'verified' THEN ARRAY[{_WORKED}, 'closure_submitted', 'verified']
  WHEN 'closed' THEN ARRAY[{_DONE}]
  ELSE ARRAY[{_DONE}, 'archived']
END"""

ORDERS = f"""
INSERT INTO work_order (
    id, number, source, level, status, profile, description, address, lat, lng,
    category_number, grid_id, out_of_jurisdiction, lead_department_id, suggestions, confident,
    routing_reason, dispatch_mode, dispatched_at, dispatched_by, duplicate_of_id,
    repeat_count, created_at, version, marked_repeat, redispatch_count, first_contact_at,
    contacted_levels, failed_checks, warning_order, closed_at, updated_at)
SELECT f.oid,
       'WG' || to_char(f.day, 'YYYYMMDD') || '-'
           || lpad(f.seq::text, greatest(4, length(f.seq::text)), '0'),
       f.source, 'general', f.status, 'zhenru',
       t.texts[1 + floor(f.r_text * cardinality(t.texts))::int], f.address, f.lat, f.lng,
       f.category_number, f.grid_id, false,
       CASE WHEN f.was_dispatched THEN (:department_ids ::bigint[])[
           f.category_number % cardinality(:department_ids ::bigint[]) + 1] END,
       json_build_array(json_build_object(
           'number', f.category_number, 'name', c.name,
           'score', round((CASE WHEN f.confident THEN 0.6 ELSE 0.2 END + f.e * 0.35)::numeric, 3))),
       f.confident,
       CASE WHEN NOT f.confident THEN '分类不确定' END,
       CASE WHEN f.was_dispatched THEN CASE WHEN f.confident THEN 'auto' ELSE 'manual' END END,
       CASE WHEN f.was_dispatched THEN f.created_at + interval '12 minutes' * f.e END,
       CASE WHEN f.was_dispatched AND NOT f.confident THEN :dispatcher_id END,
       CASE WHEN f.status = 'merged' AND f.oid > :order_base + 1 THEN f.oid - 1 END,
       0, f.created_at, cardinality({EVENT_KINDS}), false, 0,
       CASE WHEN f.was_contacted THEN f.created_at + (f.until - f.created_at) / 3 END,
       CASE WHEN f.was_contacted THEN 'command_center,department' ELSE '' END,
       0, false,
       CASE WHEN f.status IN ('closed', 'archived', 'rejected', 'merged')
            THEN f.until END,
       f.until
FROM fill f
JOIN category c ON c.number = f.category_number
JOIN fill_text t ON t.category_number = f.category_number
"""

COUNTERS = """
INSERT INTO order_counter (day, last)
SELECT day, max(seq) FROM fill GROUP BY day
ON CONFLICT (day) DO UPDATE SET last = excluded.last
"""

REPORTS = """
INSERT INTO report (
    id, client_uuid, reporter_id, description, lat, lng, crs, submitted_lat, submitted_lng,
    accuracy_m, address, category_number, captured_at, received_at, grid_id, work_order_id)
SELECT f.rid, gen_random_uuid()::text,
       CASE WHEN f.source = 'inspector' THEN :inspector_id ELSE :member_id END,
       o.description, f.lat, f.lng, 'wgs84', f.lat, f.lng, 5 + f.e * 20, f.address,
       f.category_number, f.created_at - interval '3 minutes', f.created_at, f.grid_id, f.oid
FROM fill f JOIN work_order o ON o.id = f.oid
"""

EVENTS = f"""
INSERT INTO work_order_event (work_order_id, seq, kind, actor_id, at, payload, prev_hash, hash)
SELECT f.oid, s.seq, s.kind,
       CASE WHEN s.seq = 1 THEN
                CASE WHEN f.source = 'inspector' THEN :inspector_id ELSE :member_id END
            WHEN s.kind IN ('rejected', 'merged') THEN :dispatcher_id
            WHEN s.kind = 'dispatched' AND NOT f.confident THEN :dispatcher_id
            WHEN s.kind IN ('accepted', 'first_contact', 'closure_submitted',
                            'return_requested') THEN :handler_id END,
       date_trunc('second', f.created_at + (f.until - f.created_at) * (s.seq - 1)
                                           / greatest(s.n - 1, 1)),
       CASE s.kind
         WHEN 'reported' THEN json_build_object(
             'report_id', f.rid, 'source', f.source, 'grid_id', f.grid_id)
         WHEN 'queued' THEN json_build_object('reason', '分类不确定')
         WHEN 'dispatched' THEN json_build_object(
             'mode', CASE WHEN f.confident THEN 'auto' ELSE 'manual' END,
             'category_number', f.category_number, 'level', 'general')
         WHEN 'merged' THEN json_build_object('into', f.oid - 1)
         ELSE '{{}}'::json END,
       CASE WHEN s.seq = 1 THEN repeat('0', 64)
            ELSE encode(sha256(convert_to(f.oid || ':' || (s.seq - 1), 'UTF8')), 'hex') END,
       encode(sha256(convert_to(f.oid || ':' || s.seq, 'UTF8')), 'hex')
FROM fill f
CROSS JOIN LATERAL (
    SELECT k.seq::int AS seq, k.kind, cardinality(a.kinds) AS n
    FROM (SELECT {EVENT_KINDS} AS kinds) AS a,
         unnest(a.kinds) WITH ORDINALITY AS k(kind, seq)
) AS s
"""

CLOCKS = """
INSERT INTO clock (work_order_id, name, source, level, started_at, amount, unit, due_at,
                   provisional, remind_at, met_at, breached_at)
SELECT f.oid, c.name, 'hotline', 'general', c.started_at, c.amount, c.unit, c.due_at, false,
       c.remind_at, c.met_at,
       CASE WHEN c.due_at < coalesce(c.met_at, now()) THEN c.due_at END
FROM fill f
CROSS JOIN LATERAL (
    SELECT 'dispatch' AS name, f.created_at AS started_at, 30 AS amount, 'minutes' AS unit,
           f.created_at + interval '30 minutes' AS due_at,
           f.created_at + interval '20 minutes' AS remind_at,
           CASE WHEN f.status NOT IN ('reported', 'returned')
                THEN f.created_at + interval '12 minutes' * f.e END AS met_at
    UNION ALL
    SELECT 'first_contact', f.created_at + interval '12 minutes' * f.e, 1, 'working_days',
           f.created_at + interval '1 day', f.created_at + interval '20 hours',
           CASE WHEN f.was_contacted THEN f.created_at + (f.until - f.created_at) / 3 END
    WHERE f.was_dispatched
    UNION ALL
    SELECT 'resolve', f.created_at + interval '12 minutes' * f.e, 5, 'working_days',
           f.created_at + interval '7 days', f.created_at + interval '5 days',
           CASE WHEN f.status NOT IN ('dispatched', 'accepted', 'in_progress', 'returned')
                THEN f.created_at + (f.until - f.created_at) * 0.6 END
    WHERE f.was_dispatched
) AS c
"""


# What backend.workorders.upkeep keeps: the nearest deadline of a clock not yet met.
NEXT_DUE = """
UPDATE work_order o SET next_due_at = c.due
FROM (SELECT work_order_id, min(due_at) AS due FROM clock
      WHERE met_at IS NULL AND work_order_id > :order_base GROUP BY work_order_id) AS c
WHERE o.id = c.work_order_id
  AND o.status NOT IN ('closed', 'archived', 'rejected', 'merged', 'stored')
"""

# The search terms backend.workorders.search_terms makes: the text's and the address's (both
# tokenised in Python, once per distinct text) and the order number's, spelled out in SQL.
SEARCH = """
INSERT INTO work_order_search (work_order_id, terms)
SELECT o.id,
       lower(replace(o.number, '-', '')) || ' ' || lower(split_part(o.number, '-', 1))
           || ' wg ' || substr(o.number, 3, 8) || ' ' || split_part(o.number, '-', 2) || ' '
           || t.terms[1 + floor(f.r_text * cardinality(t.texts))::int]
           || coalesce(' ' || a.terms, '')
FROM fill f
JOIN work_order o ON o.id = f.oid
JOIN fill_text t ON t.category_number = f.category_number
LEFT JOIN fill_address a ON a.address = f.address
"""


def fill(url: str, count: int, eval_rows: list[dict[str, Any]]) -> range:
    """Adds ``count`` orders with everything around them; returns their ids."""
    from psycopg import ClientCursor
    from sqlalchemy import create_engine, text

    from backend.workorders.search_terms import index_terms

    # Client-side binding: the staging CREATE TABLE AS takes no server-side parameters.
    engine = create_engine(url, connect_args={"cursor_factory": ClientCursor})
    by_category = Counter(int(r["number"]) for r in eval_rows)
    top = [number for number, _ in by_category.most_common(30)]
    total = sum(by_category[n] for n in top)
    bounds, running = [0.0], 0
    for number in top[:-1]:
        running += by_category[number]
        bounds.append(running / total)
    started = time.perf_counter()
    with engine.begin() as conn:
        users = dict(
            conn.execute(
                text("SELECT username, id FROM app_user WHERE username LIKE 'demo-%'")
            ).all()
        )
        grids = dict(conn.execute(text("SELECT code, id FROM grid WHERE level = 3")).all())
        departments = conn.execute(
            text("SELECT id FROM department WHERE kind <> 'command_center' ORDER BY id")
        ).scalars()
        params: dict[str, Any] = {
            "n": count,
            "order_base": conn.execute(
                text("SELECT coalesce(max(id), 0) FROM work_order")
            ).scalar(),
            "report_base": conn.execute(text("SELECT coalesce(max(id), 0) FROM report")).scalar(),
            "cat_numbers": top,
            "cat_bounds": bounds,
            # Lattice row 0 is 真北社区 (DEMO-B), row 1 铜川路社区 (DEMO-A), 4 columns each;
            # the nudged inner corners (a few tens of metres) are ignored.
            "grid_ids": [grids[f"DEMO-{c}-{k:02d}"] for c in "BA" for k in range(1, 5)],
            "roads": ROADS,
            "department_ids": list(departments),
            "member_id": users["demo-member"],
            "inspector_id": users["demo-inspector"],
            "dispatcher_id": users["demo-dispatcher"],
            "handler_id": users["demo-handler"],
        }
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        if conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar():
            # The rows are generated consistent: skip the foreign-key triggers (9M lookups).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(
            text("CREATE TEMP TABLE fill_text (category_number int, texts text[], terms text[])")
        )
        conn.execute(text("CREATE TEMP TABLE fill_address (address text, terms text)"))
        conn.execute(
            text("INSERT INTO fill_address VALUES (:a, :t)"),
            [
                {"a": address, "t": index_terms(address)}
                for address in {f"{road}{n}号" for road in ROADS for n in range(1, 501)}
            ],
        )
        texts: dict[int, list[str]] = {}
        for row in eval_rows:
            if int(row["number"]) in top:
                texts.setdefault(int(row["number"]), []).append(row["text"])
        conn.execute(
            text("INSERT INTO fill_text VALUES (:c, :t, :terms)"),
            [{"c": c, "t": t, "terms": [index_terms(x) for x in t]} for c, t in texts.items()],
        )
        steps = [
            ("staging", STAGE),
            ("work_order", ORDERS),
            ("order_counter", COUNTERS),
            ("report", REPORTS),
            ("work_order_event", EVENTS),
            ("clock", CLOCKS),
            ("next_due_at", NEXT_DUE),
            ("work_order_search", SEARCH),
        ]
        for name, sql in steps:
            t0 = time.perf_counter()
            result = conn.execute(text(sql), params)
            print(f"  {name:<17} {result.rowcount:>10,} rows  {time.perf_counter() - t0:6.1f} s")
        for table in ("work_order", "report", "work_order_event", "clock"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )
        conn.execute(text("DROP TABLE fill"))
    print(f"  filled in {time.perf_counter() - started:.0f} s")
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  VACUUM ANALYZE    {time.perf_counter() - t0:6.1f} s")
    engine.dispose()
    return range(params["order_base"] + 1, params["order_base"] + count + 1)


# -- EXPLAIN -------------------------------------------------------------------------------


def explain(url: str, statements: dict[str, tuple[str, Any]]) -> None:
    import psycopg
    from sqlalchemy import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        for name, (statement, parameters) in statements.items():
            rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).fetchall()
            print(f"\n-- {name}\n" + "\n".join(r[0] for r in rows))


# -- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from backend.db import engine_for
    from backend.main import create_app
    from benchmarks.street_db import street_database

    with street_database(DATABASE, keep=args.keep) as (url, settings):
        eval_rows = [
            json.loads(line) for line in (ROOT / "tests/data/classifier_eval.jsonl").open()
        ]
        common = {n for n, _ in Counter(int(r["number"]) for r in eval_rows).most_common(30)}
        texts = [r["text"] for r in eval_rows if int(r["number"]) in common]

        with TestClient(create_app(settings)) as client:
            bench = Bench(client, texts, args.samples)
            print("empty database: measuring")
            empty = bench.measure([])
            print(f"filling with {args.orders:,} orders")
            filled = fill(url, args.orders, eval_rows)
            picks = random.Random(11).sample(filled, min(args.samples, len(filled)))
            print(f"{args.orders:,} orders: measuring")
            with captured(engine_for(url)) as statements:
                full = bench.measure(picks)

        print(f"\nPostgreSQL, {args.samples} samples each (ms)")
        print(f"{'':<16}{'empty database':<34}{args.orders:,} orders")
        for name in full:
            before = figures(empty[name]) if name in empty else "-"
            print(f"{name:<16}{before:<34}{figures(full[name])}")
        ratio = statistics.median(full["report submit"]) / statistics.median(empty["report submit"])
        ratio95 = p95(full["report submit"]) / p95(empty["report submit"])
        print(f"report submit, full / empty: p50 {ratio:.2f}x, p95 {ratio95:.2f}x")
        explain(url, statements)


if __name__ == "__main__":
    main()
