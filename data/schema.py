"""The database schema (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
