"""Download endpoints, as the `exports` blueprint under /export. The view comes from the
same query parameters as the dashboard URL, the language from its `lang`; the tenant comes
from the server side only. Bad parameters get a 400 with the reasons, too many downloads a 429."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, current_app, jsonify, request
from flask_limiter import RateLimitExceeded

from data import queries
from data.cache import memoized
from data.catalog import catalog
from data.numbers import bounded_number
from data.runtime import runtime
from data.seed import SOURCE_SYSTEM
from data.tenancy import Tenant, current_tenant
from exports import xlsx_export
from exports.csv_export import audit_csv, file_name, plain_csv, view_csv
from exports.pdf_brief import Brief, brief_pdf, generated_at
from exports.png import ExportUnavailable, renderer, with_text_chunks
from layouts.components import scope_label
from layouts.figures import stamp_for_export
from layouts.format import arabic_indic_digits, format_period
from layouts.text import language_of, other_language, t
from ops.metrics import count_export
from ops.telemetry import track
from security import audit
from security.limits import LIMITER, too_many
from security.web import allowed, signed_in
from services.charts import CHARTS, chart
from services.insight import anomalies_in, forecast_export_rows
from services.narrative import narrative
from services.stewardship import version_labels
from services.view import View, view_of_request

PNG_SIZE = {"width": (1600, 200, 4000), "height": (900, 200, 4000)}  # default, low, high
PNG_SCALE = (2.0, 0.5, 4.0)
PNG_OPTIONS = ("width", "height", "scale", "colour")
AUDIT_ROWS = 10000  # entries of an audit log download at most, newest first
FORECAST_COLUMNS = ["indicator_id", "region_code", "year", "quarter", "forecast", "lo80", "hi80", "lo95", "hi95",
                    "model"]
ANOMALY_COLUMNS = ["indicator_id", "region_code", "year", "quarter", "value", "expected", "score"]


class BadExport(ValueError):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


exports = Blueprint("exports", __name__, url_prefix="/export")


@exports.record
def _limit(state) -> None:
    """EXPORT_RATE_LIMIT downloads a minute per client (security/limits.py)."""
    limiter = state.app.extensions[LIMITER]
    limiter.limit(f"{runtime.settings.export_rate_limit}/minute")(exports)


@exports.errorhandler(RateLimitExceeded)
def too_many_exports(error: RateLimitExceeded):
    limiter = current_app.extensions[LIMITER]
    message = t("export_rate_limited", language_of(request.query_string), limit=runtime.settings.export_rate_limit,
                wait="{wait}")
    return too_many(error, message, limiter)


@exports.errorhandler(BadExport)
def bad_export(error: BadExport):
    return jsonify({"error": "bad parameters", "reasons": error.reasons}), 400


@exports.errorhandler(ExportUnavailable)
def export_unavailable(error: ExportUnavailable):
    return jsonify({"error": "export unavailable", "reason": str(error)}), 503


@exports.get("/data.csv")
def export_csv():
    tenant, view, _, lang = export_request()
    rows = queries.view_rows(tenant, view.start, view.end, view.regions, view.indicator)
    body = view_csv(rows, view, tenant.id, queries.tenant_name(tenant, lang), queries.source_systems(tenant), lang,
                    version_labels(tenant, lang))
    delivered("csv", tenant, view)
    return download(body, "text/csv", file_name(view))


@exports.get("/audit.csv")
def export_audit():
    """The tenant's audit log (stewards), filtered like the page by `action` and `user`."""
    lang = language_of(request.query_string)
    if not allowed("audit"):
        return jsonify({"error": "not allowed", "reason": t("audit_download_refused", lang)}), 403
    action, user = request.args.get("action") or None, request.args.get("user") or None
    if (action is not None and action not in audit.ACTIONS) or (user is not None and len(user) > 64):
        raise BadExport([t("export_bad_audit_filter", lang)])
    tenant = current_tenant()
    entries = audit.recent(runtime.engine, tenant.id, AUDIT_ROWS, action=action, username=user)
    account = signed_in()
    audit.record(runtime.engine, "export", tenant.id, account.username if account else None, request.remote_addr,
                 format="audit-csv", filter_action=action, filter_user=user)
    return download(audit_csv(entries, lang), "text/csv", "audit-log.csv")


@exports.get("/forecast.csv")
def export_forecast_csv():
    """The forecasts of the view's indicator for the nation and the view's regions (every
    region when none is selected): FORECAST_COLUMNS."""
    tenant, view, _, _ = export_request()
    rows = forecast_export_rows(tenant, view.regions, view.indicator)
    return csv_download(rows, FORECAST_COLUMNS, "forecast", tenant, view)


@exports.get("/anomalies.csv")
def export_anomalies_csv():
    """The values that stand out in the view's regions (every region when none is selected)
    from the view's first to its last quarter, every indicator: ANOMALY_COLUMNS."""
    tenant, view, _, _ = export_request()
    rows = anomalies_in(tenant, view.regions, view.start, view.end)
    return csv_download(rows, ANOMALY_COLUMNS, "anomalies", tenant, view)


def csv_download(rows, columns: list[str], name: str, tenant: Tenant, view: View) -> Response:
    if rows is None:
        raise ExportUnavailable(t("export_insight_computing", language_of(request.query_string)))
    rows = rows.sort_values(columns[:4], ignore_index=True)
    delivered("csv", tenant, view, name)
    regions = "-".join(view.regions) if view.regions else "national"
    return download(plain_csv(rows, columns), "text/csv", f"{name}-{regions}-{view.start}-{view.end}.csv")


@exports.get("/<name>.png")
def export_png(name: str):
    lang = language_of(request.query_string)
    if name not in CHARTS:
        raise BadExport([t("export_unknown_figure", lang, name=name, choices=", ".join(CHARTS))])
    tenant, view, options, lang = export_request(PNG_OPTIONS)
    width, height, scale = png_size(options, lang)
    colour = options.get("colour") or "status"
    if colour not in ("status", "value"):
        raise BadExport([t("export_bad_colour", lang)])
    image = png_bytes(tenant, name, view, colour, (width, height, scale), lang, arabic_indic_digits())
    delivered("png", tenant, view, name)
    return download(image, "image/png", png_name(name, view))


@memoized
def png_bytes(tenant: Tenant, name: str, view: View, colour: str, size: tuple[int, int, float], lang: str,
              _arabic_digits: bool) -> bytes:
    """The PNG of a chart, cached like the queries (per code version, tenant, data version,
    view, colour, size, language and digit style): a repeated download skips kaleido, and a
    data load makes new keys, so no PNG outlives the data it shows."""
    figure = stamp_for_export(chart(name, tenant, view, colour, lang), subtitle(name, view, lang), SOURCE_SYSTEM,
                              synthetic=True, lang=lang)
    image = renderer().render(figure, *size, lang)
    return with_text_chunks(image, {"Title": figure.layout.title.text, "Description": selection(name, view, lang),
                                    "Source": SOURCE_SYSTEM, "Software": t("app_short", lang)})


@exports.get("/data.xlsx")
def export_xlsx():
    tenant, view, _, lang = export_request()
    rows = queries.view_rows(tenant, view.start, view.end, view.regions, view.indicator)
    snapshot = queries.indicator_snapshot(tenant, view.period, view.regions)
    scope = scope_label(queries.scope_of(view.regions), lang)
    body = xlsx_export.view_workbook(rows, snapshot, view, tenant.id, queries.tenant_name(tenant, lang), scope,
                                     version_labels(tenant, lang), lang)
    delivered("xlsx", tenant, view)
    return download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    xlsx_export.file_name(view))


@exports.get("/brief.pdf")
def export_pdf():
    tenant, view, _, lang = export_request()
    scope = scope_label(queries.scope_of(view.regions), lang)
    charts, note = brief_charts(tenant, view, lang)
    brief = Brief(
        title=t("pdf_title", lang, scope=scope, period=format_period(view.period, lang)),
        subtitle=t("pdf_subtitle", lang, tenant=queries.tenant_name(tenant, lang), generated=generated_at(lang)),
        snapshot=queries.indicator_snapshot(tenant, view.period, view.regions),
        charts=charts,
        chart_note=note,
        versions=version_labels(tenant, lang),
        lang=lang,
        narrative=tuple(narrative(tenant, view.period, view.regions, lang)),
    )
    body = brief_pdf(brief)
    delivered("pdf", tenant, view)
    return download(body, "application/pdf", f"brief-{png_name('index-breakdown', view)[:-4]}.pdf")


def brief_charts(tenant: Tenant, view: View, lang: str) -> tuple[list[tuple[str, bytes]], str | None]:
    """The brief's charts as PNG, or the reason they cannot be drawn here."""
    charts = []
    for name in ("index-breakdown", "trend", "regions"):
        figure = stamp_for_export(chart(name, tenant, view, lang=lang), subtitle(name, view, lang), SOURCE_SYSTEM,
                                  synthetic=True, lang=lang)
        try:
            image = renderer().render(figure, 1600, 900, 1.5, lang)
        except ExportUnavailable as error:
            return [], t("pdf_no_charts", lang, reason=error)
        charts.append((figure.layout.title.text, image))
    return charts, None


def export_request(extra: tuple[str, ...] = ()) -> tuple[Tenant, View, dict, str]:
    """The tenant (server side), the view, any export options and the language of the
    current request."""
    params = dict(parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True))
    options = {k: params.pop(k) for k in extra if k in params}
    asked = view_of_request(urlencode(params))
    if asked is None:
        raise BadExport([t("no_data_body", language_of(urlencode(params)))])
    if asked.notices:
        raise BadExport(asked.notices)
    return asked.tenant, asked.view, options, asked.lang


def png_size(options: dict, lang: str = "en") -> tuple[int, int, float]:
    reasons, sizes = [], {}
    for name, (default, low, high) in PNG_SIZE.items():
        sizes[name] = _number(options.get(name), default, low, high, int, name, reasons, lang)
    scale = _number(options.get("scale"), *PNG_SCALE, float, "scale", reasons, lang)
    if reasons:
        raise BadExport(reasons)
    return sizes["width"], sizes["height"], scale


def _number(text, default, low, high, kind, name, reasons, lang):
    if text in (None, ""):
        return default
    value = bounded_number(text, kind, low, high)
    if value is None:
        reasons.append(t("export_bad_number", lang, name=name, low=f"{low:g}", high=f"{high:g}"))
        return default
    return value


def selection(name: str, view: View, lang: str = "en") -> str:
    """What an exported figure shows: the selection and the unit."""
    scope = scope_label(queries.scope_of(view.regions), lang)
    indicator = catalog()["sustainability_index" if name == "index-breakdown" else view.indicator]
    if name == "trend":
        return t("export_range", lang, scope=scope, start=format_period(view.start, lang),
                 end=format_period(view.end, lang), unit=indicator.unit(lang))
    return t("export_selection", lang, scope=scope, period=format_period(view.period, lang), unit=indicator.unit(lang))


def subtitle(name: str, view: View, lang: str = "en") -> str:
    """The selection, and the indicator's name in the other language for bilingual slides
    (both scripts are set in the Noto fonts the figures name)."""
    indicator = catalog()["sustainability_index" if name == "index-breakdown" else view.indicator]
    return f"{selection(name, view, lang)} · {indicator.name(other_language(lang))}"


def png_name(name: str, view: View) -> str:
    regions = "-".join(view.regions) if view.regions else "national"
    subject = "sustainability_index" if name == "index-breakdown" else view.indicator
    when = f"{view.start}-{view.end}" if name == "trend" else str(view.period)
    return f"{name}-{subject}-{regions}-{when}.png"


def delivered(fmt: str, tenant: Tenant, view: View, figure: str | None = None) -> None:
    """Count, trace and audit one download."""
    account = signed_in()
    count_export(fmt)
    track(f"export_{fmt}", figure=figure, indicator=view.indicator, regions=len(view.regions))
    audit.record(runtime.engine, "export", tenant.id,
                 account.username if account else None, request.remote_addr, format=fmt, figure=figure,
                 view=view.query_string())


def download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
