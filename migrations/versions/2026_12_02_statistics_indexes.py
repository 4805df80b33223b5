"""Statistics of a period (backend/scoring): indexes on the instants that put orders, returns,
extensions and supervision notices in a period, and on each order's closure reports.

Revision ID: 20261202_07s
Revises: 20261202_07q
Create Date: 2026-12-02 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_07s"
down_revision: str | Sequence[str] | None = "20261202_07q"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("work_order", "ix_work_order_dispatched_at", "dispatched_at"),
    ("work_order", "ix_work_order_closed_at", "closed_at"),
    ("return_request", "ix_return_request_created_at", "created_at"),
    ("extension", "ix_extension_created_at", "created_at"),
    ("supervision", "ix_supervision_issued_at", "issued_at"),
)


CLOSURES = "kind = 'closure_submitted'"


def upgrade() -> None:
    for table, name, column in INDEXES:
        op.create_index(name, table, [column], unique=False)
    # Each order's latest closure report (its closure_submitted event with the highest seq).
    op.create_index(
        "ix_work_order_event_closure",
        "work_order_event",
        ["work_order_id", "seq"],
        unique=False,
        sqlite_where=sa.text(CLOSURES),
        postgresql_where=sa.text(CLOSURES),
    )


def downgrade() -> None:
    op.drop_index("ix_work_order_event_closure", table_name="work_order_event")
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
