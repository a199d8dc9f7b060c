"""Targets and index weights versioned per tenant (issue 14): the data layer, every figure
and download following the tenant's current version, validation, restore."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app import create_app
from data import aggregate, database, queries, stewardship
from data.catalog import INDEX_ID, catalog
from data.engine import get_engine
from data.periods import Period
from data.runtime import runtime
from data.stewardship import TARGETS, WEIGHTS, SettingError, tenant_catalog
from data.tenancy import Tenant
from data.versions import data_version
from layouts.format import format_number
from tests.conftest import make_settings, scratch_postgres_url, sql_scalar

MEP, RDA = Tenant("mep"), Tenant("rda")
PERIOD = Period(2025, 4)
TODAY = datetime.now(UTC).date()


def shifted_weights() -> dict[str, float]:
    """The catalog's weights with 0.05 moved from the first component to the second."""
    weights = dict(catalog().index_weights)
    first, second = list(weights)[:2]
    weights[first] = round(weights[first] - 0.05, 10)
    weights[second] = round(weights[second] + 0.05, 10)
    return weights


@pytest.fixture(params=["sqlite", "postgresql"])
def writable(request, tmp_path):
    """A seeded database of this test's own (the shared ones are read-only) and the data layer on it."""
    url = f"sqlite:///{tmp_path / 'hub.db'}" if request.param == "sqlite" else scratch_postgres_url("stewardship")
    database.seed(get_engine(url))
    runtime.init(make_settings(tmp_path, DATABASE_URL=url, CACHE_TYPE="disk", CACHE_DIR=str(tmp_path / "cache")))
    return url


def national_index(tenant: Tenant) -> float:
    return float(queries.indicator_snapshot(tenant, PERIOD).set_index("indicator_id").loc[INDEX_ID, "value"])


def test_a_tenant_without_versions_uses_the_catalog(writable):
    assert tenant_catalog(MEP).index_weights == catalog().index_weights
    assert [i.target for i in tenant_catalog(MEP).indicators] == [i.target for i in catalog().indicators]
    assert [v.version for v in stewardship.history(runtime.engine, "mep", WEIGHTS)] == [0]


def test_a_weights_change_moves_the_index_by_exactly_the_recomputed_amount_and_restore_undoes_it(writable):
    before, other_before = national_index(MEP), national_index(RDA)
    row = queries.selection_series(MEP, ()).loc[PERIOD.ordinal]
    weights = shifted_weights()
    expected = aggregate.index_breakdown(row, stewardship.with_settings(catalog(), weights=weights)).value
    assert expected != pytest.approx(before)

    version = stewardship.save(runtime.engine, "mep", WEIGHTS, weights, "programme review", "stew1", TODAY)
    assert version == 1
    assert national_index(MEP) == pytest.approx(expected, abs=1e-9)
    assert queries.index_breakdown(MEP, PERIOD).value == pytest.approx(expected, abs=1e-9)
    assert national_index(RDA) == other_before  # the other tenant keeps the catalog's weights

    stewardship.restore(runtime.engine, "mep", WEIGHTS, 0, "back to the catalog", "stew1")
    assert national_index(MEP) == pytest.approx(before, abs=1e-12)
    versions = stewardship.history(runtime.engine, "mep", WEIGHTS)
    assert [(v.version, v.restored_from) for v in versions] == [(2, 0), (1, None), (0, None)]


@pytest.mark.parametrize(("change", "problem"), [
    ({"first": 0.1}, "weights_sum"),
    ({"first": 0.55, "second": -0.05}, "weight_range"),
])
def test_weights_that_break_the_rules_are_refused_and_nothing_changes(writable, change, problem):
    weights = dict(catalog().index_weights)
    names = list(weights)
    for key, amount in change.items():
        component = names[0] if key == "first" else names[1]
        weights[component] = (0.55 if amount == 0.55 else weights[component] + amount)
    version, index = data_version(MEP), national_index(MEP)
    with pytest.raises(SettingError) as refused:
        stewardship.save(runtime.engine, "mep", WEIGHTS, weights, "why not", "stew1", TODAY)
    assert problem in [key for key, _ in refused.value.problems]
    assert sql_scalar(writable, "SELECT count(*) FROM setting_versions") == 0
    assert data_version(MEP) == version and national_index(MEP) == index


def test_an_empty_reason_or_a_future_effective_date_is_refused(writable):
    for reason, effective, problem in (("  ", TODAY, "reason_required"),
                                       ("ok", TODAY + timedelta(days=1), "effective_date_future")):
        with pytest.raises(SettingError) as refused:
            stewardship.save(runtime.engine, "mep", WEIGHTS, shifted_weights(), reason, "stew1", effective)
        assert [key for key, _ in refused.value.problems] == [problem]
    assert sql_scalar(writable, "SELECT count(*) FROM setting_versions") == 0


def current_targets() -> dict:
    return {i: dict(v) for i, v in stewardship.defaults(TARGETS).items()}


def test_a_target_in_the_wrong_direction_out_of_range_or_past_is_refused(writable):
    current = {"unemployment_rate": 8.0, "renewable_share": 30.0}
    cases = [("unemployment_rate", {"value": 9.0, "year": 2030}, "target_direction_lower"),
             ("renewable_share", {"value": 20.0, "year": 2030}, "target_direction_higher"),
             ("renewable_share", {"value": 150.0, "year": 2030}, "target_range"),
             ("renewable_share", {"value": 60.0, "year": TODAY.year}, "target_year")]
    for indicator, entry, problem in cases:
        targets = {**current_targets(), indicator: entry}
        with pytest.raises(SettingError) as refused:
            stewardship.save(runtime.engine, "mep", TARGETS, targets, "review", "stew1", TODAY, current)
        assert [key for key, _ in refused.value.problems] == [problem]
    assert sql_scalar(writable, "SELECT count(*) FROM setting_versions") == 0


def test_a_target_change_moves_the_target_the_verdict_and_the_progress(writable):
    before = queries.indicator_snapshot(MEP, PERIOD).set_index("indicator_id").loc["renewable_share"]
    targets = {**current_targets(), "renewable_share": {"value": float(before["value"]) + 0.5, "year": 2030}}
    stewardship.save(runtime.engine, "mep", TARGETS, targets, "easier target", "stew1", TODAY)
    after = queries.indicator_snapshot(MEP, PERIOD).set_index("indicator_id").loc["renewable_share"]
    assert after["target"] == pytest.approx(float(before["value"]) + 0.5)
    assert after["target_status"] != before["target_status"]
    assert tenant_catalog(MEP)["renewable_share"].target.value == pytest.approx(after["target"])
    untouched = queries.indicator_snapshot(RDA, PERIOD).set_index("indicator_id").loc["renewable_share"]
    assert untouched["target"] == 50.0


def test_exports_follow_the_new_targets_and_weights_and_name_the_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    database.seed(get_engine(url))
    app = create_app(make_settings(tmp_path, DATABASE_URL=url, EXPORT_RATE_LIMIT="1000", CACHE_TYPE="disk"))
    client = app.server.test_client()

    def sheet(name):
        book = load_workbook(io.BytesIO(client.get("/export/data.xlsx?period=2025Q4").data))
        return {r[0]: r for r in book[name].iter_rows(values_only=True)}

    assert sheet("Metadata")["index weights"][1] == "the catalog's defaults (version 0)"
    old_index = sheet("Indicators")[INDEX_ID][3]
    weights = shifted_weights()
    targets = {**current_targets(), "renewable_share": {"value": 45.0, "year": 2031}}
    stewardship.save(get_engine(url), "mep", WEIGHTS, weights, "review", "stew1", TODAY)
    stewardship.save(get_engine(url), "mep", TARGETS, targets, "review", "stew1", TODAY)
    with app.server.app_context():
        row = queries.selection_series(MEP, ()).loc[PERIOD.ordinal]
    expected = aggregate.index_breakdown(row, stewardship.with_settings(catalog(), weights=weights)).value
    indicators = sheet("Indicators")
    assert indicators[INDEX_ID][3] == pytest.approx(expected) and expected != pytest.approx(old_index)
    assert indicators["renewable_share"][10:12] == (45.0, 2031)
    assert sheet("Metadata")["index weights"][1] == f"version 1 ({TODAY.isoformat()})"

    pdf = PdfReader(io.BytesIO(client.get("/export/brief.pdf?period=2025Q4").data))
    assert f"version 1 ({TODAY.isoformat()})" in pdf.metadata.subject
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert "45 by 2031" in pdf_text
    assert format_number(expected, catalog()[INDEX_ID].decimals) in pdf_text.split("Sustainability index", 2)[1][:80]
    csv_text = client.get("/export/data.csv?period=2025Q4&indicator=sustainability_index&from=2025Q4").data.decode()
    assert f"# Index weights: version 1 ({TODAY.isoformat()})" in csv_text
    national = [line for line in csv_text.splitlines() if line.startswith("sustainability_index,") and ",SA," in line]
    assert float(national[0].split(",")[5]) == pytest.approx(expected)


def test_the_trend_figure_draws_the_tenants_target_line(writable):
    from services.charts import chart
    from services.view import View

    view = View(PERIOD, Period(2024, 1), PERIOD, (), "environmental", "renewable_share")
    assert 50.0 in [shape.y0 for shape in chart("trend", MEP, view).layout.shapes]
    targets = {**current_targets(), "renewable_share": {"value": 44.0, "year": 2031}}
    stewardship.save(runtime.engine, "mep", TARGETS, targets, "review", "stew1", TODAY)
    lines = [shape.y0 for shape in chart("trend", MEP, view).layout.shapes]
    assert 44.0 in lines and 50.0 not in lines
    assert 50.0 in [shape.y0 for shape in chart("trend", RDA, view).layout.shapes]
