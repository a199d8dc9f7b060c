"""stewardship: targets and weights versioned per tenant; one-time passwords

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:52:20.403875

Written by `scripts/db_migrate.py revision`: read it through before committing (autogenerate
misses renames, CHECK constraints and triggers; see docs/DATA.md, "Schema migrations").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("setting_versions",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("tenant_id", sa.String(length=32), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("settings", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("changed_by", sa.String(length=64), nullable=True),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("effective_date", sa.Date(), nullable=False),
    sa.Column("restored_from", sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('targets', 'weights')", name="ck_setting_kind"),
    sa.CheckConstraint("version >= 1", name="ck_setting_version"),
    sa.ForeignKeyConstraint(["tenant_id"], ["tenants.tenant_id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("tenant_id", "kind", "version", name="uq_setting_version")
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")

    op.drop_table("setting_versions")
