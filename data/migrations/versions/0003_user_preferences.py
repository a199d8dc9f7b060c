"""user preferences

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:00:55.004992

Written by `scripts/db_migrate.py revision`: read it through before committing (autogenerate
misses renames, CHECK constraints and triggers; see docs/DATA.md, "Schema migrations").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("user_preferences",
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("language", sa.String(length=8), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], ),
    sa.PrimaryKeyConstraint("user_id")
    )


def downgrade() -> None:
    op.drop_table("user_preferences")
