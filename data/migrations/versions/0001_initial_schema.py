"""Initial schema: the tables as create_all made them before migrations existed.

Tenants, regions, indicators, load batches, data versions, observations, users and the
append-only audit log (its triggers on SQLite and PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Databases made before migrations existed were created by `metadata.create_all` with this
same schema and have no alembic_version table. Every table, index and trigger is therefore
created only where it is missing: such a database is adopted as it is, a new one is built
whole, and both end at this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
                   "DROP FUNCTION IF EXISTS audit_log_append_only()"],
}


def upgrade() -> None:
    def table(name, *elements):
        op.create_table(name, *elements, if_not_exists=True)

    def index(name, table_name, columns):
        op.create_index(name, table_name, columns, if_not_exists=True)

    table(
        "tenants",
        sa.Column("tenant_id", sa.String(32), primary_key=True),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_ar", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    table(
        "regions",
        sa.Column("region_code", sa.String(8), primary_key=True),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("name_ar", sa.String(100), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
    )
    table(
        "indicators",
        sa.Column("indicator_id", sa.String(64), primary_key=True),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_ar", sa.String(200), nullable=False),
        sa.Column("unit_en", sa.String(64), nullable=False),
        sa.Column("pillar", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("aggregation", sa.String(32), nullable=False),
        sa.Column("is_derived", sa.Boolean(), nullable=False),
        sa.Column("index_weight", sa.Float(), nullable=False),
    )
    table(
        "load_batches",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.tenant_id"), nullable=False),
        sa.Column("source_system", sa.String(64), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    table(
        "data_versions",
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.tenant_id"), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    table(
        "sustainability_indicators",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.tenant_id"), nullable=False),
        sa.Column("indicator_id", sa.String(64), sa.ForeignKey("indicators.indicator_id"), nullable=False),
        sa.Column("region_code", sa.String(8), sa.ForeignKey("regions.region_code"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("quality_flag", sa.String(16), nullable=False),
        sa.Column("source_system", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), sa.ForeignKey("load_batches.batch_id"), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "indicator_id", "region_code", "year", "quarter", name="uq_observation"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_quarter"),
        sa.CheckConstraint("year BETWEEN 1900 AND 2100", name="ck_year"),
        sa.CheckConstraint("quality_flag IN ('reported', 'estimated', 'imputed')", name="ck_quality_flag"),
    )
    index("idx_tenant_year", "sustainability_indicators", ["tenant_id", "year"])
    index("idx_tenant_indicator_period", "sustainability_indicators", ["tenant_id", "indicator_id", "year", "quarter"])
    table(
        "users",
        sa.Column("user_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.tenant_id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("role IN ('executive', 'analyst', 'steward', 'ops')", name="ck_user_role"),
    )
    table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(32)),
        sa.Column("username", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("client_address", sa.String(64)),
    )
    index("idx_audit_tenant_time", "audit_log", ["tenant_id", "occurred_at"])
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    for name in ("audit_log", "users", "sustainability_indicators", "data_versions", "load_batches",
                 "indicators", "regions", "tenants"):
        op.drop_table(name)
