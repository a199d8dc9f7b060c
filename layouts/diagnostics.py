"""The Diagnostics page: the smoke checks with their reasons, then the database, data, cache,
PNG export, process, query timings and recent errors (see ops.diagnostics)."""

from __future__ import annotations

from datetime import UTC, datetime

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from layouts.components import scroll_region
from layouts.format import format_integer, format_number, format_percent, format_period, format_time
from layouts.text import t

MB = 1024 * 1024


def diagnostics_page(report: dict, lang: str = "en") -> html.Div:
    return html.Div([
        html.Div([
            html.H1(t("diagnostics_title", lang), className="h4 mb-0"),
            dbc.Button([html.I(className="bi bi-arrow-clockwise me-1", **{"aria-hidden": "true"}),
                        t("diagnostics_refresh", lang)],
                       id=ids.DIAGNOSTICS_REFRESH, color="secondary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-3"),
        html.Div(diagnostics_body(report, lang), id=ids.DIAGNOSTICS_BODY),
    ])


def diagnostics_body(report: dict, lang: str = "en") -> list:
    health = report["health"]
    return [
        _status(health, lang),
        _checks(health, lang),
        html.P([t("version_label", lang, version=health["version"] or "?"), " · ",
                t("environment_label", lang, environment=health["environment"]), " · ",
                t("diag_checked_at", lang, time=format_time(report["checked_at"], lang))],
               className="text-muted small"),
        dbc.Row([
            dbc.Col(_card("diag_database", _database(report["database"], lang), ids.DIAGNOSTICS_DATABASE, lang)),
            dbc.Col(_card("diag_data", _data(report["data"], lang), ids.DIAGNOSTICS_DATA, lang)),
            dbc.Col(_card("diag_cache", _cache(report["cache"], lang), ids.DIAGNOSTICS_CACHE, lang)),
            dbc.Col(_card("diag_png", _png(report["png_export"], lang), ids.DIAGNOSTICS_PNG, lang)),
            dbc.Col(_card("diag_process", _process(report["process"], lang), ids.DIAGNOSTICS_PROCESS, lang)),
        ], className="row-cols-1 row-cols-md-2 row-cols-xl-3 g-3 mb-3"),
        _card("diag_timings", _timings(report["query_timings"], lang), ids.DIAGNOSTICS_TIMINGS, lang),
        _card("diag_errors", _errors(report["recent_errors"], lang), ids.DIAGNOSTICS_ERRORS, lang),
    ]


STATUS_COLOURS = {"healthy": "success", "degraded": "warning", "unhealthy": "danger"}
STATUS_ICONS = {"healthy": "bi-check-circle-fill", "degraded": "bi-exclamation-triangle-fill",
                "unhealthy": "bi-x-octagon-fill"}


def _status(health: dict, lang: str) -> dbc.Alert:
    status = health["status"]
    failing = [_check_name(key, lang) for key, check in health["checks"].items() if not check["ok"]]
    failed = "، ".join(failing) if lang == "ar" else ", ".join(failing)
    summary = t(f"diagnostics_{status}", lang, failed=failed) if failing else t("diagnostics_healthy", lang)
    icon = STATUS_ICONS[status]
    return dbc.Alert([html.I(className=f"bi {icon} me-2", **{"aria-hidden": "true"}), summary],
                     color=STATUS_COLOURS[status], id=ids.DIAGNOSTICS_STATUS)


def _check_name(key: str, lang: str) -> str:
    """The runbook's name of a check, in the page's language."""
    return t(f"check_{key}", lang)


def _checks(health: dict, lang: str) -> html.Div:
    rows = [
        html.Tr([
            html.Th(_check_name(key, lang), scope="row", className="fw-normal"),
            html.Td(dbc.Badge(
                [html.I(className=f"bi {'bi-check-circle-fill' if check['ok'] else 'bi-x-octagon-fill'} me-1",
                        **{"aria-hidden": "true"}),
                 t("check_pass" if check["ok"] else "check_fail", lang)],
                color="success" if check["ok"] else "danger")),
            html.Td(check["detail"], className="small"),
        ], id=ids.smoke_check(key))
        for key, check in health["checks"].items()
    ]
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in ("col_check", "col_result", "col_detail")]))
    return html.Div([html.H2(t("diagnostics_checks", lang), className="visually-hidden"),
                     scroll_region(dbc.Table([head, html.Tbody(rows)], bordered=False, hover=True,
                                             id=ids.DIAGNOSTICS_CHECKS), t("diagnostics_checks", lang))])


def _card(title_key: str, body, component_id: str, lang: str) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2(t(title_key, lang), className="h6 mb-0 fw-semibold")),
                     dbc.CardBody(body)], id=component_id, className="h-100 mb-3")


def _facts(pairs: list[tuple[str, str]]) -> html.Dl:
    items = []
    for label, value in pairs:
        # dir=auto: a path, a backend's name or a batch id reads left to right even on an Arabic page
        items += [html.Dt(label, className="col-6 fw-normal text-muted"),
                  html.Dd(value, className="col-6 mb-1", dir="auto")]
    return html.Dl(items, className="row small mb-0")


def _unavailable(section: dict, lang: str) -> html.P | None:
    if "unavailable" not in section:
        return None
    return html.P(t("diag_unavailable", lang, reason=section["unavailable"]), className="small text-danger mb-0")


def _database(section: dict, lang: str):
    missing = _unavailable(section, lang)
    if missing:
        return missing
    revision = section["revision"] or t("diag_none", lang)
    behind = section["revision"] != section["newest_revision"]
    pairs = [(t("diag_backend", lang), section["backend"]),
             (t("diag_revision", lang), t("diag_revision_behind", lang, revision=revision,
                                           newest=section["newest_revision"]) if behind else revision),
             (t("diag_size", lang), megabytes(section["size_bytes"], lang))]
    pairs += [(t("diag_rows_in", lang, table=table), format_integer(count, lang))
              for table, count in section["rows"].items()]
    return _facts(pairs)


def _data(section: dict, lang: str):
    missing = _unavailable(section, lang)
    if missing:
        return missing
    pairs = [(t("diag_tenant", lang), section["tenant"])]
    last = section["last_load"]
    if last is None:
        pairs.append((t("diag_last_load", lang), t("diag_none", lang)))
    else:
        pairs += [(t("diag_last_load", lang), last["batch_id"]),
                  (t("diag_loaded_at", lang), format_time(_utc(last["loaded_at"]), lang, seconds=False)),
                  (t("diag_batch_rows", lang), format_integer(last["row_count"], lang)),
                  (t("diag_source", lang), last["source_system"])]
    period = section["latest_period"]
    pairs.append((t("diag_latest_period", lang), format_period(period, lang) if period else t("diag_none", lang)))
    return _facts(pairs)


def megabytes(size: int, lang: str) -> str:
    return t("diag_megabytes", lang, value=format_number(size / MB, 1, lang))


def _utc(moment: datetime) -> datetime:
    """SQLite gives naive UTC times, PostgreSQL times in the session's zone: show UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _cache(section: dict, lang: str):
    missing = _unavailable(section, lang)
    if missing:
        return missing
    entries, size = section["entries"], section["size_bytes"]
    ratio = section["hit_ratio"]
    return _facts([
        (t("diag_backend", lang), section["backend"]),
        (t("diag_entries", lang),
         format_integer(entries, lang) if entries is not None else t("diag_not_counted", lang)),
        (t("diag_cache_size", lang), megabytes(size, lang) if size is not None else t("diag_not_counted", lang)),
        (t("diag_hits", lang), format_integer(section["hits"], lang)),
        (t("diag_misses", lang), format_integer(section["misses"], lang)),
        (t("diag_hit_ratio", lang), format_percent(ratio, 0, lang) if ratio is not None else t("diag_none", lang)),
        (t("diag_cache_errors", lang), format_integer(section["errors"], lang)),
    ])


def _png(section: dict, lang: str):
    return _facts([
        (t("diag_state", lang), t("diag_png_ready" if section["available"] else "diag_png_unavailable", lang)),
        (t("diag_kaleido", lang), section["kaleido"] or t("diag_not_installed", lang)),
        (t("diag_browser", lang), section["browser"] or t("diag_not_found", lang)),
    ])


def _process(section: dict, lang: str):
    minutes = int(section["uptime_seconds"] // 60)
    rss = section["rss_bytes"]
    return _facts([
        (t("diag_instance", lang), section["instance"]),
        (t("diag_pid", lang), str(section["pid"])),
        (t("diag_uptime", lang), t("diag_hours_minutes", lang, hours=format_integer(minutes // 60, lang),
                                   minutes=format_integer(minutes % 60, lang).rjust(2, "0"))),
        (t("diag_memory", lang), megabytes(rss, lang) if rss else t("diag_none", lang)),
    ])


def _timings(rows: list[dict], lang: str):
    if not rows:
        return html.P(t("diag_no_timings", lang), className="small text-muted mb-0")
    header = html.Thead(html.Tr([html.Th(t(key, lang), scope="col") for key in
                                 ("diag_query", "diag_timed", "diag_p50", "diag_p95")]))
    body = html.Tbody([html.Tr([html.Td(row["query"], lang="en", dir="ltr"),
                                html.Td(format_integer(row["count"], lang)),
                                html.Td(format_number(row["p50_ms"], 1, lang)),
                                html.Td(format_number(row["p95_ms"], 1, lang))])
                       for row in rows])
    return html.Div([scroll_region(dbc.Table([header, body], size="sm", className="mb-1"), t("diag_timings", lang)),
                     html.P(t("diag_timings_note", lang), className="small text-muted mb-0")])


def _errors(entries, lang: str):
    if isinstance(entries, dict):
        return _unavailable(entries, lang)
    if not entries:
        return html.P(t("diag_no_errors", lang), className="small text-muted mb-0")
    # log lines are the server's own words: technical English, shown as written
    return html.Ul([html.Li([html.Span(entry["time"], className="text-muted me-2"), entry["message"]],
                            lang="en", dir="ltr")
                    for entry in entries], className="small mb-0 list-unstyled text-break")
