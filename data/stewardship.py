"""Each tenant's targets and index weights, versioned (issue 14).

Every change is a new version per tenant and kind ("targets" or "weights"), with who, when,
why and an effective date (the date of the decision it records; a version applies from the
moment it is saved). The latest version of a kind is the tenant's current setting; a tenant
without one uses the catalog's defaults (shown as version 0). Restoring an old version saves
its values again as a new version.

`tenant_catalog(tenant)` is the catalog with the tenant's current targets and weights: the
formulas in data/aggregate.py take it, so every figure, page and download of the tenant uses
them. Saving a version bumps the tenant's data version in the same transaction, so every
worker's cached results for that tenant (and no other tenant's) are recomputed.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, insert, select

from data import schema
from data.cache import code_version
from data.catalog import Catalog, Target, catalog
from data.runtime import runtime
from data.tenancy import Tenant
from data.versions import bump_data_version, data_version

TARGETS, WEIGHTS = "targets", "weights"
KINDS = schema.SETTING_KINDS
MAX_WEIGHT = 0.5
MAX_REASON = 2000
DEFAULT_VERSION = 0  # the catalog's defaults
versions_table = schema.setting_versions


class SettingError(ValueError):
    """A version that breaks the rules; `problems` are (text key, parameters) pairs, so the
    page can say each one in the user's language."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__("; ".join(key for key, _ in problems))
        self.problems = problems


@dataclass(frozen=True)
class SettingVersion:
    kind: str
    version: int  # 0: the catalog's defaults
    values: dict
    reason: str = ""
    changed_by: str | None = None
    changed_at: datetime | None = None
    effective_date: date | None = None
    restored_from: int | None = None


# --- the catalog's defaults and the tenant's versions ------------------------------------

def defaults(kind: str) -> dict:
    """The catalog's weights ({component: weight}) or targets ({indicator: {value, year}},
    year None for a level to hold every year)."""
    if kind == WEIGHTS:
        return dict(catalog().index_weights)
    return {i.id: {"value": i.target.value, "year": i.target.year} for i in catalog().indicators
            if i.target is not None}


def target_indicators() -> list[str]:
    """Indicators that may carry a target: those with a direction."""
    return [i.id for i in catalog().indicators if i.direction != "none"]


def history(engine: Engine, tenant_id: str, kind: str) -> list[SettingVersion]:
    """Every version of the tenant's setting, newest first, ending with the catalog's defaults."""
    query = select(versions_table).where(versions_table.c.tenant_id == tenant_id, versions_table.c.kind == kind) \
        .order_by(versions_table.c.version.desc())
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_version_of(row) for row in rows] + [SettingVersion(kind, DEFAULT_VERSION, defaults(kind))]


def _version_of(row) -> SettingVersion:
    return SettingVersion(row["kind"], row["version"], json.loads(row["settings"]), row["reason"], row["changed_by"],
                          row["changed_at"], row["effective_date"], row["restored_from"])


def current_versions(tenant: Tenant) -> dict[str, SettingVersion]:
    """The tenant's current version of each kind."""
    return _versions_at(code_version(), runtime.settings.database_url, tenant.id, data_version(tenant))


def tenant_catalog(tenant: Tenant) -> Catalog:
    """The catalog with the tenant's current targets and weights."""
    return _catalog_at(code_version(), runtime.settings.database_url, tenant.id, data_version(tenant))


# Kept per process by the code version (which names the catalog file) and the tenant's data
# version, which every saved version changes: a worker reads a tenant's settings once per
# change, and never serves them after another worker's change.
@functools.lru_cache(maxsize=256)
def _versions_at(_code: str, _database_url: str, tenant_id: str, _data_version: str) -> dict[str, SettingVersion]:
    return {kind: history(runtime.engine, tenant_id, kind)[0] for kind in KINDS}


@functools.lru_cache(maxsize=256)
def _catalog_at(code: str, database_url: str, tenant_id: str, version: str) -> Catalog:
    current = _versions_at(code, database_url, tenant_id, version)
    return with_settings(catalog(), weights=current[WEIGHTS].values, targets=current[TARGETS].values)


def with_settings(base: Catalog, weights: dict | None = None, targets: dict | None = None) -> Catalog:
    """`base` with these weights (components not named weigh 0) and targets (indicators not
    named have none); None keeps base's."""
    indicators = []
    for indicator in base.indicators:
        if weights is not None:
            indicator = replace(indicator, index_weight=float(weights.get(indicator.id, 0.0)))
        if targets is not None:
            indicator = replace(indicator, target=_target(targets.get(indicator.id)))
        indicators.append(indicator)
    return Catalog(indicators=tuple(indicators), pillars=base.pillars)


def _target(entry: dict | None) -> Target | None:
    if not entry:
        return None
    year = entry.get("year")
    return Target(float(entry["value"]), int(year), False) if year else Target(float(entry["value"]), None, True)


# --- validation -----------------------------------------------------------------------------

def check_weights(weights: dict) -> list[tuple[str, dict]]:
    """Problems with a set of weights: every catalog component, each 0 to 0.5, summing to 1."""
    expected = set(catalog().index_weights)
    if set(weights) != expected:
        return [("weights_components", {})]
    problems = [("weight_range", {"component": cid, "low": 0, "high": MAX_WEIGHT})
                for cid, weight in weights.items()
                if not isinstance(weight, (int, float)) or not math.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT]
    if problems:
        return problems
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        return [("weights_sum", {"total": round(total, 4)})]
    return []


def check_targets(targets: dict, current: dict[str, float | None], today: date) -> list[tuple[str, dict]]:
    """Problems with a set of targets ({indicator: {value, year}}): a known directional
    indicator, within its range, a year in the future (None: a level to hold every year),
    and, for a target by a year, no worse than the latest national annual mean (`current`)."""
    problems = []
    allowed = set(target_indicators())
    for indicator_id, entry in targets.items():
        if indicator_id not in allowed:
            problems.append(("target_unknown", {"indicator": indicator_id}))
            continue
        problems += _check_target(catalog()[indicator_id], entry, current.get(indicator_id), today)
    return problems


def _check_target(indicator, entry: dict, current: float | None, today: date) -> list[tuple[str, dict]]:
    value, year = entry.get("value"), entry.get("year")
    low, high = indicator.range
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        return [("target_range", {"indicator": indicator.id, "low": low, "high": high})]
    if year is not None and (not isinstance(year, int) or not today.year < year <= 2100):
        return [("target_year", {"indicator": indicator.id, "year": today.year})]
    sign = 1 if indicator.direction == "higher" else -1
    if year is not None and current is not None and sign * (value - current) < 0:
        return [("target_direction_" + indicator.direction, {"indicator": indicator.id, "current": current})]
    return []


def _check_common(reason: str, effective: date, today: date) -> list[tuple[str, dict]]:
    problems = []
    if not isinstance(reason, str) or not reason.strip():
        problems.append(("reason_required", {}))
    elif len(reason) > MAX_REASON:
        problems.append(("reason_too_long", {"limit": MAX_REASON}))
    if not isinstance(effective, date) or effective > today:
        problems.append(("effective_date_future", {}))
    return problems


# --- saving ----------------------------------------------------------------------------------

def save(engine: Engine, tenant_id: str, kind: str, values: dict, reason: str, changed_by: str | None,
         effective: date, current: dict[str, float | None] | None = None, restored_from: int | None = None) -> int:
    """Check and store a new version; returns its number. Raises SettingError (nothing stored)."""
    today = datetime.now(UTC).date()
    problems = _check_common(reason, effective, today)
    problems += check_weights(values) if kind == WEIGHTS else check_targets(values, current or {}, today)
    if problems:
        raise SettingError(problems)
    with engine.begin() as conn:
        latest = conn.scalar(select(func.max(versions_table.c.version)).where(
            versions_table.c.tenant_id == tenant_id, versions_table.c.kind == kind)) or 0
        conn.execute(insert(versions_table).values(
            tenant_id=tenant_id, kind=kind, version=latest + 1, settings=json.dumps(values, sort_keys=True),
            reason=reason.strip(), changed_by=changed_by, changed_at=datetime.now(UTC), effective_date=effective,
            restored_from=restored_from))
        bump_data_version(conn, tenant_id)
    return latest + 1


def restore(engine: Engine, tenant_id: str, kind: str, version: int, reason: str, changed_by: str | None) -> int:
    """Save an old version's values (0: the catalog's defaults) again as a new version.
    Targets restored are not checked against today's data again: they were valid when set;
    a year now past is still refused."""
    found = next((v for v in history(engine, tenant_id, kind) if v.version == version), None)
    if found is None:
        raise SettingError([("version_unknown", {"version": version})])
    return save(engine, tenant_id, kind, found.values, reason, changed_by, datetime.now(UTC).date(),
                restored_from=version)
