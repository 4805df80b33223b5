"""Migrations round-trip on the test engine and match the models exactly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from backend.db import include_in_autogenerate, make_engine
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
