"""The services of the app, reached one way: `runtime.settings`, `runtime.engine` and
`runtime.cache`.

`create_app` calls `runtime.init(settings, server)` once (in the manner of Flask's
`init_app`: the services are kept in `server.extensions`); a command-line tool calls
`runtime.init(settings)`. Inside a request the services are those of the app serving it;
elsewhere, those set up last in this process. Using them before `init` raises an error
that says so. The engine is looked up per process id, so a forked gunicorn worker never
shares its parent's connections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from sqlalchemy import Engine

from data.engine import get_engine

if TYPE_CHECKING:
    from flask import Flask

    from data.cache import Cache
    from settings import Settings

EXTENSION = "hub_runtime"


class NotConfigured(RuntimeError):
    """A service was used before `runtime.init(settings)`."""


class Services:
    """The settings, database and cache of one app."""

    def __init__(self, settings: Settings):
        from data.cache import Cache

        self.settings = settings
        self.cache: Cache = Cache.from_settings(settings)

    @property
    def engine(self) -> Engine:
        return get_engine(self.settings.database_url)


class Runtime:
    """The current app's services (see the module's description)."""

    def __init__(self) -> None:
        self._latest: Services | None = None

    def init(self, settings: Settings, server: Flask | None = None) -> Services:
        services = Services(settings)
        self._latest = services
        if server is not None:
            server.extensions[EXTENSION] = services
        return services

    def current(self) -> Services:
        if has_app_context() and EXTENSION in current_app.extensions:
            return current_app.extensions[EXTENSION]
        if self._latest is None:
            raise NotConfigured("the hub is not set up: call runtime.init(settings) first")
        return self._latest

    @property
    def settings(self) -> Settings:
        return self.current().settings

    @property
    def engine(self) -> Engine:
        return self.current().engine

    @property
    def cache(self) -> Cache:
        return self.current().cache


runtime = Runtime()
