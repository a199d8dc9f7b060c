"""Checking an uploaded table before anything is written, with pandera.

A file comes in long form (`indicator_id, region, year, quarter, value`, optional
`quality_flag` and `note`) or wide form (`region, year, quarter`, then one column per
indicator id). Both become the same long rows; one pandera schema checks them. Errors block
the import; warnings (a value far from the region's history, an ignored column) do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from data.catalog import catalog
from data.intake.reading import FileRefused
from data.periods import Period
from data.regions import NATIONAL_CODE, resolve_region
from data.schema import QUALITY_FLAGS

LONG = ("indicator_id", "region", "year", "quarter", "value")
WIDE_KEYS = ("region", "year", "quarter")
OPTIONAL = ("quality_flag", "note")
TENANT_COLUMNS = ("tenant", "tenant_id", "organisation", "organization")
KEY = ["indicator_id", "region_code", "year", "quarter"]
FIRST_YEAR = 1900  # the database's own lower bound (ck_year)
RANGE_MARGIN = 0.5  # a value may lie this share of the reference range beyond either end
FAR_FROM_HISTORY = 6.0  # robust z-score (scaled MAD) beyond which a value gets a warning
NOTE_LENGTH = 500
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    row: int | None  # the row in the file (the header is row 1); None for the whole file
    column: str | None
    value: str
    code: str  # names the reason: text key intake_<code>
    severity: str = ERROR
    params: dict = field(default_factory=dict)


@dataclass
class Checked:
    form: str  # "long" or "wide"
    rows: pd.DataFrame  # the rows without errors: KEY, value, quality_flag, note
    problems: list[Problem]
    values_read: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def check_table(table: pd.DataFrame, tenant_id: str, history: pd.DataFrame | None = None,
                today: datetime | None = None) -> Checked:
    """Every problem of the table, and its rows ready to import when there is no error.
    `history` has the tenant's stored values per indicator and region (median, mad)."""
    table = table.rename(columns=str.lower)
    _check_tenant(table, tenant_id)
    form = _form(table)
    long = _long(table) if form == "long" else _melt(table)
    typed = _typed(long)
    problems = _failures(typed, long, today or datetime.now(UTC))
    problems += [Problem(None, c, "", "ignored_column", WARNING) for c in _ignored(table, form)]
    bad_rows = {p.row for p in problems}
    good = typed[~long["row"].isin(bad_rows)]
    problems += _far_from_history(good, long, history)
    problems.sort(key=lambda p: (p.row or 0, p.severity, p.column or ""))
    return Checked(form, good[[*KEY, "value", "quality_flag", "note"]].reset_index(drop=True), problems, len(long))


def _check_tenant(table: pd.DataFrame, tenant_id: str) -> None:
    for column in TENANT_COLUMNS:
        if column in table:
            named = {v.strip().lower() for v in table[column] if v.strip()} - {tenant_id}
            if named:
                raise FileRefused("file_other_tenant", value=sorted(named)[0], column=column)


def _form(table: pd.DataFrame) -> str:
    if "indicator_id" in table or "value" in table:
        missing = [c for c in LONG if c not in table]
        if missing:
            raise FileRefused("file_missing_columns", columns=", ".join(missing))
        return "long"
    missing = [c for c in WIDE_KEYS if c not in table]
    if missing:
        raise FileRefused("file_missing_columns", columns=", ".join(missing))
    if not _indicator_columns(table):
        raise FileRefused("file_no_indicator_columns")
    return "wide"


def _indicator_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in (*WIDE_KEYS, *OPTIONAL, *TENANT_COLUMNS)]


def _ignored(table: pd.DataFrame, form: str) -> list[str]:
    """Columns of a long file that are not the template's (in a wide file, every other
    column is an indicator)."""
    if form != "long":
        return []
    return [c for c in table.columns if c not in (*LONG, *OPTIONAL, *TENANT_COLUMNS)]


def _long(table: pd.DataFrame) -> pd.DataFrame:
    long = table.reindex(columns=[*LONG, *OPTIONAL], fill_value="").reset_index()
    return long.assign(value_column="value")


def _melt(table: pd.DataFrame) -> pd.DataFrame:
    """Wide rows as long rows: one a non-empty indicator cell, named by its column."""
    keys = table.reindex(columns=[*WIDE_KEYS, *OPTIONAL], fill_value="").reset_index()
    melted = keys.merge(table[_indicator_columns(table)].reset_index().melt(
        id_vars="row", var_name="indicator_id", value_name="value"), on="row")
    melted = melted[melted["value"] != ""]
    return melted.assign(value_column=melted["indicator_id"]).sort_values("row", kind="stable").reset_index(drop=True)


def _typed(long: pd.DataFrame) -> pd.DataFrame:
    codes = {text: resolve_region(text) for text in long["region"].unique()}
    flags = long["quality_flag"].str.lower().replace("", "reported")
    return pd.DataFrame({
        "indicator_id": long["indicator_id"].str.strip(),
        "region_code": long["region"].map(codes),
        "year": _integers(long["year"]),
        "quarter": _integers(long["quarter"]),
        "value": pd.to_numeric(long["value"].str.replace(",", "", regex=False), errors="coerce"),
        "quality_flag": flags,
        "note": long["note"].where(long["note"] != "", None),
    }, index=long.index)


def _integers(texts: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(texts, errors="coerce")
    return numbers.where(numbers == np.floor(numbers)).astype(float)


# --- the pandera schema ----------------------------------------------------------------

# check name -> (the column it blames, the reason's code)
FRAME_CHECKS = {"quarter_not_ended": "quarter", "implausible": "value", "negative_rate": "value",
                "share_over_100": "value"}
NULL_CODES = {"region_code": "unknown_region", "year": "not_a_year", "quarter": "not_a_quarter",
              "value": "not_a_number"}
SOURCE_COLUMNS = {"indicator_id": "indicator_id", "region_code": "region", "year": "year", "quarter": "quarter",
                  "quality_flag": "quality_flag", "note": "note"}


def _schema(today: datetime) -> pa.DataFrameSchema:
    book = catalog()
    derived = [i.id for i in book.indicators if i.is_derived]
    current = Period(today.year, (today.month - 1) // 3 + 1)
    return pa.DataFrameSchema({
        "indicator_id": pa.Column(None, checks=[
            pa.Check(lambda s: ~s.isin(derived), name="derived_indicator"),
            pa.Check(lambda s: s.isin(book.ids), name="unknown_indicator")]),
        "region_code": pa.Column(None, nullable=False, checks=pa.Check(lambda s: s != NATIONAL_CODE,
                                                                      name="national_region")),
        "year": pa.Column(float, nullable=False, checks=pa.Check(lambda s: s.between(FIRST_YEAR, today.year),
                                                                 name="year_range")),
        "quarter": pa.Column(float, nullable=False, checks=pa.Check(lambda s: s.between(1, 4), name="quarter_range")),
        "value": pa.Column(float, nullable=False, checks=pa.Check(np.isfinite, name="not_a_number")),
        "quality_flag": pa.Column(None, checks=pa.Check(lambda s: s.isin(QUALITY_FLAGS), name="quality_flag")),
        "note": pa.Column(None, nullable=True, checks=pa.Check(lambda s: s.str.len() <= NOTE_LENGTH,
                                                               name="note_too_long")),
    }, checks=[
        pa.Check(lambda f: (f["year"] * 4 + f["quarter"] - 1).fillna(0) < current.ordinal, name="quarter_not_ended"),
        pa.Check(_within, name="implausible"),
        pa.Check(lambda f: ~(f["indicator_id"].str.endswith("_rate") & (f["value"] < 0)), name="negative_rate"),
        pa.Check(lambda f: ~(f["indicator_id"].str.endswith("_share") & (f["value"] > 100)), name="share_over_100"),
    ], unique=KEY, report_duplicates="all")


def _bounds() -> tuple[dict, dict]:
    low, high = {}, {}
    for indicator in catalog().indicators:
        a, b = indicator.range
        low[indicator.id], high[indicator.id] = a - RANGE_MARGIN * (b - a), b + RANGE_MARGIN * (b - a)
    return low, high


def _within(frame: pd.DataFrame) -> pd.Series:
    """Whether each value lies within its indicator's reference range widened by the margin."""
    low, high = _bounds()
    lows, highs = frame["indicator_id"].map(low), frame["indicator_id"].map(high)
    return ~((frame["value"] < lows) | (frame["value"] > highs))


def _failures(typed: pd.DataFrame, long: pd.DataFrame, today: datetime) -> list[Problem]:
    try:
        _schema(today).validate(typed, lazy=True)
    except SchemaErrors as errors:
        return _problems(errors.failure_cases, long)
    return []


def _problems(cases: pd.DataFrame, long: pd.DataFrame) -> list[Problem]:
    found, seen = [], set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        code, column = _reason(check, case.column)
        if case.index is None or pd.isna(case.index):
            continue
        index = int(case.index)
        if (index, code) in seen:
            continue
        seen.add((index, code))
        source = long.iloc[index]
        shown = source["value_column"] if column == "value" else SOURCE_COLUMNS.get(column, column)
        value = source["value"] if column == "value" else source.get(shown, "")
        found.append(Problem(int(source["row"]), shown, str(value), code, params=_params(code, source)))
    return found


def _reason(check: str, column) -> tuple[str, str]:
    if check == "not_nullable":
        return NULL_CODES[column], column
    if check == "multiple_fields_uniqueness":
        return "duplicate_key", "indicator_id"
    if check in FRAME_CHECKS:
        return check, FRAME_CHECKS[check]
    return check.split("(")[0], column


def _params(code: str, source: pd.Series) -> dict:
    if code != "implausible":
        return {}
    low, high = _bounds()
    indicator = source["indicator_id"]
    return {"low": f"{low.get(indicator, 0):g}", "high": f"{high.get(indicator, 0):g}"}


def _far_from_history(good: pd.DataFrame, long: pd.DataFrame, history: pd.DataFrame | None) -> list[Problem]:
    """Warnings for values beyond FAR_FROM_HISTORY scaled MADs of their region's history."""
    if history is None or history.empty or good.empty:
        return []
    joined = good.reset_index().merge(history, on=["indicator_id", "region_code"], how="inner")
    spread = 1.4826 * joined["mad"]
    far = joined[(spread > 0) & ((joined["value"] - joined["median"]).abs() > FAR_FROM_HISTORY * spread)]
    source = long.loc[far["index"], ["row", "value_column", "value"]]
    return [Problem(int(row), column, value, "far_from_history", WARNING, {"median": f"{median:g}"})
            for row, column, value, median in zip(source["row"], source["value_column"], source["value"],
                                                   far["median"], strict=True)]
