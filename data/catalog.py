"""The indicator catalog: loaded from ``indicators.toml`` and validated on load."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("indicators.toml")

DIRECTIONS = ("higher", "lower", "none")
AGGREGATIONS = ("sum", "gdp_weighted", "population_weighted", "mean", "derived", "index")
INDEX_ID = "sustainability_index"
INDEX_MIN_WEIGHT = 0.70  # below this share of weight present the index is "insufficient data"
WEIGHT_TOLERANCE = 1e-9


class CatalogError(ValueError):
    """The catalog file breaks one of its rules."""


@dataclass(frozen=True)
class Target:
    value: float
    year: int | None = None  # reach `value` by this year
    every_year: bool = False  # hold `value` as a floor (or ceiling) every year


@dataclass(frozen=True)
class Indicator:
    id: str
    name_en: str
    name_ar: str
    description_en: str
    description_ar: str
    unit_en: str
    unit_ar: str
    pillar: str
    direction: str
    aggregation: str
    range: tuple[float, float]
    decimals: int
    green: float | None = None
    amber: float | None = None
    target: Target | None = None
    index_weight: float = 0.0

    @property
    def is_derived(self) -> bool:
        return self.aggregation in ("derived", "index")

    @property
    def has_thresholds(self) -> bool:
        return self.green is not None

    def name(self, lang: str = "en") -> str:
        return self.name_ar if lang == "ar" else self.name_en

    def description(self, lang: str = "en") -> str:
        return self.description_ar if lang == "ar" else self.description_en

    def unit(self, lang: str = "en") -> str:
        return self.unit_ar if lang == "ar" else self.unit_en


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    pillars: dict[str, dict[str, str]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.indicators})

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @property
    def base_ids(self) -> list[str]:
        """Indicators stored as observations; the rest are computed by the hub."""
        return [i.id for i in self.indicators if not i.is_derived]

    @property
    def index_weights(self) -> dict[str, float]:
        return {i.id: i.index_weight for i in self.indicators if i.index_weight > 0}

    def in_pillar(self, pillar: str) -> list[Indicator]:
        return [i for i in self.indicators if i.pillar == pillar]

    def pillar_name(self, pillar: str, lang: str = "en") -> str:
        return self.pillars[pillar][lang]


def parse_catalog(raw: dict) -> Catalog:
    """Build a catalog from the parsed TOML and check every rule; raise CatalogError."""
    pillars = raw.get("pillars") or {}
    indicators = tuple(_parse_indicator(entry, pillars) for entry in raw.get("indicator", []))
    if not indicators:
        raise CatalogError("the catalog defines no indicators")
    ids = [i.id for i in indicators]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"duplicate indicator ids: {', '.join(duplicates)}")
    total = sum(i.index_weight for i in indicators)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise CatalogError(f"index weights sum to {total:.6f}, not 1")
    for required in (INDEX_ID, "gdp_total", "population", "co2_total"):
        if required not in ids:
            raise CatalogError(f"the catalog lacks the indicator {required!r}")
    return Catalog(indicators=indicators, pillars=pillars)


def _parse_indicator(entry: dict, pillars: dict) -> Indicator:
    ident = entry.get("id", "?")

    def fail(message: str) -> CatalogError:
        return CatalogError(f"indicator {ident!r}: {message}")

    try:
        target = entry.get("target")
        indicator = Indicator(
            id=entry["id"],
            name_en=entry["name_en"],
            name_ar=entry["name_ar"],
            description_en=entry["description_en"],
            description_ar=entry["description_ar"],
            unit_en=entry["unit_en"],
            unit_ar=entry["unit_ar"],
            pillar=entry["pillar"],
            direction=entry["direction"],
            aggregation=entry["aggregation"],
            range=tuple(float(v) for v in entry["range"]),
            decimals=int(entry.get("decimals", 1)),
            green=_optional_float(entry.get("green")),
            amber=_optional_float(entry.get("amber")),
            target=Target(**target) if target else None,
            index_weight=float(entry.get("index_weight", 0.0)),
        )
    except KeyError as missing:
        raise fail(f"missing field {missing.args[0]}") from None
    except TypeError as error:
        raise fail(f"malformed field ({error})") from None

    if indicator.pillar not in pillars:
        raise fail(f"unknown pillar {indicator.pillar!r}")
    if indicator.direction not in DIRECTIONS:
        raise fail(f"direction must be one of {', '.join(DIRECTIONS)}")
    if indicator.aggregation not in AGGREGATIONS:
        raise fail(f"aggregation must be one of {', '.join(AGGREGATIONS)}")
    _check_range(indicator, fail)
    _check_thresholds(indicator, fail)
    _check_target(indicator, fail)
    if indicator.index_weight < 0:
        raise fail("index_weight must not be negative")
    if indicator.index_weight > 0 and (indicator.direction == "none" or indicator.is_derived):
        raise fail("an index component needs a direction and must be a stored indicator")
    return indicator


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def _check_range(indicator: Indicator, fail) -> None:
    if len(indicator.range) != 2 or not all(math.isfinite(v) for v in indicator.range):
        raise fail("range must be two finite numbers [low, high]")
    low, high = indicator.range
    if low >= high:
        raise fail(f"range low {low} must be below high {high}")


def _check_thresholds(indicator: Indicator, fail) -> None:
    green, amber = indicator.green, indicator.amber
    if (green is None) != (amber is None):
        raise fail("give both green and amber thresholds, or neither")
    if green is None:
        return
    if indicator.direction == "none":
        raise fail("an indicator without a direction cannot have thresholds")
    if indicator.direction == "higher" and not green > amber:
        raise fail(f"higher is better, so green ({green}) must be above amber ({amber})")
    if indicator.direction == "lower" and not green < amber:
        raise fail(f"lower is better, so green ({green}) must be below amber ({amber})")
    low, high = indicator.range
    if not (low <= green <= high and low <= amber <= high):
        raise fail(f"thresholds must lie within the range [{low}, {high}]")


def _check_target(indicator: Indicator, fail) -> None:
    target = indicator.target
    if target is None:
        return
    if indicator.direction == "none":
        raise fail("an indicator without a direction cannot have a target")
    if (target.year is None) == (not target.every_year):
        raise fail("a target needs either a year or every_year = true")
    if target.year is not None and not 2000 <= target.year <= 2100:
        raise fail(f"target year {target.year} is not plausible")
    low, high = indicator.range
    if not low <= target.value <= high:
        raise fail(f"target {target.value} lies outside the range [{low}, {high}]")


def load_catalog(path: Path | None = None) -> Catalog:
    with open(path or CATALOG_FILE, "rb") as handle:
        return parse_catalog(tomllib.load(handle))


@cache
def catalog() -> Catalog:
    """The project's catalog, loaded once per process."""
    return load_catalog()
