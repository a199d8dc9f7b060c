"""Component ids, defined once. Navigation links are `nav-<slug>` of each page in the
registry (callbacks/registry.py)."""


def _family(prefix: str):
    """Ids of one kind of component, one per key: <prefix>-<key>."""
    return lambda key: f"{prefix}-{key}"



status_tile = _family("tile")  # executive page: one tile per indicator id
target_row = _family("target")  # executive page: one row per target's indicator id
smoke_check = _family("check")  # Diagnostics: one row per smoke check key

# The frame of every page
URL = "url"
PAGE = "page-content"
PAGE_TITLE = "page-title"  # the current page's title, which a clientside callback puts on the tab
HEADER = "page-header"  # skip link, navigation and notices, built by the router for the page's language
NAV_TOGGLE = "nav-toggle"
NAV_MENU = "nav-menu"
LANGUAGE_SWITCH = "language-switch"
SIGNED_IN_AS = "signed-in-as"
LOGOUT = "logout-button"
SYNTHETIC_NOTICE = "synthetic-notice"
AUTH_OFF_BANNER = "auth-off-banner"

# The sign-in page (plain HTML served by security/web.py)
LOGIN_ERROR = "login-error"
LOGIN_USERNAME = "username"
LOGIN_PASSWORD = "password"

AUDIT_TABLE = "audit-table"
AUDIT_TITLE = "audit-title"

# Dashboard: filters
DASHBOARD_URL = "dashboard-url"  # the page's own view of the URL, for back and forward
FILTER_PERIOD = "filter-period"
FILTER_FROM = "filter-from"
FILTER_TO = "filter-to"
FILTER_REGIONS = "filter-regions"
FILTER_PILLAR = "filter-pillar"
FILTER_INDICATOR = "filter-indicator"
CLEAR_REGIONS = "clear-regions"
MAP_COLOUR_BY = "map-colour-by"
FILTER_CONTROLS = "filter-controls"  # the filters, folded behind FILTER_TOGGLE on a phone
FILTER_TOGGLE = "filter-toggle"
FILTERS_HEADING = "filters-heading"

# Dashboard: content
NOTICE = "view-notice"
HEADLINE = "headline"
INDEX_VALUE = "index-value"
INDEX_STATUS = "index-status"
SCOPE_LABEL = "scope-label"
KPI_CARDS = "kpi-cards"
KPI_HEADING = "kpi-heading"
KPI_CARD = "kpi-card"  # pattern-matching type: {"type": KPI_CARD, "index": indicator_id}
TREND = "trend-chart"
REGIONS_BAR = "regions-chart"
MAP = "map-chart"
chart_text = _family("text")  # a chart's title, summary and data: text-<chart id>
TABLE = "data-table"
TABLE_TITLE = "data-table-title"
DOWNLOAD_CSV = "download-csv"

PNG_LINK = "png-link"  # pattern-matching type: {"type": PNG_LINK, "index": chart name}

# Executive overview
EXECUTIVE_URL = "executive-url"
EXEC_PERIOD = "exec-period"
EXEC_REGIONS = "exec-regions"
EXEC_BODY = "exec-body"
EXEC_BREAKDOWN_TABLE = "exec-breakdown-table"
EXEC_BREAKDOWN_CHART = "exec-breakdown-chart"
EXEC_STATUS_GRID = "exec-status-grid"
EXEC_TARGETS = "exec-targets"
EXEC_IMPROVEMENTS = "exec-improvements"
EXEC_DETERIORATIONS = "exec-deteriorations"
DOWNLOAD_PDF = "download-pdf"
DOWNLOAD_XLSX = "download-xlsx"


DIAGNOSTICS_STATUS = "diagnostics-status"
DIAGNOSTICS_CHECKS = "diagnostics-checks"

# Diagnostics details and the Settings page
DIAGNOSTICS_REFRESH = "diagnostics-refresh"
DIAGNOSTICS_BODY = "diagnostics-body"
DIAGNOSTICS_DATABASE = "diagnostics-database"
DIAGNOSTICS_DATA = "diagnostics-data"
DIAGNOSTICS_CACHE = "diagnostics-cache"
DIAGNOSTICS_PNG = "diagnostics-png"
DIAGNOSTICS_PROCESS = "diagnostics-process"
DIAGNOSTICS_TIMINGS = "diagnostics-timings"
DIAGNOSTICS_ERRORS = "diagnostics-errors"

SETTINGS_CLEAR_CACHE = "settings-clear-cache"
SETTINGS_CACHE_RESULT = "settings-cache-result"
SETTINGS_CACHE_STATE = "settings-cache-state"

# issue 15: region profile, forecasts, values that stand out, narratives
PROFILE_URL = "profile-url"
PROFILE_PERIOD = "profile-period"
PROFILE_INDICATOR = "profile-indicator"
PROFILE_BODY = "profile-body"
PROFILE_NARRATIVE = "profile-narrative"
PROFILE_INDICATORS = "profile-indicators"
PROFILE_STRONGEST = "profile-strongest"
PROFILE_WEAKEST = "profile-weakest"
PROFILE_FORECAST = "profile-forecast-chart"
PROFILE_TRACK = "profile-track-record"
PROFILE_OUTLOOK = "profile-outlook"
PROFILE_ANOMALIES = "profile-anomalies"
PROFILE_REGIONS = "profile-regions"  # the menu of other places' profiles
PROFILE_LINK = "profile-link"  # dashboard and executive page: the selection's profile
EXEC_NARRATIVE = "exec-narrative"
EXEC_OUTLOOK = "exec-outlook"
TREND_FORECAST = "trend-forecast-toggle"  # dashboard: show the forecast on the trend chart
profile_row = _family("profile-row")  # profile: one row per indicator id
