"""存电 (seed 003 三(四)): a later call on a stored matter links to the stored order, and
both are kept out of satisfaction scoring. Existing orders keep NULL and are scored.

Revision ID: 20261202_04
Revises: 20261202_03
Create Date: 2026-12-02 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_04"
down_revision: str | Sequence[str] | None = "20261202_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stored_matter_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("satisfaction_exempt", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_work_order_stored_matter_id"), ["stored_matter_id"], unique=False
        )
        batch_op.create_foreign_key(
            op.f("fk_work_order_stored_matter_id_work_order"),
            "work_order",
            ["stored_matter_id"],
            ["id"],
        )
    # A stored order was always exempt (seed 003: 不纳入满意度测评).
    op.execute("UPDATE work_order SET satisfaction_exempt = true WHERE status = 'stored'")


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_work_order_stored_matter_id_work_order"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_work_order_stored_matter_id"))
        batch_op.drop_column("satisfaction_exempt")
        batch_op.drop_column("stored_matter_id")
