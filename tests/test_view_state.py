"""The view in the URL: defaults, round trips and fallbacks with notices for bad input."""

import pytest

from data.periods import Period
from services.view import View, options_for, parse_view

LATEST = Period(2025, 4)


@pytest.fixture
def options(data_layer, mep):
    return options_for(mep)


def test_options_come_from_the_data(options):
    assert options.periods[0] == Period(2015, 1) and options.periods[-1] == LATEST
    assert len(options.regions) == 13 and "SA" not in options.regions
    assert len(options.indicators) == 24
    assert options.indicators_in("labour") == ["unemployment_rate", "green_jobs", "skills_gap_index"]


def test_defaults_are_latest_quarter_and_five_years(options):
    view, notices = parse_view("", options, LATEST)
    assert view == View(LATEST, Period(2021, 1), LATEST, (), "economic", "gdp_growth")
    assert notices == []


def test_a_full_view_round_trips(options):
    search = "?period=2024Q2&from=2019Q1&to=2024Q4&regions=SA-01,SA-04&pillar=environmental&indicator=renewable_share"
    view, notices = parse_view(search, options, LATEST)
    assert notices == []
    assert view == View(Period(2024, 2), Period(2019, 1), Period(2024, 4), ("SA-01", "SA-04"),
                        "environmental", "renewable_share")
    assert view.query_string() == search


def test_aliases_and_the_nation_are_understood(options):
    view, notices = parse_view("regions=Eastern,national,Riyadh", options, LATEST)
    assert view.regions == ("SA", "SA-01", "SA-04") and notices == []


def test_indicator_decides_the_pillar(options):
    view, _ = parse_view("pillar=economic&indicator=unemployment_rate", options, LATEST)
    assert (view.pillar, view.indicator) == ("labour", "unemployment_rate")
    view, _ = parse_view("pillar=social", options, LATEST)
    assert (view.pillar, view.indicator) == ("social", "social_progress_score")


@pytest.mark.parametrize(("search", "notice"), [
    ("period=2025Q5", "“2025Q5” is not a quarter like 2025Q4; showing 2025Q4."),
    ("period=1999Q1", "There is no data for 1999Q1; showing 2025Q4."),
    ("regions=InvalidRegion", "Unknown region “InvalidRegion” was left out."),
    ("indicator=gdp_totally", "Unknown indicator “gdp_totally”; showing GDP growth."),
    ("pillar=space", "Unknown pillar “space”; showing Economic."),
    ("colour=red", "Ignored the unknown parameter “colour”."),
    ("indicator=<script>alert(1)</script>", "Unknown indicator “<script>alert(1)</script>”; showing GDP growth."),
    ("from=2025Q4&to=2024Q1", "The range 2025Q4 to 2024Q1 runs backwards; showing 2024Q1 to 2025Q4."),
])
def test_bad_parameters_fall_back_with_a_notice(options, search, notice):
    view, notices = parse_view(search, options, LATEST)
    assert notices == [notice]
    default, _ = parse_view("", options, LATEST)
    if "from" not in search:
        assert view == default


def test_long_bad_values_are_shortened(options):
    _, notices = parse_view("indicator=" + "x" * 500, options, LATEST)
    assert len(notices[0]) < 120


def test_a_flood_of_unknown_regions_is_capped_and_told_once(options):
    names = ",".join(f"Atlantis {n}" for n in range(200_000))  # 2.5 MB, as a hostile link
    view, notices = parse_view(f"regions=SA-01,{names}", options, LATEST)
    assert view.regions == ("SA-01",)
    assert notices == ["The link is too long: only its first 4,096 characters were read.",
                       "Only the first 30 regions of the link were read.",
                       "Unknown regions “Atlantis 0”, “Atlantis 1”, “Atlantis 2” and 26 more were left out."]


def test_repeated_bad_values_give_one_notice(options):
    _, notices = parse_view("regions=Atlantis,Atlantis,Atlantis&colour=red&size=9", options, LATEST)
    assert notices == ["Ignored the unknown parameters “colour”, “size”.",
                       "Unknown region “Atlantis” was left out."]
