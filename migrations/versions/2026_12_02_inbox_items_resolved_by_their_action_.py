"""Inbox items that ask for an action name it (a step's code) and are resolved when the step is
taken; the tab bar's unread count. Partial indexes keep the badge's COUNT, the "to do" page and
a step's bulk resolve on the open items only.

Existing rows are news (action NULL), except the dispatcher queue's "待派单" items: they ask
for the dispatch, and those whose order has left the queue are resolved. When it left is not
recorded, so resolved_at takes the item's own time.

Revision ID: 20261202_05
Revises: 20261202_04
Create Date: 2026-12-02 04:23:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db

revision: str = "20261202_05"
down_revision: str | Sequence[str] | None = "20261202_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = "read_at IS NULL AND resolved_at IS NULL"
OPEN_ACTION = "action IS NOT NULL AND resolved_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("resolved_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE notification SET action = 'dispatch' WHERE kind = 'dispatch_needed'")
    op.execute(
        "UPDATE notification SET resolved_at = created_at WHERE kind = 'dispatch_needed' "
        "AND work_order_id IN (SELECT id FROM work_order WHERE status <> 'reported')"
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_unread",
            ["user_id", "id"],
            unique=False,
            sqlite_where=sa.text(UNREAD),
            postgresql_where=sa.text(UNREAD),
        )
        batch_op.create_index(
            "ix_notification_actionable",
            ["user_id", "id"],
            unique=False,
            sqlite_where=sa.text(OPEN_ACTION),
            postgresql_where=sa.text(OPEN_ACTION),
        )
        batch_op.create_index(
            "ix_notification_open_action",
            ["work_order_id", "action"],
            unique=False,
            sqlite_where=sa.text(OPEN_ACTION),
            postgresql_where=sa.text(OPEN_ACTION),
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_open_action")
        batch_op.drop_index("ix_notification_actionable")
        batch_op.drop_index("ix_notification_unread")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("action")
