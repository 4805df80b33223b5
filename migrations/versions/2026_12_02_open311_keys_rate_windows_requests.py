"""Open311 GeoReport v2: API keys (hashed), their per-minute windows in the database, the
requests Open311 filed (token, fingerprint of a resend, what the order does not keep), photos
without an uploading user (a request's media_url), and events by kind and time (status
updates).

Revision ID: 20261202_07o
Revises: 20261202_06
Create Date: 2026-12-02 07:28:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db

revision: str = "20261202_07o"
down_revision: str | Sequence[str] | None = "20261202_06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "open311_key",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_key_key_hash")),
    )
    op.create_table(
        "open311_rate_window",
        sa.Column("key_id", BIG_ID, nullable=False),
        sa.Column("window_start", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["open311_key.id"], name=op.f("fk_open311_rate_window_key_id_open311_key")
        ),
        sa.PrimaryKeyConstraint("key_id", "window_start", name=op.f("pk_open311_rate_window")),
    )
    op.create_table(
        "open311_request",
        sa.Column("work_order_id", BIG_ID, nullable=False),
        sa.Column("key_id", BIG_ID, nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("media_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["open311_key.id"], name=op.f("fk_open311_request_key_id_open311_key")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_open311_request_work_order_id_work_order"),
        ),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_open311_request")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_open311_request_fingerprint")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_request_token")),
    )
    with op.batch_alter_table("open311_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_request_key_id"), ["key_id"], unique=False)
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.alter_column("uploaded_by", existing_type=BIG_ID, nullable=True)
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_event_kind_at", ["kind", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_event_kind_at")
    # Photos no user uploaded came through Open311, which goes away with this revision.
    op.execute("DELETE FROM photo WHERE uploaded_by IS NULL")
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.alter_column("uploaded_by", existing_type=BIG_ID, nullable=False)
    with op.batch_alter_table("open311_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_request_key_id"))
    op.drop_table("open311_request")
    op.drop_table("open311_rate_window")
    op.drop_table("open311_key")
