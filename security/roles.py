"""The roles and what each may do, defined once."""

from __future__ import annotations

EXECUTIVE, ANALYST, STEWARD, OPS = "executive", "analyst", "steward", "ops"
ROLES = (EXECUTIVE, ANALYST, STEWARD, OPS)
EVERYONE_WITH_DATA = frozenset({EXECUTIVE, ANALYST, STEWARD})

PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard": EVERYONE_WITH_DATA,
    "export_png": EVERYONE_WITH_DATA,
    "export_pdf": EVERYONE_WITH_DATA,
    "export_csv": frozenset({ANALYST, STEWARD}),
    "export_xlsx": frozenset({ANALYST, STEWARD}),
    "data_table": frozenset({ANALYST, STEWARD}),
    "audit": frozenset({STEWARD}),
    "manage_users": frozenset({STEWARD}),
    "manage_settings": frozenset({STEWARD}),  # the organisation's targets and index weights
    "change_password": frozenset(ROLES),  # one's own
    "diagnostics": frozenset({OPS}),
    "settings": frozenset({OPS}),
    "data": frozenset({STEWARD}),  # issue 10: load, preview, import and roll back data; API tokens
    "quality": frozenset({ANALYST, STEWARD}),  # issue 10: the data quality page
    "metrics": frozenset({OPS}),
}

# What a download needs, by the file's extension or figure
EXPORT_PERMISSION = {"png": "export_png", "pdf": "export_pdf", "csv": "export_csv", "xlsx": "export_xlsx"}


def role_can(role: str | None, permission: str) -> bool:
    return role in PERMISSIONS[permission]
