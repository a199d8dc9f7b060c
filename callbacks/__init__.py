"""Callback wiring: parse inputs, call the data layer, build outputs."""

from callbacks import dashboard, diagnostics, executive, router, settings_page


def register_callbacks(app) -> None:
    router.register(app)
    dashboard.register(app)
    executive.register(app)
    diagnostics.register(app)
    settings_page.register(app)
