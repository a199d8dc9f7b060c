"""Who the data belongs to. The tenant of a request is decided on the server, never by
the browser; every query of the data layer requires one."""

from __future__ import annotations

import re
from dataclasses import dataclass

TENANT_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


@dataclass(frozen=True)
class Tenant:
    id: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not TENANT_ID.match(self.id):
            raise ValueError(f"{self.id!r} is not a tenant id")


def current_tenant() -> Tenant:
    """The tenant of the current request. Until sign-in exists every request belongs to
    the configured default tenant."""
    from flask import current_app

    return Tenant(current_app.config["HUB_SETTINGS"].default_tenant)
