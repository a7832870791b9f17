"""no_truncate: refuse TRUNCATE on the append-only tables (PostgreSQL)

The row triggers of 0001-0003 refuse UPDATE and DELETE, but ``TRUNCATE`` fires no row trigger:
it emptied the audit log and the allocation record at once. A statement trigger refuses it too.
SQLite has no TRUNCATE (its ``DELETE`` without ``WHERE`` fires the row triggers), so nothing to do.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: the append-only tables and the trigger function 0001-0003 gave each
APPEND_ONLY = ("audit_log", "allocations", "alliance_transitions")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
