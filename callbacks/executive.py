"""The executive overview page and its callback (period and regions)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, ctx, html, no_update

from callbacks import whatif
from callbacks.failures import failure_message
from data import queries
from data.tenancy import Tenant
from exports.png import availability
from layouts import executive as layout
from layouts import ids
from layouts import insight as insight_layout
from layouts.components import message, notice
from layouts.text import language_of, t
from security.web import allowed
from services.charts import screen_chart
from services.insight import scope_code, target_outlooks
from services.narrative import narrative
from services.view import View, view_of_request


def register(callbacks) -> None:
    callbacks.callback(
        output=dict(body=Output(ids.EXEC_BODY, "children"), period=Output(ids.EXEC_PERIOD, "value"),
                    regions=Output(ids.EXEC_REGIONS, "value"), search=Output(ids.EXECUTIVE_URL, "search")),
        inputs=dict(search=Input(ids.EXECUTIVE_URL, "search"), period=Input(ids.EXEC_PERIOD, "value"),
                    regions=Input(ids.EXEC_REGIONS, "value")),
        prevent_initial_call=True,
    )(update_executive)
    whatif.register(callbacks)


def page(search: str = "", lang: str = "en"):
    asked = view_of_request(search)
    if asked is None:
        return message(t("no_data_title", lang), t("no_data_body", lang), level=1)
    content = {"body": body(asked.tenant, asked.view, asked.notices, lang)}
    return html.Div([layout.executive_layout(asked.options, asked.view, content, search, lang),
                     whatif.card(asked.tenant, asked.view, search, lang)])


def update_executive(search, period, regions):
    lang = language_of(search)
    try:
        if ctx.triggered_id == ids.EXECUTIVE_URL:
            asked = view_of_request(search)
        else:
            params = dict(parse_qsl((search or "").lstrip("?")))
            params.update(period=period or "", regions=",".join(r for r in regions or [] if isinstance(r, str)))
            asked = view_of_request(urlencode(params))
        view = asked.view
        content = body(asked.tenant, view, asked.notices, lang)
    except Exception as error:
        return dict(body=failure_message("executive update", error, lang=lang), period=no_update, regions=no_update,
                    search=no_update)
    query = whatif.keep_whatif(view.query_string(lang), search)
    return dict(body=content, period=str(view.period), regions=list(view.regions),
                search=no_update if query == search else query)


def body(tenant: Tenant, view: View, notices: list[str], lang: str):
    png_ok, png_reason = availability(lang)
    snapshot = queries.indicator_snapshot(tenant, view.period, view.regions)
    query = view.query_string(lang)
    data = dict(
        snapshot=snapshot,
        breakdown=queries.index_breakdown(tenant, view.period, view.regions),
        figure=screen_chart(tenant, "index-breakdown", view, lang=lang),
        targets=queries.target_progress(tenant, view.period, view.regions),
        movers=queries.movers(tenant, view.period, view.regions),
        period=view.period,
        scope=queries.scope_of(view.regions),
        links={"pdf": "/export/brief.pdf" + query, "xlsx": "/export/data.xlsx" + query,
               "png": "/export/index-breakdown.png" + query},
        png_reason=None if png_ok else t("png_unavailable", lang, reason=png_reason),
        pdf_reason=None,
        xlsx_reason=None if allowed("export_xlsx") else t("role_cannot_download", lang),
    )
    return [notice(notices, lang), insight_parts(tenant, view, lang), layout.executive_body(data, lang)]


def insight_parts(tenant: Tenant, view: View, lang: str):
    """The summary in words, the target outlook from the forecasts and the link to the
    selection's profile (issue 15)."""
    code = scope_code(view.regions)
    return insight_layout.executive_insight(narrative(tenant, view.period, view.regions, lang),
                                            target_outlooks(tenant, code), code, view.query_string(lang), lang)

