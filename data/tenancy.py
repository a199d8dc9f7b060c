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


class NotSignedIn(PermissionError):
    """A request reached the data layer without a tenant decided by the server."""


def current_tenant() -> Tenant:
    """The tenant of the current request, as the sign-in guard decided it on the server:
    the signed-in user's tenant, or the default tenant while sign-in is off. Never anything
    the browser sent."""
    from flask import g

    tenant_id = g.get("hub_tenant")
    if tenant_id is None:
        raise NotSignedIn("no tenant for this request: the sign-in guard did not admit it")
    return Tenant(tenant_id)
