import pytest

from data.periods import Period, parse_period
from data.regions import NATIONAL_CODE, REGION_CODES, region_name, resolve_region


def test_thirteen_iso_regions():
    assert REGION_CODES == ("SA-01", "SA-02", "SA-03", "SA-04", "SA-05", "SA-06", "SA-07",
                            "SA-08", "SA-09", "SA-10", "SA-11", "SA-12", "SA-14")
    assert region_name("SA-04") == "Eastern Province"
    assert region_name("SA-04", "ar") == "المنطقة الشرقية"


@pytest.mark.parametrize("text", ["Eastern", "Eastern Province", "الشرقية", "eastern  province",
                                  "SA-04", "sa-04", "Ash Sharqiyah"])
def test_aliases_resolve_to_one_code(text):
    assert resolve_region(text) == "SA-04"


@pytest.mark.parametrize("text", ["InvalidRegion", "", "  ", None, "SA-13"])
def test_unknown_regions_do_not_resolve(text):
    assert resolve_region(text) is None


def test_national_is_its_own_code():
    assert resolve_region("National") == NATIONAL_CODE
    assert NATIONAL_CODE not in REGION_CODES


def test_periods_parse_and_shift():
    assert parse_period("2025Q4") == Period(2025, 4)
    assert parse_period(" 2025-q1 ") == Period(2025, 1)
    assert str(Period(2025, 1).previous) == "2024Q4"
    assert Period(2025, 3).year_ago == Period(2024, 3)
    assert Period.from_ordinal(Period(2019, 2).ordinal) == Period(2019, 2)


@pytest.mark.parametrize("text", ["2025Q5", "2025Q0", "Q4 2025", "20254", "<script>", "1800Q1", ""])
def test_malformed_periods_are_rejected(text):
    with pytest.raises(ValueError):
        parse_period(text)
