"""Callback wiring: parse inputs, call the data layer, build outputs."""

from callbacks import router


def register_callbacks(app) -> None:
    router.register(app)
