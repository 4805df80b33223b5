"""The latest closure report's findings on work_order (事实认定, 诉求认定, 处理结果), set by the
closure step, so a month's department scores count untrue and partly resolved orders from the
order's row instead of searching each order's history. Existing orders are filled from their
latest closure_submitted event; orders without one keep NULL. The partial index that found
each order's latest closure report is then dropped: nothing reads events that way any more.

Revision ID: 20261202_08
Revises: 20261202_07r
Create Date: 2026-12-02 12:24:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_08"
down_revision: str | Sequence[str] | None = "20261202_07r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column on work_order → key of the closure_submitted event's payload.
FINDINGS = {
    "closure_fact_finding": "fact_finding",
    "closure_claim_finding": "claim_finding",
    "closure_result": "result",
}


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for column in FINDINGS:
            batch_op.add_column(sa.Column(column, sa.String(length=30), nullable=True))
    orders = sa.table(
        "work_order", sa.column("id", sa.BigInteger()), *(sa.column(c) for c in FINDINGS)
    )
    events = sa.table(
        "work_order_event",
        sa.column("work_order_id", sa.BigInteger()),
        sa.column("seq", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("payload", sa.JSON()),
    )

    def latest(key: str) -> sa.ScalarSelect[str]:
        # The order's highest-seq closure report (on the partial index dropped below).
        return (
            sa.select(sa.func.substr(events.c.payload[key].as_string(), 1, 30))
            .where(events.c.work_order_id == orders.c.id, events.c.kind == "closure_submitted")
            .order_by(events.c.seq.desc())
            .limit(1)
            .scalar_subquery()
        )

    has_closure = sa.exists().where(
        events.c.work_order_id == orders.c.id, events.c.kind == "closure_submitted"
    )
    op.execute(
        orders.update()
        .where(has_closure)
        .values({column: latest(key) for column, key in FINDINGS.items()})
    )
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_event_closure")


def downgrade() -> None:
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_order_event_closure",
            ["work_order_id", "seq"],
            unique=False,
            sqlite_where=sa.text("kind = 'closure_submitted'"),
            postgresql_where=sa.text("kind = 'closure_submitted'"),
        )
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for column in reversed(FINDINGS):
            batch_op.drop_column(column)
