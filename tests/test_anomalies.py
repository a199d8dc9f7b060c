"""Values that stand out: known spikes and level shifts injected into a copy of the seed are
found, and the seed's own seasonality and trend are not flagged."""

import numpy as np
import pandas as pd
import pytest

from data import aggregate, anomalies
from data.catalog import catalog
from data.seed import SEED_TENANTS, generate_observations

SPIKES, SHIFTS = 12, 8


def panel_of(observations: pd.DataFrame) -> pd.DataFrame:
    wide = aggregate.complete(aggregate.to_wide(observations, catalog()), catalog())
    wide.insert(3, "ordinal", wide["year"] * 4 + wide["quarter"] - 1)
    return wide


@pytest.fixture(scope="module")
def seed():
    return generate_observations(SEED_TENANTS[0])


def noise(series: np.ndarray) -> float:
    """How far the series strays from a straight trend plus quarterly means (least squares),
    independent of the method under test: the noise, and the economic cycle in GDP growth."""
    t = np.arange(len(series))
    design = np.column_stack([t, *(t % 4 == q for q in range(4))]).astype(float)
    fitted = design @ np.linalg.lstsq(design, series, rcond=None)[0]
    return float(np.std(series - fitted))


def inject(seed: pd.DataFrame, rng) -> tuple[pd.DataFrame, set]:
    """20 spikes and level shifts of 10 x noise at distinct series; returns the copy and where
    they start."""
    copy = seed.copy()
    series_keys = copy[["indicator_id", "region_code"]].drop_duplicates().to_numpy()
    chosen = rng.choice(len(series_keys), SPIKES + SHIFTS, replace=False)
    injected = set()
    for n, pick in enumerate(chosen):
        indicator_id, code = series_keys[pick]
        rows = copy[(copy["indicator_id"] == indicator_id) & (copy["region_code"] == code)].sort_values(
            ["year", "quarter"])
        at = int(rng.integers(8, len(rows) - 8))
        size = 10 * noise(rows["value"].to_numpy()) * rng.choice([-1, 1])
        index = rows.index[at:at + 1] if n < SPIKES else rows.index[at:]
        copy.loc[index, "value"] += size
        row = rows.iloc[at]
        injected.add((indicator_id, code, int(row["year"]) * 4 + int(row["quarter"]) - 1))
    return copy, injected


def test_the_seed_itself_has_nothing_that_stands_out(seed):
    assert anomalies.panel_anomalies(panel_of(seed), catalog()).empty


@pytest.mark.parametrize("random_seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_injected_spikes_and_level_shifts_are_flagged_and_little_else(seed, random_seed):
    copy, injected = inject(seed, np.random.default_rng(random_seed))
    found = anomalies.panel_anomalies(panel_of(copy), catalog())
    flags = {(r.indicator_id, r.region_code, r.year * 4 + r.quarter - 1) for r in found.itertuples()}
    hit = {key for key in injected if key in flags}
    elsewhere = flags - injected
    assert len(hit) >= 0.9 * len(injected), sorted(injected - hit)
    assert len(elsewhere) <= 0.1 * len(flags), sorted(elsewhere)
