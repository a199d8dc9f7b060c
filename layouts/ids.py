"""Component ids, defined once. Navigation links are `nav-<slug>` of each page in the
registry (callbacks/registry.py)."""


def _family(prefix: str):
    """Ids of one kind of component, one per key: <prefix>-<key>."""
    return lambda key: f"{prefix}-{key}"



status_tile = _family("tile")  # executive page: one tile per indicator id
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
# issue 16: a KPI card's selection, updated in place when only the indicator changes
KPI_FRAME = "kpi-frame"  # {"type": KPI_FRAME, "index": indicator_id}: the card's frame (its class)
KPI_NAME = "kpi-name"  # the card's name button (aria-pressed)
TREND = "trend-chart"
REGIONS_BAR = "regions-chart"
MAP = "map-chart"
chart_text = _family("text")  # a chart's title, summary and data: text-<chart id>
chart_data_open = _family("data-open")  # the <summary> that opens a chart's data (dashboard)
chart_data = _family("data")  # where the browser draws that data when it is opened (dashboard)
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

# issue 10: the data intake page (/data) and the data quality page (/quality)
DATA_TITLE = "data-title"
DATA_UPLOAD = "data-upload"
DATA_UPLOAD_CONFIG = "data-upload-config"  # where the file goes and the form's CSRF token
DATA_UPLOAD_STATUS = "data-upload-status"
DATA_SOURCE = "data-source"
DATA_DESCRIPTION = "data-description"
DATA_REPORT = "data-report"
DATA_REPORT_TITLE = "data-report-title"
DATA_REPORT_CSV = "data-report-csv"
DATA_PREVIEW = "data-preview"
DATA_CONFIRM = "data-confirm"
DATA_CONFIRM_RESULT = "data-confirm-result"
DATA_ROLLBACK = "data-rollback"
DATA_ROLLBACK_RESULT = "data-rollback-result"
DATA_TOKEN_NAME = "data-token-name"
DATA_TOKEN_CREATE = "data-token-create"
DATA_TOKEN_CHOICE = "data-token-choice"
DATA_TOKEN_REVOKE = "data-token-revoke"
DATA_TOKEN_RESULT = "data-token-result"
DATA_TOKEN_LIST = "data-token-list"
QUALITY_TITLE = "quality-title"
QUALITY_HEATMAP = "quality-heatmap"
QUALITY_MISSING = "quality-missing"
QUALITY_FRESHNESS = "quality-freshness"
QUALITY_FLAGS = "quality-flags"
QUALITY_BATCHES = "quality-batches"
QUALITY_OUTLIERS = "quality-outliers"  # values that stand out (issue 15 fills it at merge)
# issue 14: stewardship pages (targets, weights, their history), accounts, what-if weights
weight_input = _family("weight")  # weights page: one input per index component
whatif_input = _family("whatif-weight")  # executive page: one what-if input per component
target_value = _family("target-value")  # targets page: one row per indicator
target_year = _family("target-year")
SETTING_REASON = "setting-reason"
SETTING_EFFECTIVE = "setting-effective"
WEIGHTS_RESULT = "weights-result"
TARGETS_RESULT = "targets-result"
HISTORY_RESULT = "history-result"
WEIGHTS_PREVIEW_BUTTON = "weights-preview-button"
WEIGHTS_SAVE = "weights-save"
WEIGHTS_PREVIEW = "weights-preview"
TARGETS_SAVE = "targets-save"
HISTORY_TABLE = "history-table"
HISTORY_VERSION = "history-version"
HISTORY_RESTORE = "history-restore"
ACCOUNT_LINK = "account-password-link"
USERS_TABLE = "users-table"
USERS_NEW_NAME = "users-new-name"
USERS_NEW_ROLE = "users-new-role"
USERS_CREATE = "users-create"
USERS_TARGET = "users-target"
USERS_ACTION = "users-action"
USERS_ROLE = "users-role"
USERS_APPLY = "users-apply"
USERS_RESULT = "users-result"
PASSWORD_CURRENT = "password-current"
PASSWORD_NEW = "password-new"
PASSWORD_REPEAT = "password-repeat"
PASSWORD_SAVE = "password-save"
PASSWORD_RESULT = "password-result"
WHATIF_APPLY = "whatif-apply"
WHATIF_RESET = "whatif-reset"
WHATIF_RESULT = "whatif-result"
AUDIT_FILTER_ACTION = "audit-filter-action"
AUDIT_FILTER_USER = "audit-filter-user"
AUDIT_DOWNLOAD = "audit-download"
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
