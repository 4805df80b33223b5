"""Platform orders (12345, 随申拍, 领导交办, 媒体曝光): the platform's number, unique per
channel, the time the order reached the street, the platform's due time, the appeal type and
the caller. Existing orders are patrol finds: they keep NULLs and no caller.

Revision ID: 20261202_02
Revises: 20261202_01
Create Date: 2026-12-02 01:06:49.104523
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db

revision: str = "20261202_02"
down_revision: str | Sequence[str] | None = "20261202_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("external_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("received_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("platform_due_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("appeal_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(
            sa.Column("caller_name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True)
        )
        batch_op.add_column(
            sa.Column("caller_phone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
        batch_op.add_column(
            sa.Column("caller_anonymous", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("caller_confidential", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_unique_constraint(
            "uq_work_order_source_external_no", ["source", "external_no"]
        )


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_constraint("uq_work_order_source_external_no", type_="unique")
        batch_op.drop_column("caller_confidential")
        batch_op.drop_column("caller_anonymous")
        batch_op.drop_column("caller_phone")
        batch_op.drop_column("caller_name")
        batch_op.drop_column("appeal_type")
        batch_op.drop_column("platform_due_at")
        batch_op.drop_column("received_at")
        batch_op.drop_column("external_no")
