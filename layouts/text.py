"""Every user-visible string, in one translation table."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "Sustainable Economic Development Analytics Hub",
        "app_short": "Analytics Hub",
        "nav_dashboard": "Dashboard",
        "nav_diagnostics": "Diagnostics",
        "synthetic_notice": "Synthetic demonstration data: generated figures, not official statistics.",
        "index_title": "Sustainability index",
        "index_insufficient": "Insufficient data",
        "national": "National",
        "period_label": "Quarter {period}",
        "tenant_label": "Organisation: {tenant}",
        "status_grid_title": "Indicators at a glance",
        "status_green": "Good",
        "status_amber": "Watch",
        "status_red": "Poor",
        "status_none": "No threshold",
        "no_value": "No data",
        "no_data_title": "No data yet",
        "no_data_body": "This organisation has no observations. A data steward can load a quarterly file.",
        "page_not_found": "Page not found",
        "page_not_found_body": "There is no page at {path}.",
        "error_title": "Something went wrong",
        "error_body": "The page could not be built. The error was logged (reference {reference}).",
        "diagnostics_title": "Diagnostics",
        "diagnostics_healthy": "System healthy: all smoke checks pass.",
        "diagnostics_unhealthy": "System unhealthy: {failed} failing.",
        "check_pass": "Pass",
        "check_fail": "Fail",
        "version_label": "Version {version}",
        "environment_label": "Environment {environment}",
    },
}

DEFAULT_LANGUAGE = "en"


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The text for `key` in `lang` (English when the language lacks it), filled with `values`."""
    table = TEXT.get(lang, TEXT[DEFAULT_LANGUAGE])
    text = table.get(key) or TEXT[DEFAULT_LANGUAGE][key]
    return text.format(**values) if values else text
