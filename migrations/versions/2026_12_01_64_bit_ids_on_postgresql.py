"""64-bit ids on PostgreSQL: every surrogate id and every foreign key to one becomes BIGINT.

The API bounds ids at 2^63-1; an INTEGER column refused larger values with a server error.
SQLite's INTEGER is already 64-bit (and a primary key must stay INTEGER to be the rowid), so
this revision changes nothing there. The id sequences are widened with their columns.

Revision ID: 20261201_02
Revises: 20261201_01
Create Date: 2026-12-01 23:07:15
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261201_02"
down_revision: str | Sequence[str] | None = "20261201_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> its id columns (own id first when it has one)
ID_COLUMNS = {
    "app_user": ["id", "department_id"],
    "clock": ["id", "work_order_id"],
    "coordination": ["id", "work_order_id"],
    "department": ["id"],
    "extension": ["id", "work_order_id", "requested_by", "decided_by"],
    "grid": ["id", "parent_id", "area_team_id"],
    "grid_member": ["grid_id", "user_id"],
    "login_failure": ["id"],
    "notification": ["id", "user_id", "work_order_id"],
    "photo": ["id", "report_id", "work_order_id", "uploaded_by"],
    "recording": ["id", "report_id", "work_order_id", "uploaded_by"],
    "refresh_token": ["id", "user_id"],
    "report": ["id", "reporter_id", "grid_id", "work_order_id"],
    "return_request": [
        "id",
        "work_order_id",
        "department_id",
        "requested_by",
        "suggested_department_id",
        "decided_by",
    ],
    "supervision": ["id", "work_order_id", "issued_by", "replied_by"],
    "work_order": ["id", "grid_id", "lead_department_id", "dispatched_by", "duplicate_of_id"],
    "work_order_assist": ["work_order_id", "department_id"],
    "work_order_event": ["id", "work_order_id", "actor_id"],
}


def _change(type_: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in ID_COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE {type_}" for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
        if columns[0] == "id":
            op.execute(f"ALTER SEQUENCE {table}_id_seq AS {type_}")


def upgrade() -> None:
    _change("BIGINT")


def downgrade() -> None:
    _change("INTEGER")
