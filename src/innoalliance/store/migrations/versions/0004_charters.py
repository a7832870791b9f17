"""charters: every adopted version of an alliance's charter, as a JSON document

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alliance", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("adopted", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance"],
            ["alliances.name_zh"],
            name=op.f("fk_charters_alliance_alliances"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charters")),
        sa.UniqueConstraint("alliance", "version", name=op.f("uq_charters_alliance_version")),
    )


def downgrade() -> None:
    op.drop_table("charters")
