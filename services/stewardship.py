"""The tenant's targets and weights as the pages and downloads show them (issue 14)."""

from __future__ import annotations

from data.stewardship import DEFAULT_VERSION, SettingVersion, current_versions
from data.tenancy import Tenant
from layouts.format import format_integer
from layouts.text import t


def version_label(version: SettingVersion, lang: str = "en") -> str:
    """"version 3 (2026-12-01)", or the catalog's defaults."""
    if version.version == DEFAULT_VERSION:
        return t("setting_version_default", lang)
    return t("setting_version_label", lang, version=format_integer(version.version, lang),
             date=version.effective_date.isoformat())


def version_labels(tenant: Tenant, lang: str = "en") -> dict[str, str]:
    """The tenant's current weights and targets versions in words, for the downloads' metadata."""
    return {kind: version_label(version, lang) for kind, version in current_versions(tenant).items()}
