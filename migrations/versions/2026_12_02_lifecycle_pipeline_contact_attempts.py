"""Lifecycle pipeline: first-contact attempts as typed rows, each clock's full rule, and the
indexes the duplicate and 返潮 checks filter on.

Data: attempts and the contacted levels are taken from the first_contact and
first_contact_attempt events already on the timeline; clocks get their order's source and
level.

Revision ID: 20261202_01
Revises: 20261201_02
Create Date: 2026-12-01 23:55:35.378942
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.db

revision: str = "20261202_01"
down_revision: str | Sequence[str] | None = "20261201_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_attempt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "work_order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("contacted_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "recording_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "sms_photo_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_contact_attempt_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_contact_attempt_recording_id_recording"),
        ),
        sa.ForeignKeyConstraint(
            ["sms_photo_id"], ["photo.id"], name=op.f("fk_contact_attempt_sms_photo_id_photo")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_contact_attempt_work_order_id_work_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempt")),
    )
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_attempt_work_order_id"), ["work_order_id"], unique=False
        )

    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "level",
                sqlmodel.sql.sqltypes.AutoString(length=30),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("sweep_failed_at", backend.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "contacted_levels",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                server_default="",
                nullable=False,
            )
        )
        batch_op.create_index(
            "ix_work_order_category_address", ["category_number", "address"], unique=False
        )
        batch_op.create_index(
            "ix_work_order_category_lat", ["category_number", "lat"], unique=False
        )
        batch_op.create_index(
            "ix_work_order_open_category_lat",
            ["category_number", "lat"],
            unique=False,
            sqlite_where=sa.text(
                "status IN ('accepted', 'dispatched', 'in_progress', 'reported', 'submitted')"
            ),
            postgresql_where=sa.text(
                "status IN ('accepted', 'dispatched', 'in_progress', 'reported', 'submitted')"
            ),
        )

    op.execute(
        "UPDATE clock SET "
        "source = (SELECT source FROM work_order WHERE work_order.id = clock.work_order_id), "
        "level = (SELECT level FROM work_order WHERE work_order.id = clock.work_order_id)"
    )
    _attempts_from_events()


def _attempts_from_events() -> None:
    bind = op.get_bind()
    events = bind.execute(
        sa.text(
            "SELECT work_order_id, kind, actor_id, payload FROM work_order_event "
            "WHERE kind IN ('first_contact', 'first_contact_attempt') ORDER BY work_order_id, seq"
        )
    ).all()
    reached: dict[int, list[str]] = {}
    for order_id, kind, actor_id, payload in events:
        data = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        level = str(data.get("level") or "department")
        bind.execute(
            sa.text(
                "INSERT INTO contact_attempt (work_order_id, level, reached, method, "
                "contacted_at, recording_id, sms_photo_id, actor_id, note) VALUES "
                "(:o, :level, :reached, :method, :at, :rec, :sms, :actor, :note)"
            ),
            {
                "o": order_id,
                "level": level,
                "reached": kind == "first_contact",
                "method": str(data.get("method") or "call"),
                "at": datetime.fromisoformat(data["contacted_at"])
                .astimezone(UTC)
                .replace(tzinfo=None if bind.dialect.name == "sqlite" else UTC),
                "rec": data.get("recording_id"),
                "sms": data.get("sms_photo_id"),
                "actor": actor_id,
                "note": data.get("note"),
            },
        )
        if kind == "first_contact" and level not in reached.setdefault(order_id, []):
            reached[order_id].append(level)
    for order_id, levels in reached.items():
        ordered = [lv for lv in ("command_center", "department") if lv in levels]
        bind.execute(
            sa.text("UPDATE work_order SET contacted_levels = :levels WHERE id = :o"),
            {"levels": ",".join(ordered), "o": order_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_work_order_open_category_lat",
            sqlite_where=sa.text(
                "status IN ('accepted', 'dispatched', 'in_progress', 'reported', 'submitted')"
            ),
            postgresql_where=sa.text(
                "status IN ('accepted', 'dispatched', 'in_progress', 'reported', 'submitted')"
            ),
        )
        batch_op.drop_index("ix_work_order_category_lat")
        batch_op.drop_index("ix_work_order_category_address")
        batch_op.drop_column("contacted_levels")

    with op.batch_alter_table("clock", schema=None) as batch_op:
        batch_op.drop_column("sweep_failed_at")
        batch_op.drop_column("level")
        batch_op.drop_column("source")

    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attempt_work_order_id"))

    op.drop_table("contact_attempt")
