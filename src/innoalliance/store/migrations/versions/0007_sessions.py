"""sessions: sign-in sessions of the web platform kept on the server, so they can be revoked

Until now a session lived only in its signed cookie: logout forgot it in one browser while a
copy kept working for 8 hours, and enabling a disabled user brought its sessions back. Each
session is now a row (the SHA-256 hash of a random id, its expiry, a revoked flag) that logout,
disabling the user and a new password revoke (issue 16 item 14). Cookies made before this
revision carry no session id: their users sign in once more.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_sessions_session_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user"), "web_sessions", ["user"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sessions_user"), table_name="web_sessions")
    op.drop_table("web_sessions")
