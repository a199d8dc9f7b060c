"""data intake: batch details, previous values for rollback, staged uploads, API tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:52:56.473344

Written by `scripts/db_migrate.py revision`: read it through before committing (autogenerate
misses renames, CHECK constraints and triggers; see docs/DATA.md, "Schema migrations").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("api_tokens",
    sa.Column("token_id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("tenant_id", sa.String(length=32), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("prefix", sa.String(length=16), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["tenant_id"], ["tenants.tenant_id"], ),
    sa.PrimaryKeyConstraint("token_id"),
    sa.UniqueConstraint("token_hash")
    )
    op.create_table("staged_uploads",
    sa.Column("upload_id", sa.String(length=32), nullable=False),
    sa.Column("tenant_id", sa.String(length=32), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=True),
    sa.Column("file_name", sa.String(length=255), nullable=False),
    sa.Column("source_system", sa.String(length=64), nullable=False),
    sa.Column("description", sa.String(length=500), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["tenant_id"], ["tenants.tenant_id"], ),
    sa.PrimaryKeyConstraint("upload_id")
    )
    op.create_table("batch_previous_values",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("batch_id", sa.String(length=64), nullable=False),
    sa.Column("tenant_id", sa.String(length=32), nullable=False),
    sa.Column("indicator_id", sa.String(length=64), nullable=False),
    sa.Column("region_code", sa.String(length=8), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("quarter", sa.Integer(), nullable=False),
    sa.Column("value", sa.Float(), nullable=False),
    sa.Column("quality_flag", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("source_system", sa.String(length=64), nullable=False),
    sa.Column("previous_batch_id", sa.String(length=64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["batch_id"], ["load_batches.batch_id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("batch_previous_values", schema=None) as batch_op:
        batch_op.create_index("idx_previous_values_batch", ["batch_id"], unique=False)

    with op.batch_alter_table("load_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("uploaded_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("rows_new", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rows_changed", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rows_unchanged", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rolled_back", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("sustainability_indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("sustainability_indicators", schema=None) as batch_op:
        batch_op.drop_column("note")

    with op.batch_alter_table("load_batches", schema=None) as batch_op:
        batch_op.drop_column("rolled_back_at")
        batch_op.drop_column("rolled_back")
        batch_op.drop_column("rows_unchanged")
        batch_op.drop_column("rows_changed")
        batch_op.drop_column("rows_new")
        batch_op.drop_column("uploaded_by")
        batch_op.drop_column("file_sha256")
        batch_op.drop_column("file_name")

    with op.batch_alter_table("batch_previous_values", schema=None) as batch_op:
        batch_op.drop_index("idx_previous_values_batch")

    op.drop_table("batch_previous_values")
    op.drop_table("staged_uploads")
    op.drop_table("api_tokens")
