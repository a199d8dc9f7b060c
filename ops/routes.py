"""Operational HTTP endpoints on the Flask server."""

from __future__ import annotations

from flask import Flask, jsonify

from ops.health import health_report
from settings import Settings


def register_ops_routes(server: Flask, settings: Settings) -> None:
    @server.get("/healthz")
    def healthz():
        report = health_report(settings)
        return jsonify(report), 200 if report["status"] == "healthy" else 503
