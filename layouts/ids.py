"""Component ids, defined once."""

URL = "url"
PAGE = "page-content"
NAV_DASHBOARD = "nav-dashboard"
NAV_DIAGNOSTICS = "nav-diagnostics"

INDEX_VALUE = "index-value"
INDEX_STATUS = "index-status"
STATUS_GRID = "status-grid"

DIAGNOSTICS_STATUS = "diagnostics-status"
DIAGNOSTICS_CHECKS = "diagnostics-checks"
