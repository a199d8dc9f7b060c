"""Deterministic synthetic data: two tenants, 13 regions, 2015 Q1 to 2025 Q4.

Every number is synthetic and labelled so on screen. Each region has a profile (size,
development, industry, renewable potential, green cover); each indicator is a level plus
profile effects, a yearly trend, quarterly seasonality, an economic cycle and noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.catalog import catalog
from data.periods import Period
from data.regions import REGIONS
from data.schema import QUALITY_FLAGS

FIRST_PERIOD = Period(2015, 1)
LAST_PERIOD = Period(2025, 4)
SOURCE_SYSTEM = "synthetic-seed"
QUALITY_WEIGHTS = (0.90, 0.07, 0.03)


@dataclass(frozen=True)
class SeedTenant:
    tenant_id: str
    name_en: str
    name_ar: str
    random_seed: int
    shift: float  # moves the tenant's levels so that its numbers differ visibly


SEED_TENANTS = (
    SeedTenant("mep", "Ministry of Economy and Planning", "وزارة الاقتصاد والتخطيط", 2015, 0.0),
    SeedTenant("rda", "Regional Development Authority", "هيئة تطوير المناطق", 4242, -0.15),
)

# code: population 2015 (million), GDP share, development, industry, renewable potential, green cover
PROFILES = {
    "SA-01": (7.8, 0.290, 0.9, 0.40, 0.6, 0.10),
    "SA-02": (7.6, 0.180, 0.6, 0.40, 0.5, 0.15),
    "SA-03": (2.0, 0.050, 0.3, 0.30, 0.5, 0.10),
    "SA-04": (4.6, 0.310, 0.7, 1.00, 0.3, 0.05),
    "SA-05": (1.4, 0.030, 0.1, 0.20, 0.5, 0.30),
    "SA-06": (0.68, 0.012, -0.3, 0.10, 0.7, 0.10),
    "SA-07": (0.88, 0.020, -0.1, 0.20, 0.9, 0.10),
    "SA-08": (0.36, 0.015, -0.6, 0.50, 0.6, 0.02),
    "SA-09": (1.5, 0.025, -0.5, 0.50, 0.3, 0.60),
    "SA-10": (0.58, 0.010, -0.4, 0.10, 0.4, 0.20),
    "SA-11": (0.47, 0.006, -0.5, 0.05, 0.3, 0.80),
    "SA-12": (0.50, 0.012, -0.4, 0.10, 0.9, 0.05),
    "SA-14": (2.2, 0.040, -0.1, 0.10, 0.4, 0.90),
}

# National real growth by year: a cycle all regions share.
GROWTH_CYCLE = {2015: 3.5, 2016: 1.7, 2017: -0.7, 2018: 2.5, 2019: 0.8, 2020: -4.1,
                2021: 3.9, 2022: 7.5, 2023: -0.8, 2024: 1.3, 2025: 3.5}

# Level indicators: value = base + dev*d + ind*i + ren*r + cover*c + trend*t + ren_trend*r*t
#                           + season[q] + cycle*growth_cycle + noise, clipped to [low, high].
LEVEL_SPECS: dict[str, dict] = {
    "gdp_growth": dict(base=0.0, dev=0.8, cycle=1.0, noise=0.8, low=-15, high=20),
    "export_diversity_index": dict(base=32, dev=15, trend=2.0, noise=2.0, low=0, high=100),
    "economic_complexity": dict(base=-0.3, dev=0.6, trend=0.05, noise=0.08, low=-2, high=2),
    "unemployment_rate": dict(base=15.0, dev=-3.0, trend=-0.5, cycle=-0.25,
                              season=(0.3, 0.0, -0.2, -0.1), noise=0.4, low=1, high=30),
    "skills_gap_index": dict(base=50, dev=-12, trend=-1.2, noise=2.0, low=0, high=100),
    "social_progress_score": dict(base=61, dev=10, trend=0.8, noise=1.5, low=0, high=100),
    "digital_readiness": dict(base=52, dev=15, trend=2.0, noise=2.0, low=0, high=100),
    "innovation_index": dict(base=28, dev=15, trend=1.5, noise=2.0, low=0, high=100),
    "co2_index": dict(base=101, ind=2, trend=-0.6, ren_trend=-1.0,
                      season=(-2, 1, 4, -3), noise=1.5, low=40, high=160),
    "renewable_share": dict(base=0.5, ren_trend=3.6, noise=1.0, low=0, high=100),
    "energy_intensity": dict(base=6.5, ind=4.5, trend=-0.22, season=(0, 0.3, 0.6, -0.2),
                             noise=0.3, low=1, high=30),
    "water_efficiency": dict(base=45, dev=12, trend=1.5, noise=2.0, low=0, high=100),
    "waste_recycling_rate": dict(base=6, dev=6, trend=2.2, noise=1.5, low=0, high=100),
    "forest_coverage": dict(base=1.0, cover=12, trend=0.15, noise=0.2, low=0, high=100),
    "air_quality_index": dict(base=68, ind=45, trend=-1.5, season=(0, 15, 5, -5),
                              noise=5.0, low=5, high=400),
    "data_quality_score": dict(base=70, dev=12, trend=1.0, noise=3.0, low=0, high=100),
}


def _profiles() -> pd.DataFrame:
    return pd.DataFrame(PROFILES, index=["pop", "gdp", "dev", "ind", "ren", "cover"]).T


def seed_periods() -> list[Period]:
    return [Period.from_ordinal(o) for o in range(FIRST_PERIOD.ordinal, LAST_PERIOD.ordinal + 1)]


def generate_observations(tenant: SeedTenant) -> pd.DataFrame:
    """Long-form observations for one tenant: the same tenant always gives the same rows."""
    rng = np.random.default_rng(tenant.random_seed)
    periods = seed_periods()
    codes = [r.code for r in REGIONS]
    grid = pd.MultiIndex.from_product([codes, range(len(periods))], names=["region_code", "p"])
    region_idx = grid.get_level_values(0)
    period_idx = np.asarray(grid.get_level_values(1))
    prof = _profiles().loc[region_idx].reset_index(drop=True)
    dev = prof["dev"].to_numpy() + tenant.shift
    years = np.array([periods[i].year for i in period_idx])
    quarters = np.array([periods[i].quarter for i in period_idx])
    t = (years - FIRST_PERIOD.year) + (quarters - 1) / 4
    cycle = np.array([GROWTH_CYCLE[y] for y in years])

    values: dict[str, np.ndarray] = {}
    for indicator_id, spec in LEVEL_SPECS.items():
        season = np.asarray(spec.get("season", (0, 0, 0, 0)))[quarters - 1]
        level = (
            spec["base"]
            + spec.get("dev", 0) * dev
            + spec.get("ind", 0) * prof["ind"].to_numpy()
            + spec.get("cover", 0) * prof["cover"].to_numpy()
            + spec.get("trend", 0) * t
            + spec.get("ren_trend", 0) * prof["ren"].to_numpy() * t
            + spec.get("cycle", 0) * cycle
            + season
            + rng.normal(0, spec["noise"], len(t))
        )
        values[indicator_id] = np.clip(level, spec["low"], spec["high"])

    values.update(_size_indicators(prof, t, quarters, values["co2_index"], rng))
    return _to_long(values, region_idx, years, quarters, tenant, rng)


def _size_indicators(prof, t, quarters, co2_index, rng) -> dict[str, np.ndarray]:
    """Sums (population, GDP, investment, jobs, emissions) built from the regional profiles."""
    n = len(t)
    profiles = _profiles()
    gdp_share = prof["gdp"].to_numpy() / profiles["gdp"].sum()
    emission_share = (prof["gdp"] * (0.4 + prof["ind"])).to_numpy() / (
        profiles["gdp"] * (0.4 + profiles["ind"])
    ).sum()
    gdp_season = np.array([-0.01, 0.0, 0.015, 0.005])[quarters - 1]
    gdp_total = 600_000 * gdp_share * 1.035**t * (1 + gdp_season) * rng.normal(1, 0.01, n)
    return {
        "population": prof["pop"].to_numpy() * 1.021**t * rng.normal(1, 0.002, n),
        "gdp_total": gdp_total,
        "foreign_investment": gdp_total * 0.02 * (1 + 0.3 * prof["dev"].to_numpy())
        * 1.04**t * rng.lognormal(0, 0.15, n),
        "green_jobs": prof["pop"].to_numpy() * (3 + 3 * prof["ren"].to_numpy())
        * 1.10**t * rng.normal(1, 0.03, n),
        "co2_total": 150 * emission_share * (co2_index / 100) * 1.02**t * rng.normal(1, 0.01, n),
    }


def _to_long(values, region_idx, years, quarters, tenant: SeedTenant, rng) -> pd.DataFrame:
    base_ids = catalog().base_ids
    missing = set(base_ids) - set(values)
    if missing:
        raise RuntimeError(f"the seed has no generator for {sorted(missing)}")
    wide = pd.DataFrame({k: values[k] for k in base_ids})
    wide["region_code"] = np.asarray(region_idx)
    wide["year"] = years
    wide["quarter"] = quarters
    long = wide.melt(id_vars=["region_code", "year", "quarter"], var_name="indicator_id")
    for indicator_id in base_ids:
        decimals = catalog()[indicator_id].decimals + 1
        rows = long["indicator_id"] == indicator_id
        long.loc[rows, "value"] = long.loc[rows, "value"].round(decimals)
    long["quality_flag"] = rng.choice(QUALITY_FLAGS, size=len(long), p=QUALITY_WEIGHTS)
    long["tenant_id"] = tenant.tenant_id
    long["source_system"] = SOURCE_SYSTEM
    long["batch_id"] = seed_batch_id(tenant)
    return long[["tenant_id", "indicator_id", "region_code", "year", "quarter", "value",
                 "quality_flag", "source_system", "batch_id"]]


def seed_batch_id(tenant: SeedTenant) -> str:
    return f"seed-{tenant.tenant_id}-{FIRST_PERIOD}-{LAST_PERIOD}"


def seed_frames() -> dict[SeedTenant, pd.DataFrame]:
    return {tenant: generate_observations(tenant) for tenant in SEED_TENANTS}

