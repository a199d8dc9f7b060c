"""server-side sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:40:02.163262

Written by `scripts/db_migrate.py revision`: read it through before committing (autogenerate
misses renames, CHECK constraints and triggers; see docs/DATA.md, "Schema migrations").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("web_sessions",
    sa.Column("session_id", sa.String(length=255), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("session_id")
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index("idx_web_sessions_expiry", ["expires_at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index("idx_web_sessions_expiry")

    op.drop_table("web_sessions")
