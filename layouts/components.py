"""Small building blocks shared by the pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts.text import t

STATUS_STYLE = {  # colour, icon and text: the status never rests on colour alone
    "green": ("success", "bi-check-circle-fill", "status_green"),
    "amber": ("warning", "bi-exclamation-triangle-fill", "status_amber"),
    "red": ("danger", "bi-x-octagon-fill", "status_red"),
    None: ("secondary", "bi-dash-circle", "status_none"),
}


def status_badge(status: str | None, lang: str = "en", **props) -> dbc.Badge:
    colour, icon, key = STATUS_STYLE.get(status, STATUS_STYLE[None])
    text_colour = "dark" if colour == "warning" else None
    return dbc.Badge(
        [html.I(className=f"bi {icon} me-1", **{"aria-hidden": "true"}), t(key, lang)],
        color=colour,
        text_color=text_colour,
        className="status-badge",
        **props,
    )


def message(title: str, body: str, colour: str = "info", **props) -> dbc.Alert:
    return dbc.Alert([html.H2(title, className="h5"), html.P(body, className="mb-0")],
                     color=colour, **props)


def download_link(label: str, href: str | None, component_id, reason: str | None = None) -> html.A:
    """A download button; when the export cannot work here it is disabled and says why."""
    if reason:
        return html.A([html.I(className="bi bi-slash-circle me-1", **{"aria-hidden": "true"}), reason],
                      id=component_id, className="btn btn-outline-secondary btn-sm disabled",
                      **{"aria-disabled": "true"})
    return html.A([html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}), label],
                  id=component_id, href=href, download="", className="btn btn-outline-primary btn-sm")
