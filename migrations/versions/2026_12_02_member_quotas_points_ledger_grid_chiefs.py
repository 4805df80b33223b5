"""Member quotas (seed 001 五): grid chiefs, the append-only points ledger, the closed weeks,
and the indexes the weekly counts read (a member's reports by time, the timeline by kind comes
with 20261202_07o).

Existing grid members become patrol members (server default); no grid has a chief until an
admin (or the demo) names one.

Revision ID: 20261202_07q
Revises: 20261202_07o
Create Date: 2026-12-02 07:20:25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db

revision: str = "20261202_07q"
down_revision: str | Sequence[str] | None = "20261202_07o"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "quota_week_close",
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("finds", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("bonus", sa.Integer(), nullable=False),
        sa.Column("penalty", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("warning", sa.Boolean(), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("empty_weeks_in_a_row", sa.Integer(), nullable=False),
        sa.Column("recommend_replacement", sa.Boolean(), nullable=False),
        sa.Column("closed_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["app_user.id"], name=op.f("fk_quota_week_close_member_id_app_user")
        ),
        sa.PrimaryKeyConstraint("member_id", "week", name=op.f("pk_quota_week_close")),
    )
    with op.batch_alter_table("quota_week_close", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quota_week_close_week"), ["week"], unique=False)

    op.create_table(
        "points_ledger",
        sa.Column("id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("work_order_id", _ID, nullable=True),
        sa.Column("line_key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["app_user.id"], name=op.f("fk_points_ledger_member_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_points_ledger_work_order_id_work_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
        sa.UniqueConstraint("member_id", "week", "line_key", name="uq_points_ledger_line"),
    )
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_points_ledger_member_week", ["member_id", "week"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_points_ledger_work_order_id"), ["work_order_id"], unique=False
        )

    with op.batch_alter_table("grid_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duty",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                server_default="member",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_grid_member_duty"), "duty IN ('member', 'grid_chief')"
        )

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_reporter_received_at", ["reporter_id", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_reporter_received_at")

    with op.batch_alter_table("grid_member", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_grid_member_duty"), type_="check")
        batch_op.drop_column("duty")

    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_ledger_work_order_id"))
        batch_op.drop_index("ix_points_ledger_member_week")
    op.drop_table("points_ledger")

    with op.batch_alter_table("quota_week_close", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quota_week_close_week"))
    op.drop_table("quota_week_close")
