"""The dashboard's view as it lives in the URL query string: parsing with fallbacks and
notices, and writing it back. The same parser serves the page, its callback and exports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

from data import queries
from data.cache import memoized
from data.catalog import catalog
from data.periods import Period, parse_period
from data.regions import NATIONAL_CODE, resolve_region
from data.tenancy import Tenant, current_tenant
from layouts.format import format_integer, format_period
from layouts.text import DEFAULT_LANGUAGE, language_of, t

PARAMETERS = ("period", "from", "to", "regions", "pillar", "indicator")
LANGUAGE_PARAMETER = "lang"  # not part of the view: the language it is shown in
WHATIF_PARAMETER = "weights"  # not part of the view: the executive page's what-if weights (never stored)
TREND_QUARTERS = 20  # the trend shows five years by default
DEFAULT_PILLAR = "economic"
MAX_SHOWN = 40  # characters of a bad value quoted back in a notice
MAX_QUERY = 4096  # characters of a query string read: a view's own is under 300
MAX_REGIONS = 30  # names read from `regions`: 14 places, each perhaps typed twice
MAX_QUOTED = 3  # unknown names quoted in the one notice about them


@dataclass(frozen=True)
class View:
    period: Period
    start: Period
    end: Period
    regions: tuple[str, ...]  # canonical codes; empty means the nation
    pillar: str
    indicator: str

    def query_string(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The view as a URL query string, with the language when it is not the default."""
        params = {"period": str(self.period), "from": str(self.start), "to": str(self.end)}
        if self.regions:
            params["regions"] = ",".join(self.regions)
        params.update(pillar=self.pillar, indicator=self.indicator)
        if lang != DEFAULT_LANGUAGE:
            params[LANGUAGE_PARAMETER] = lang
        return "?" + urlencode(params, safe=",")


@dataclass(frozen=True)
class Options:
    """What the tenant's data offers; nothing is offered that the data lacks."""
    periods: tuple[Period, ...]
    regions: tuple[str, ...]  # region codes present in the data (the nation not included)
    indicators: tuple[str, ...]  # catalog order, only those with values
    pillars: tuple[str, ...]

    def indicators_in(self, pillar: str) -> list[str]:
        return [i for i in self.indicators if catalog()[i].pillar == pillar]


@memoized
def options_for(tenant: Tenant) -> Options:
    frame = queries.panel(tenant)
    present = [i for i in catalog().ids if i in frame and frame[i].notna().any()]
    return Options(
        periods=tuple(queries.available_periods(tenant)),
        regions=tuple(sorted(set(frame["region_code"]) - {NATIONAL_CODE})),
        indicators=tuple(present),
        pillars=tuple(p for p in catalog().pillars if any(catalog()[i].pillar == p for i in present)),
    )


@dataclass(frozen=True)
class ViewRequest:
    """The view a request asks for, with the signed-in tenant, what its data offers and the
    language the URL names."""
    tenant: Tenant
    options: Options
    view: View
    notices: list[str]
    lang: str = DEFAULT_LANGUAGE


def view_of_request(search: str) -> ViewRequest | None:
    """The current request's tenant (from the server) and the view in `search`; None when
    the tenant has no data yet."""
    tenant = current_tenant()
    latest = queries.latest_complete_period(tenant)
    if latest is None:
        return None
    options = options_for(tenant)
    lang = language_of(search)
    view, notices = parse_view(search, options, latest, lang)
    return ViewRequest(tenant, options, view, notices, lang)


def default_view(options: Options, latest: Period) -> View:
    pillar = DEFAULT_PILLAR if DEFAULT_PILLAR in options.pillars else options.pillars[0]
    start = max(latest.shift(-(TREND_QUARTERS - 1)), options.periods[0])
    return View(latest, start, latest, (), pillar, options.indicators_in(pillar)[0])


def parse_view(search: str, options: Options, latest: Period, lang: str = DEFAULT_LANGUAGE) -> tuple[View, list[str]]:
    """The view a query string asks for; anything unknown or malformed falls back to its
    default and adds a notice in `lang` (quoted as plain text, never as markup)."""
    search, notices = search or "", []
    if len(search) > MAX_QUERY:
        search = search[:MAX_QUERY]
        notices.append(t("notice_link_too_long", lang, limit=f"{MAX_QUERY:,}"))
    params = dict(parse_qsl(search.lstrip("?"), keep_blank_values=True))
    view = default_view(options, latest)
    unknown = sorted(set(params) - set(PARAMETERS) - {LANGUAGE_PARAMETER, WHATIF_PARAMETER})
    if unknown:
        key = "notice_unknown_parameter" if len(unknown) == 1 else "notice_unknown_parameters"
        notices.append(t(key, lang, name=_quoted_list(unknown, lang)))
    view = _with_periods(view, params, options, notices, lang)
    view = _with_regions(view, params.get("regions"), options, notices, lang)
    view = _with_indicator(view, params.get("pillar"), params.get("indicator"), options, notices, lang)
    return view, list(dict.fromkeys(notices))  # each notice once


def _with_periods(view: View, params: dict, options: Options, notices: list[str], lang: str) -> View:
    def shown(period: Period) -> str:
        return format_period(period, lang)

    def read(name: str, default: Period) -> Period:
        text = params.get(name)
        if text is None or text == "":
            return default
        try:
            period = parse_period(text)
        except ValueError:
            notices.append(t("notice_bad_period", lang, value=_quote(text), default=shown(default)))
            return default
        if period not in options.periods:
            notices.append(t("notice_no_period", lang, period=shown(period), default=shown(default)))
            return default
        return period

    period = read("period", view.period)
    start, end = read("from", view.start), read("to", view.end)
    if start > end:
        notices.append(t("notice_backwards", lang, start=shown(start), end=shown(end)))
        start, end = end, start
    return replace(view, period=period, start=start, end=end)


def _with_regions(view: View, text: str | None, options: Options, notices: list[str], lang: str) -> View:
    if not text:
        return view
    items = text.split(",", MAX_REGIONS)
    if len(items) > MAX_REGIONS:
        items = items[:MAX_REGIONS]
        notices.append(t("notice_too_many_regions", lang, limit=MAX_REGIONS))
    codes, unknown = [], []
    for item in items:
        code = resolve_region(item)
        if code is None or (code != NATIONAL_CODE and code not in options.regions):
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    if unknown:
        key = "notice_unknown_region" if len(set(unknown)) == 1 else "notice_unknown_regions"
        notices.append(t(key, lang, value=_quoted_list(unknown, lang)))
    return replace(view, regions=_ordered(tuple(codes), options))


def _with_indicator(view: View, pillar: str | None, indicator: str | None, options: Options,
                    notices: list[str], lang: str) -> View:
    if pillar:
        if pillar in options.pillars:
            view = replace(view, pillar=pillar, indicator=options.indicators_in(pillar)[0])
        else:
            notices.append(t("notice_unknown_pillar", lang, value=_quote(pillar),
                             default=catalog().pillar_name(view.pillar, lang)))
    if indicator:
        if indicator in options.indicators:
            view = replace(view, indicator=indicator, pillar=catalog()[indicator].pillar)
        else:
            notices.append(t("notice_unknown_indicator", lang, value=_quote(indicator),
                             default=catalog()[view.indicator].name(lang)))
    return view


def _ordered(codes: tuple[str, ...], options: Options) -> tuple[str, ...]:
    order = (NATIONAL_CODE, *options.regions)
    return tuple(c for c in order if c in codes)


def _quoted_list(values: list[str], lang: str) -> str:
    """Up to MAX_QUOTED values quoted, and how many more: one notice for many bad values."""
    distinct = list(dict.fromkeys(values))
    shown = ", ".join(_quote(value) for value in distinct[:MAX_QUOTED])
    more = len(distinct) - MAX_QUOTED
    return shown + (t("notice_and_more", lang, count=format_integer(more, lang)) if more > 0 else "")


def _quote(text: str) -> str:
    text = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
    return f"“{text}”"

