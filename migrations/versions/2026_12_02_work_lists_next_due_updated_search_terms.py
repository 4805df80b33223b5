"""Work lists: each order's next due time and last change as indexed columns, and its search
terms, indexed by FTS5 on SQLite and by a GIN tsvector index on PostgreSQL.

Existing orders are backfilled: ``updated_at`` from ``created_at``, ``next_due_at`` from
their clocks, and their terms by the current tokenizer (backend.workorders.search_terms, a
pure module: the terms are a derived index, so using today's rules is what is wanted).

Revision ID: 20261202_06
Revises: 20261202_05
Create Date: 2026-12-02 04:19:45
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db
from backend.workorders.search_terms import index_terms

revision: str = "20261202_06"
down_revision: str | Sequence[str] | None = "20261202_05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FINISHED = "('archived', 'closed', 'merged', 'rejected', 'stored')"
_BATCH = 2000

# SQLite: an external-content FTS5 table over work_order_search, kept by triggers.
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE work_order_fts USING fts5("
    "terms, content='work_order_search', content_rowid='work_order_id')",
    "CREATE TRIGGER work_order_search_ai AFTER INSERT ON work_order_search BEGIN "
    "INSERT INTO work_order_fts(rowid, terms) VALUES (new.work_order_id, new.terms); END",
    "CREATE TRIGGER work_order_search_ad AFTER DELETE ON work_order_search BEGIN "
    "INSERT INTO work_order_fts(work_order_fts, rowid, terms) "
    "VALUES ('delete', old.work_order_id, old.terms); END",
    "CREATE TRIGGER work_order_search_au AFTER UPDATE ON work_order_search BEGIN "
    "INSERT INTO work_order_fts(work_order_fts, rowid, terms) "
    "VALUES ('delete', old.work_order_id, old.terms); "
    "INSERT INTO work_order_fts(rowid, terms) VALUES (new.work_order_id, new.terms); END",
]
_PG_GIN = (
    "CREATE INDEX ix_work_order_search_terms ON work_order_search "
    "USING gin (array_to_tsvector(string_to_array(terms, ' ')))"
)


def upgrade() -> None:
    op.create_table(
        "work_order_search",
        sa.Column(
            "work_order_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_work_order_search_work_order_id_work_order"),
        ),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_work_order_search")),
    )
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_due_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("updated_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(_PG_GIN)

    op.execute("UPDATE work_order SET updated_at = created_at")
    op.execute(
        "UPDATE work_order SET next_due_at = (SELECT min(clock.due_at) FROM clock "
        "WHERE clock.work_order_id = work_order.id AND clock.met_at IS NULL) "
        f"WHERE status NOT IN {_FINISHED}"
    )
    orders = sa.table(
        "work_order",
        sa.column("id"),
        sa.column("number"),
        sa.column("external_no"),
        sa.column("description"),
        sa.column("address"),
    )
    search = sa.table("work_order_search", sa.column("work_order_id"), sa.column("terms"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(orders).where(orders.c.id > last).order_by(orders.c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            search.insert(),
            [
                {
                    "work_order_id": r.id,
                    "terms": index_terms(r.number, r.external_no, r.description, r.address),
                }
                for r in rows
            ],
        )
        last = rows[-1].id

    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_order_grid_status", ["grid_id", "status", "next_due_at"], unique=False
        )
        batch_op.create_index(
            "ix_work_order_lead_next_due", ["lead_department_id", "next_due_at", "id"], unique=False
        )
        batch_op.create_index("ix_work_order_next_due", ["next_due_at", "id"], unique=False)
        batch_op.create_index("ix_work_order_updated", ["updated_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_updated")
        batch_op.drop_index("ix_work_order_next_due")
        batch_op.drop_index("ix_work_order_lead_next_due")
        batch_op.drop_index("ix_work_order_grid_status")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("next_due_at")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE work_order_fts")  # its triggers go with work_order_search
    op.drop_table("work_order_search")
