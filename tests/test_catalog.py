import copy
import tomllib

import pytest

from data.catalog import CATALOG_FILE, CatalogError, catalog, parse_catalog

RAW = tomllib.loads(CATALOG_FILE.read_text())


def test_catalog_has_24_indicators_in_6_pillars():
    cat = catalog()
    assert len(cat.indicators) == 24
    assert set(cat.pillars) == {"economic", "labour", "social", "environmental", "data_quality", "composite"}
    assert {i.pillar for i in cat.indicators} == set(cat.pillars)
    assert len(cat.base_ids) == 21  # three are derived: co2_per_gdp, co2_per_capita, the index


def test_index_weights_are_the_products():
    assert catalog().index_weights == {
        "export_diversity_index": 0.10, "economic_complexity": 0.05, "unemployment_rate": 0.10,
        "co2_index": 0.15, "renewable_share": 0.15, "energy_intensity": 0.10,
        "water_efficiency": 0.10, "waste_recycling_rate": 0.10, "forest_coverage": 0.05,
        "air_quality_index": 0.10,
    }


def test_targets_match_the_product_brief():
    cat = catalog()
    assert (cat["unemployment_rate"].target.value, cat["unemployment_rate"].target.year) == (7, 2030)
    assert (cat["renewable_share"].target.value, cat["renewable_share"].target.year) == (50, 2030)
    assert (cat["co2_index"].target.value, cat["co2_index"].target.year) == (80, 2030)
    assert (cat["waste_recycling_rate"].target.value, cat["waste_recycling_rate"].target.year) == (40, 2030)
    assert cat["gdp_growth"].target.every_year and cat["gdp_growth"].target.value == 3


def broken(indicator_id: str, **changes) -> dict:
    raw = copy.deepcopy(RAW)
    entry = next(e for e in raw["indicator"] if e["id"] == indicator_id)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return raw


@pytest.mark.parametrize(("raw", "message"), [
    (broken("co2_index", index_weight=0.20), "index weights sum to 1.050000, not 1"),
    (broken("gdp_growth", green=1.0, amber=3.0), "green (1.0) must be above amber (3.0)"),
    (broken("unemployment_rate", green=10.0, amber=5.0), "green (10.0) must be below amber (5.0)"),
    (broken("gdp_growth", amber=None), "give both green and amber thresholds"),
    (broken("renewable_share", green=80.0, amber=15.0), "thresholds must lie within the range"),
    (broken("renewable_share", range=[60.0, 0.0]), "range low 60.0 must be below high 0.0"),
    (broken("renewable_share", range=[0.0]), "range must be two finite numbers"),
    (broken("renewable_share", target={"value": 120.0, "year": 2030}), "target 120.0 lies outside"),
    (broken("renewable_share", target={"value": 50.0}), "needs either a year or every_year"),
    (broken("renewable_share", target={"value": 50.0, "year": 1800}), "target year 1800"),
    (broken("population", green=1.0, amber=0.5), "without a direction cannot have thresholds"),
    (broken("co2_index", pillar="space"), "unknown pillar 'space'"),
    (broken("co2_index", direction="up"), "direction must be one of"),
    (broken("co2_index", aggregation="median"), "aggregation must be one of"),
    (broken("co2_index", unit_en=None), "missing field unit_en"),
])
def test_each_rule_is_enforced(raw, message):
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw)
    assert message in str(error.value)


def test_duplicate_ids_are_rejected():
    raw = copy.deepcopy(RAW)
    raw["indicator"].append(copy.deepcopy(raw["indicator"][0]))
    with pytest.raises(CatalogError, match="duplicate indicator ids: gdp_growth"):
        parse_catalog(raw)


def test_a_derived_indicator_cannot_be_an_index_component():
    raw = broken("co2_per_gdp", index_weight=0.05)
    raw = broken_in(raw, "forest_coverage", index_weight=0.0)
    with pytest.raises(CatalogError, match="must be a stored indicator"):
        parse_catalog(raw)


def broken_in(raw: dict, indicator_id: str, **changes) -> dict:
    entry = next(e for e in raw["indicator"] if e["id"] == indicator_id)
    entry.update(changes)
    return raw
