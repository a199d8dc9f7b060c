"""The database schema (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
)

QUALITY_FLAGS = ("reported", "estimated", "imputed")

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", String(32), primary_key=True),
    Column("name_en", String(200), nullable=False),
    Column("name_ar", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

regions = Table(
    "regions",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("name_en", String(100), nullable=False),
    Column("name_ar", String(100), nullable=False),
    Column("aliases", Text, nullable=False, default=""),  # "|"-separated
)

indicators = Table(
    "indicators",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("name_en", String(200), nullable=False),
    Column("name_ar", String(200), nullable=False),
    Column("unit_en", String(64), nullable=False),
    Column("pillar", String(32), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("aggregation", String(32), nullable=False),
    Column("is_derived", Boolean, nullable=False),
    Column("index_weight", Float, nullable=False),
)

load_batches = Table(
    "load_batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("description", String(500), nullable=False, default=""),
    Column("row_count", Integer, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    # issue 10: what an uploaded file's batch records (NULL for the seed and older batches)
    Column("file_name", String(255)),
    Column("file_sha256", String(64)),
    Column("uploaded_by", String(64)),
    Column("rows_new", Integer),
    Column("rows_changed", Integer),
    Column("rows_unchanged", Integer),
    Column("rolled_back", Boolean, nullable=False, server_default=false()),
    Column("rolled_back_at", DateTime(timezone=True)),
)

# issue 10: the rows an import replaced, as they were, so a rollback restores them exactly
batch_previous_values = Table(
    "batch_previous_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(64), ForeignKey("load_batches.batch_id"), nullable=False),
    Column("tenant_id", String(32), nullable=False),
    Column("indicator_id", String(64), nullable=False),
    Column("region_code", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("quality_flag", String(16), nullable=False),
    Column("note", Text),
    Column("source_system", String(64), nullable=False),
    Column("previous_batch_id", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Index("idx_previous_values_batch", "batch_id"),
)

# issue 10: a file uploaded on /data, kept between its preview and the steward's confirmation
staged_uploads = Table(
    "staged_uploads",
    metadata,
    Column("upload_id", String(32), primary_key=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("username", String(64)),
    Column("file_name", String(255), nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("description", String(500), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# issue 10: the ingestion API's tokens, one tenant each, stored as SHA-256 digests only
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_by", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# A token per tenant that changes with every change of the tenant's data (a load, a rollback,
# new targets or weights): cached results carry it in their keys, so none outlives the data.
data_versions = Table(
    "data_versions",
    metadata,
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), primary_key=True),
    Column("version", String(32), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

sustainability_indicators = Table(
    "sustainability_indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("indicator_id", String(64), ForeignKey("indicators.indicator_id"), nullable=False),
    Column("region_code", String(8), ForeignKey("regions.region_code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("quality_flag", String(16), nullable=False, default="reported"),
    Column("source_system", String(64), nullable=False),
    Column("batch_id", String(64), ForeignKey("load_batches.batch_id"), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),  # issue 10: the optional note of an uploaded row
    UniqueConstraint(
        "tenant_id", "indicator_id", "region_code", "year", "quarter", name="uq_observation"
    ),
    CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_quarter"),
    CheckConstraint("year BETWEEN 1900 AND 2100", name="ck_year"),
    CheckConstraint(
        "quality_flag IN ('reported', 'estimated', 'imputed')", name="ck_quality_flag"
    ),
    Index("idx_tenant_year", "tenant_id", "year"),
    Index("idx_tenant_indicator_period", "tenant_id", "indicator_id", "year", "quarter"),
)

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("session_version", Integer, nullable=False, default=1),  # raised to end every session
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
    # set with a one-time password (an account made or reset on the Accounts page): the next
    # sign-in leads to the change-password page before anything else
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
    CheckConstraint("role IN ('executive', 'analyst', 'steward', 'ops')", name="ck_user_role"),
)

# Each tenant's targets and index weights, one row a version (issue 14): the latest version
# of a kind is the tenant's current setting; a tenant without one uses the catalog's defaults.
SETTING_KINDS = ("targets", "weights")
setting_versions = Table(
    "setting_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(32), ForeignKey("tenants.tenant_id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("settings", Text, nullable=False),  # JSON: {indicator: weight} or {indicator: {value, year}}
    Column("reason", Text, nullable=False),
    Column("changed_by", String(64)),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("restored_from", Integer),  # the version this one restored, if any
    UniqueConstraint("tenant_id", "kind", "version", name="uq_setting_version"),
    CheckConstraint("kind IN ('targets', 'weights')", name="ck_setting_kind"),
    CheckConstraint("version >= 1", name="ck_setting_version"),
)

# Browser sessions kept on the server (security/sessions.py): the cookie holds only the id.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_id", String(255), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("idx_web_sessions_expiry", "expires_at"),
)

# What a user chose for themselves, kept across sessions: the interface language.
user_preferences = Table(
    "user_preferences",
    metadata,
    Column("user_id", Integer, ForeignKey("users.user_id"), primary_key=True),
    Column("language", String(8), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("tenant_id", String(32)),
    Column("username", String(64)),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("client_address", String(64)),
    Index("idx_audit_tenant_time", "tenant_id", "occurred_at"),
)

# The audit log is append-only in the database itself, not only in the app's code.
for dialect, statements in {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ],
}.items():
    for statement in statements:
        event.listen(audit_log, "after_create", DDL(statement).execute_if(dialect=dialect))
