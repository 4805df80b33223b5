"""Hardening: login failures by address, revoked logins, the instance's generated secrets.

Logins already ended before this revision (refresh tokens with revoked_at) are recorded as
revoked families, so their access tokens stay refused.

Revision ID: 20261201_01
Revises: 20261123_04
Create Date: 2026-12-01 21:47:51.202704
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db

revision: str = "20261201_01"
down_revision: str | Sequence[str] | None = "20261123_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance_secret",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secret")),
    )
    op.create_table(
        "revoked_family",
        sa.Column("family_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("revoked_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("family_id", name=op.f("pk_revoked_family")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "client_address",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                server_default="",
                nullable=False,
            )
        )
        batch_op.create_index(
            "ix_login_failure_username_address_at",
            ["username", "client_address", "at"],
            unique=False,
        )
    op.execute(
        "INSERT INTO revoked_family (family_id, revoked_at) "
        "SELECT family_id, MIN(revoked_at) FROM refresh_token "
        "WHERE revoked_at IS NOT NULL GROUP BY family_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_username_address_at")
        batch_op.drop_column("client_address")

    op.drop_table("revoked_family")
    op.drop_table("instance_secret")
