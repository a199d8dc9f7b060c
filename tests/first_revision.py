"""A database as a deployment at the first schema revision holds it: the seed data, a later
load batch, users of both tenants and audit rows, written with the tables and columns of
revision 0001 only (frozen here), so that the data stays writable there whatever later
revisions add to data/schema.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, column, select, table, text

from data import migrations
from data.catalog import catalog
from data.regions import REGIONS
from data.seed import seed_batch_id, seed_frames

FIRST = "0001"
PASSWORD = "first revision password"
USERS = {"mep-analyst": ("mep", "analyst"), "rda-analyst": ("rda", "analyst"), "mep-ops": ("mep", "ops")}
LOADED_AT = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
LATER_BATCH = "upload-mep-2026Q1"

# The columns of revision 0001, as its file creates them.
TABLES = {
    "tenants": ["tenant_id", "name_en", "name_ar", "created_at"],
    "regions": ["region_code", "name_en", "name_ar", "aliases"],
    "indicators": ["indicator_id", "name_en", "name_ar", "unit_en", "pillar", "direction", "aggregation",
                   "is_derived", "index_weight"],
    "load_batches": ["batch_id", "tenant_id", "source_system", "description", "row_count", "loaded_at"],
    "data_versions": ["tenant_id", "version", "changed_at"],
    "sustainability_indicators": ["id", "tenant_id", "indicator_id", "region_code", "year", "quarter", "value",
                                  "quality_flag", "source_system", "batch_id", "loaded_at"],
    "users": ["user_id", "username", "tenant_id", "role", "password_hash", "is_active", "failed_attempts",
              "locked_until", "session_version", "created_at", "last_login_at"],
    "audit_log": ["id", "occurred_at", "tenant_id", "username", "action", "detail", "client_address"],
}


# A later revision, as a teammate would write one: it rebuilds tenants (a table others refer
# to) and users on SQLite (batch mode), and alters them in place on PostgreSQL.
REBUILDING_REVISION = '''"""A test revision: rebuilds tenants and users."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = {head!r}


def upgrade():
    with op.batch_alter_table("tenants") as batch:
        batch.alter_column("name_en", type_=sa.String(300), existing_nullable=False)
        batch.add_column(sa.Column("region_count", sa.Integer(), nullable=False, server_default="13"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("region_count")
        batch.alter_column("name_en", type_=sa.String(200), existing_nullable=False)
'''


def with_rebuilding_revision(folder: Path):
    """The migrations' configuration with REBUILDING_REVISION after the newest, kept in `folder`."""
    folder.mkdir(exist_ok=True)
    (folder / "9001_test_rebuild.py").write_text(REBUILDING_REVISION.format(head=migrations.head()))
    return migrations.config(folder)


def t(name: str):
    return table(name, *(column(c) for c in TABLES[name]))


def build(engine: Engine) -> None:
    """Create the database at revision 0001 and fill it."""
    migrations.upgrade(engine, FIRST)
    with engine.begin() as conn:
        fill(conn)


def fill(conn: Connection) -> None:
    conn.execute(t("regions").insert(), [{"region_code": r.code, "name_en": r.name_en, "name_ar": r.name_ar,
                                          "aliases": "|".join(r.aliases)} for r in REGIONS])
    conn.execute(t("indicators").insert(), [
        {"indicator_id": i.id, "name_en": i.name_en, "name_ar": i.name_ar, "unit_en": i.unit_en, "pillar": i.pillar,
         "direction": i.direction, "aggregation": i.aggregation, "is_derived": i.is_derived,
         "index_weight": i.index_weight} for i in catalog().indicators])
    for tenant, frame in seed_frames().items():
        conn.execute(t("tenants").insert().values(tenant_id=tenant.tenant_id, name_en=tenant.name_en,
                                                   name_ar=tenant.name_ar, created_at=LOADED_AT))
        later = frame[frame["year"] == 2025] if tenant.tenant_id == "mep" else frame.iloc[:0]
        earlier = frame.drop(later.index)
        _batch(conn, tenant.tenant_id, seed_batch_id(tenant), earlier, "Synthetic seed data")
        if len(later):
            _batch(conn, tenant.tenant_id, LATER_BATCH, later.assign(batch_id=LATER_BATCH),
                   "A later quarterly file")
        conn.execute(t("data_versions").insert().values(tenant_id=tenant.tenant_id, version=f"v-{tenant.tenant_id}",
                                                         changed_at=LOADED_AT))
    hasher = PasswordHasher()
    conn.execute(t("users").insert(), [
        {"username": name, "tenant_id": tenant, "role": role, "password_hash": hasher.hash(PASSWORD),
         "is_active": True, "failed_attempts": 0, "session_version": 1, "created_at": LOADED_AT}
        for name, (tenant, role) in USERS.items()])
    conn.execute(t("audit_log").insert(), [
        {"occurred_at": LOADED_AT, "tenant_id": tenant, "username": name, "action": "user_created",
         "detail": json.dumps({"role": role}), "client_address": None} for name, (tenant, role) in USERS.items()])


def _batch(conn: Connection, tenant_id: str, batch_id: str, rows, description: str) -> None:
    conn.execute(t("load_batches").insert().values(
        batch_id=batch_id, tenant_id=tenant_id, source_system=str(rows["source_system"].iloc[0]),
        description=description, row_count=len(rows), loaded_at=LOADED_AT))
    records = [{"tenant_id": r.tenant_id, "indicator_id": r.indicator_id, "region_code": r.region_code,
                "year": int(r.year), "quarter": int(r.quarter), "value": float(r.value),
                "quality_flag": r.quality_flag, "source_system": r.source_system, "batch_id": batch_id,
                "loaded_at": LOADED_AT} for r in rows.itertuples()]
    conn.execute(t("sustainability_indicators").insert(), records)


def contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every revision-0001 table, in key order, in the columns 0001 made."""
    with engine.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(select(t(name)).order_by(text("1")))]
                for name in TABLES}

