"""Operational HTTP endpoints on the Flask server: /healthz and /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Flask, Response, jsonify, request

from data.runtime import runtime
from ops.health import health_report
from ops.metrics import exposition
from settings import Settings


def register_ops_routes(server: Flask, settings: Settings) -> None:
    @server.get("/healthz")
    def healthz():
        report = health_report(settings)
        return jsonify(report), 503 if report["status"] == "unhealthy" else 200

    @server.get("/metrics")
    def metrics():
        if not metrics_allowed(request.remote_addr, request.headers.get("Authorization", ""),
                               settings.metrics_token):
            return jsonify({"error": "metrics are served to loopback addresses, or with "
                                     "'Authorization: Bearer <METRICS_TOKEN>'"}), 403
        body, content_type = exposition(runtime.cache)
        return Response(body, content_type=content_type)


def metrics_allowed(remote_addr: str | None, authorization: str, token: str | None) -> bool:
    """Scrapers have no session, so /metrics passes the sign-in guard and is served only to a
    request from this machine or one carrying the metrics token."""
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False
