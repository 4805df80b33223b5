"""Migrations round-trip on the test engine and match the models exactly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from backend.db import include_in_autogenerate, make_engine, writing
from tests.conftest import alembic_config, fresh_database


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path) -> None:
    for url in fresh_database(tmp_path):
        config = alembic_config(url)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        engine = make_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
                ),
                SQLModel.metadata,
            )
        engine.dispose()
        assert diff == []


def test_closure_findings_are_filled_from_the_latest_closure_report(tmp_path) -> None:
    """20261202_08 moves the latest closure report's findings onto the order: an order closed
    before the upgrade is scored as untrue / partly resolved exactly as its timeline says."""
    for url in fresh_database(tmp_path):
        config = alembic_config(url)
        command.upgrade(config, "20261202_07r")
        engine = make_engine(url)
        at = "2026-11-20 02:00:00"
        with writing(), engine.begin() as conn:
            for number in ("WG1", "WG2"):
                conn.execute(
                    text(
                        "INSERT INTO work_order (number, source, level, status, profile,"
                        " description, out_of_jurisdiction, suggestions, confident,"
                        " repeat_count, satisfaction_exempt, created_at, version,"
                        " marked_repeat, redispatch_count, contacted_levels, failed_checks,"
                        " warning_order, caller_anonymous, caller_confidential)"
                        " VALUES (:number, 'hotline', 'general', 'closed', 'zhenru', '测试',"
                        " false, '[]', true, 0, false, :at, 3, false, 0, '', 0, false,"
                        " false, false)"
                    ),
                    {"number": number, "at": at},
                )
            first = conn.execute(text("SELECT id FROM work_order WHERE number = 'WG1'")).scalar()
            reports = [
                (1, "closure_submitted", '{"fact_finding": "true", "result": "resolved"}'),
                (2, "closure_submitted", '{"fact_finding": "untrue",'
                 ' "claim_finding": "no_policy_basis", "result": "partly_resolved"}'),
                (3, "evidence_added", '{"result": "resolved"}'),
            ]  # fmt: skip
            for seq, kind, payload in reports:
                conn.execute(
                    text(
                        "INSERT INTO work_order_event (work_order_id, seq, kind, at, payload,"
                        " prev_hash, hash) VALUES (:order, :seq, :kind, :at, :payload, '0', '0')"
                    ),
                    {"order": first, "seq": seq, "kind": kind, "at": at, "payload": payload},
                )
        command.upgrade(config, "20261202_08")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT number, closure_fact_finding, closure_claim_finding, closure_result"
                    " FROM work_order ORDER BY number"
                )
            ).all()
        engine.dispose()
        # WG1: the second closure report is the latest (the evidence event is not a report);
        # WG2 has none and keeps NULL.
        assert [tuple(r) for r in rows] == [
            ("WG1", "untrue", "no_policy_basis", "partly_resolved"),
            ("WG2", None, None, None),
        ]
