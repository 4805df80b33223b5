"""Indexes for a million orders: the duplicate and 返潮 boxes check lng inside the index, and
the dispatcher queue reads its page in order (benchmarks/big.py).

With (category_number, lat) alone, a box's whole lat band was fetched from the table to filter
lng (2,400 rows read for 30 kept); the queue walked created_at over every order to find the
2 % waiting. Building the three on 1,000,000 orders takes a few seconds.

Revision ID: 20261202_03
Revises: 20261202_02
Create Date: 2026-12-02 01:24:57.116868
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_03"
down_revision: str | Sequence[str] | None = "20261202_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('accepted', 'dispatched', 'in_progress', 'reported', 'submitted')"
AWAITING = "status IN ('reported', 'returned')"


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_order_open_category_lat_lng",
            ["category_number", "lat", "lng"],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch_op.create_index(
            "ix_work_order_category_lat_lng", ["category_number", "lat", "lng"], unique=False
        )
        batch_op.create_index(
            "ix_work_order_awaiting_created_at",
            ["created_at", "id"],
            unique=False,
            sqlite_where=sa.text(AWAITING),
            postgresql_where=sa.text(AWAITING),
        )
        batch_op.drop_index("ix_work_order_open_category_lat")
        batch_op.drop_index("ix_work_order_category_lat")


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_order_open_category_lat",
            ["category_number", "lat"],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch_op.create_index(
            "ix_work_order_category_lat", ["category_number", "lat"], unique=False
        )
        batch_op.drop_index("ix_work_order_awaiting_created_at")
        batch_op.drop_index("ix_work_order_category_lat_lng")
        batch_op.drop_index("ix_work_order_open_category_lat_lng")
