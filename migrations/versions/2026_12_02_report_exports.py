"""Report exports (日报/周报/月报/双月通报 as .xlsx): one row per (kind, period), unique, so the
worker's schedule and repeated requests never make a second report of the same period.

Revision ID: 20261202_07r
Revises: 20261202_07s
Create Date: 2026-12-02 07:35:09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "20261202_07r"
down_revision: str | Sequence[str] | None = "20261202_07s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_export",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("requested_by", _ID, nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["app_user.id"], name=op.f("fk_report_export_requested_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_export")),
        sa.UniqueConstraint(
            "kind", "period_from", "period_to", name="uq_report_export_kind_period"
        ),
    )
    op.create_index("ix_report_export_created_at", "report_export", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_report_export_created_at", table_name="report_export")
    op.drop_table("report_export")
