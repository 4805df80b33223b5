"""A month of 100,000 orders: the time of a month's department scores and statistics.

Measured 2026-12-02 on 2 vCPUs (AMD EPYC), otherwise idle (load average ~1), PostgreSQL 15
with its default settings, Python 3.11, 100,000 orders in November 2026 with 152,000 clocks,
586,000 events, 2,900 supervisions, 3,800 returns and 1,900 extensions; 5 runs each after one
warm-up (seconds, every department of the street in one call):

    departments jiangning  median   0.84   max   1.00   11 statements
    departments zhenru     median   0.91   max   0.92   14 statements
    departments dongcheng  median   0.80   max   0.85   13 statements
    grids                  median   0.71   max   0.76   11 statements
    summary                median   0.23   max   0.26   9 statements

Within the 2 s target. Before the closure step kept the latest report's findings on the order
(migration 20261202_08), zhenru took 1.24 s and dongcheng 1.19 s on the same idle machine:
their counts read each order's latest closure_submitted event through a per-order subquery.
What else got it here from 7.6 s at 20,000 orders: PostgreSQL's JIT is off for these
statements (it spent 1.7 s of 2.1 s compiling: see repository.without_jit), and the clocks
are read by a hash join of one per-order subquery (metrics.JoinedFacts) instead of one
correlated EXISTS per order and count. On a machine loaded by other work (load ~5) the same
statements took 2-4 s: the figures are CPU-bound.

Builds its own PostgreSQL database (gridline_scores, dropped at the end unless --keep) with
the real migrations, the catalog and the demo street, then fills it in set-based INSERT ...
SELECT generate_series statements: orders spread over the month (Asia/Shanghai), the demo
departments and grids; 60 % 12345 hotline, 30 % patrol, 10 % 随手拍; about 75 % closed or
archived, 10 % in progress, 3 % 存电, 5 % dispatched, 2 % merged, 5 % waiting for dispatch; each
dispatched order with its first-contact (hotline) and resolve clocks, met in time, late or not
yet; a closure report (sometimes two) per finished order, with the callback's satisfaction
and resolution; five filler events per order; supervision notices, returns and extensions on
a few percent. Then VACUUM ANALYZE, and it times backend.scoring.service's
department_statistics for each scheme (every department of the street in one call), the grid
statistics and the street summary, and counts the statements each issues.

    .venv/bin/python benchmarks/scores_month.py [--orders 100000] [--runs 5] [--keep]

GRID_PG_URL points at the server (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "gridline_scores"
MONTH_START = "2026-10-31 16:00:00+00"  # 2026-11-01 00:00 Shanghai

FILL = """
CREATE TEMP TABLE fill AS
SELECT i,
       r1, r2, r3, r4,
       CASE WHEN r1 < 0.6 THEN 'hotline' WHEN r1 < 0.9 THEN 'patrol' ELSE 'snapshot' END
           AS source,
       CASE WHEN r2 < 0.70 THEN 'closed' WHEN r2 < 0.75 THEN 'archived'
            WHEN r2 < 0.85 THEN 'in_progress' WHEN r2 < 0.88 THEN 'stored'
            WHEN r2 < 0.93 THEN 'dispatched' WHEN r2 < 0.95 THEN 'merged'
            ELSE 'reported' END AS status,
       TIMESTAMPTZ '{start}' + (i::float / {n}) * interval '30 days' AS created_at
FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4
      FROM generate_series(1, {n}) AS i) AS r
"""

ORDERS = """
INSERT INTO work_order (
    number, source, level, status, profile, description, out_of_jurisdiction,
    lead_department_id, suggestions, confident, dispatched_at, repeat_count, created_at,
    version, marked_repeat, redispatch_count, contacted_levels, failed_checks, warning_order,
    satisfaction, resolution, closed_at, grid_id, satisfaction_exempt, updated_at)
SELECT 'BM' || lpad(f.i::text, 8, '0'), f.source, 'general', f.status, 'zhenru',
       '测试工单', false,
       CASE WHEN f.status <> 'reported'
            THEN (:departments ::bigint[])[1 + (f.i % cardinality(:departments ::bigint[]))] END,
       '[]'::json, true,
       CASE WHEN f.status <> 'reported' THEN f.created_at + f.r3 * interval '40 minutes' END,
       CASE WHEN f.r4 < 0.05 THEN 1 + (f.i % 3) ELSE 0 END,
       f.created_at, 5, false, 0,
       CASE WHEN f.r3 < 0.5 THEN 'command_center,department' WHEN f.r3 < 0.8 THEN 'department'
            ELSE '' END,
       CASE WHEN f.r4 < 0.1 THEN 1 ELSE 0 END, false,
       CASE WHEN f.status IN ('closed', 'archived', 'stored') THEN
           (ARRAY['satisfied', 'satisfied', 'basically_satisfied', 'neutral', 'unsatisfied'])[
               1 + (f.i % 5)] END,
       CASE WHEN f.status IN ('closed', 'archived', 'stored') THEN
           (ARRAY['resolved', 'resolved', 'explained', 'filed_for_reference', 'unresolved'])[
               1 + (f.i * 7 % 5)] END,
       CASE WHEN f.status IN ('closed', 'archived')
            THEN f.created_at + f.r4 * interval '10 days' END,
       (:grids ::bigint[])[1 + (f.i % cardinality(:grids ::bigint[]))],
       f.status = 'stored',
       f.created_at
FROM fill f
"""

CLOCKS = """
INSERT INTO clock (work_order_id, name, source, level, started_at, amount, unit, due_at,
                   provisional, met_at, breached_at)
SELECT o.id, c.name, o.source, 'general', o.dispatched_at, c.amount, 'working_days', c.due_at,
       false, c.met_at,
       CASE WHEN c.due_at < coalesce(c.met_at, TIMESTAMPTZ '2026-12-02 00:00+00') THEN c.due_at END
FROM work_order o
CROSS JOIN LATERAL (
    SELECT 'first_contact' AS name, 1 AS amount, o.dispatched_at + interval '1 day' AS due_at,
           CASE WHEN o.contacted_levels <> ''
                THEN o.dispatched_at + (o.id % 30) * interval '1 hour' END AS met_at
    WHERE o.source = 'hotline'
    UNION ALL
    SELECT 'resolve', 5, o.dispatched_at + interval '7 days',
           CASE WHEN o.status IN ('closed', 'archived', 'stored')
                THEN coalesce(o.closed_at, o.dispatched_at + interval '3 days')
                     - interval '2 hours' END
) AS c
WHERE o.dispatched_at IS NOT NULL
"""

EVENTS = """
INSERT INTO work_order_event (work_order_id, seq, kind, at, payload, prev_hash, hash)
SELECT o.id, s.seq, s.kind, o.created_at + s.seq * interval '1 hour',
       CASE WHEN s.kind = 'closure_submitted' THEN json_build_object(
           'fact_finding', CASE WHEN o.id % 17 = 0 THEN 'untrue' ELSE 'true' END,
           'claim_finding', CASE WHEN o.id % 23 = 0 THEN 'no_policy_basis' ELSE 'lawful' END,
           'result', (ARRAY['resolved', 'partly_resolved', 'explained', 'resolved'])[
               1 + (o.id * (s.seq + 1) % 4)])
       ELSE '{}'::json END,
       repeat('0', 64), md5(o.id || ':' || s.seq) || md5(s.seq || ':' || o.id)
FROM work_order o
CROSS JOIN LATERAL (
    SELECT g AS seq, CASE g WHEN 1 THEN 'reported' WHEN 2 THEN 'dispatched'
                            WHEN 3 THEN 'accepted' WHEN 4 THEN 'first_contact_attempt'
                            ELSE 'evidence_added' END AS kind
    FROM generate_series(1, 5) AS g
    UNION ALL
    SELECT 6, 'closure_submitted' WHERE o.status IN ('closed', 'archived', 'stored')
    UNION ALL
    SELECT 7, 'closure_submitted'
    WHERE o.status IN ('closed', 'archived', 'stored') AND o.id % 10 = 0
) AS s
"""

# What the closure step keeps on the order: the latest closure report's findings.
FINDINGS = """
UPDATE work_order o
SET closure_fact_finding = e.payload ->> 'fact_finding',
    closure_claim_finding = e.payload ->> 'claim_finding',
    closure_result = e.payload ->> 'result'
FROM (SELECT DISTINCT ON (work_order_id) work_order_id, payload
      FROM work_order_event WHERE kind = 'closure_submitted'
      ORDER BY work_order_id, seq DESC) AS e
WHERE e.work_order_id = o.id
"""

ROWS = [
    """
INSERT INTO supervision (work_order_id, kind, level, notice, issued_at, reply_due_at,
                         reply, replied_at)
SELECT o.id, CASE WHEN o.id % 5 = 0 THEN 'warning' ELSE 'overdue' END,
       (ARRAY['street', 'district', 'city'])[1 + o.id % 3], '请尽快办理',
       o.dispatched_at + interval '2 days', o.dispatched_at + interval '7 days',
       CASE WHEN o.id % 2 = 0 THEN '已办理' END,
       CASE WHEN o.id % 2 = 0 THEN o.dispatched_at + interval '3 days' END
FROM work_order o WHERE o.dispatched_at IS NOT NULL AND o.id % 33 = 0
""",
    """
INSERT INTO return_request (work_order_id, department_id, requested_by, reason, prior_status,
                            needs_leader, status, created_at)
SELECT o.id, o.lead_department_id, :user_id, '不属于本部门职责', 'dispatched', false,
       CASE WHEN o.id % 3 = 0 THEN 'refused' ELSE 'approved' END,
       o.dispatched_at + interval '1 hour'
FROM work_order o WHERE o.dispatched_at IS NOT NULL AND o.id % 25 = 0
""",
    """
INSERT INTO extension (work_order_id, requested_by, reason, plan, milestones, old_due_at,
                       proposed_due_at, needs_leader, status, created_at)
SELECT o.id, :user_id, '需协调', '两周内完成', '[]'::json, o.dispatched_at + interval '7 days',
       o.dispatched_at + interval '14 days', false, 'approved',
       o.dispatched_at + interval '1 day'
FROM work_order o WHERE o.dispatched_at IS NOT NULL AND o.id % 50 = 0
""",
]


def fill(url: str, orders: int) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        departments = [
            r[0]
            for r in conn.execute(
                text("SELECT id FROM department WHERE kind <> 'command_center' ORDER BY id")
            )
        ]
        grids = [r[0] for r in conn.execute(text("SELECT id FROM grid WHERE level = 3"))]
        user_id = conn.execute(text("SELECT min(id) FROM app_user")).scalar_one()
        # A utility statement takes no parameters: the two numbers are written in.
        conn.execute(text(FILL.format(start=MONTH_START, n=int(orders))))
        conn.execute(text(ORDERS), {"departments": departments, "grids": grids})
        conn.execute(text(CLOCKS))
        conn.execute(text(EVENTS))
        conn.execute(text(FINDINGS))
        for statement in ROWS:
            conn.execute(text(statement), {"user_id": user_id})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        sizes = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "work_order", "clock", "work_order_event", "supervision", "return_request",
                "extension",
            )
        }  # fmt: skip
    engine.dispose()
    return sizes


def timed(run: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    """Seconds of each run after a warm-up, and the statements one run issues."""
    from sqlalchemy import event

    from backend.db import engine_for

    run()
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    engine = engine_for(os.environ["GRID_SCORES_URL"])
    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times, statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    from datetime import UTC, datetime

    from sqlmodel import Session

    from backend.db import engine_for
    from backend.scoring import service
    from benchmarks.street_db import street_database

    with street_database(DATABASE, keep=args.keep) as (url, settings):
        os.environ["GRID_SCORES_URL"] = url
        print(f"filling with {args.orders:,} orders")
        started = time.perf_counter()
        sizes = fill(url, args.orders)
        print(f"filled in {time.perf_counter() - started:.0f} s: {sizes}")
        now = datetime(2026, 12, 2, tzinfo=UTC)
        engine = engine_for(url)

        def scores(scheme: str) -> Callable[[], Any]:
            def run() -> Any:
                with Session(engine) as session:
                    return service.department_statistics(
                        session, "2026-11-01", "2026-11-30", settings, scheme, now=now
                    )

            return run

        def page(build: Callable[..., Any]) -> Callable[[], Any]:
            def run() -> Any:
                with Session(engine) as session:
                    return build(session, "2026-11-01", "2026-11-30", settings, now)

            return run

        cases = {
            **{f"departments {s}": scores(s) for s in ("jiangning", "zhenru", "dongcheng")},
            "grids": page(service.grids_page),
            "summary": page(service.summary_page),
        }
        print(f"\nPostgreSQL, {args.orders:,} orders in a month, {args.runs} runs (s)")
        for name, run in cases.items():
            times, statements = timed(run, args.runs)
            print(
                f"    {name:<22} median {statistics.median(times):6.2f}   "
                f"max {max(times):6.2f}   {statements} statements"
            )


if __name__ == "__main__":
    main()
