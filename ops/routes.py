"""Operational HTTP endpoints on the Flask server: /healthz and /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Flask, Response, jsonify, request

from ops.health import health_report
from ops.metrics import exposition
from settings import Settings


def register_ops_routes(server: Flask, settings: Settings) -> None:
    @server.get("/healthz")
    def healthz():
        report = health_report(settings)
        return jsonify(report), 200 if report["status"] == "healthy" else 503

    @server.get("/metrics")
    def metrics():
        if not metrics_allowed(request.remote_addr, request.headers.get("Authorization", ""),
                               settings.metrics_token, settings.metrics_allow_loopback):
            served_to = "loopback addresses, or with " if settings.metrics_allow_loopback else "requests with "
            return jsonify({"error": f"metrics are served to {served_to}'Authorization: Bearer <METRICS_TOKEN>'"}), 403
        body, content_type = exposition()
        return Response(body, content_type=content_type)


def metrics_allowed(remote_addr: str | None, authorization: str, token: str | None,
                    allow_loopback: bool = True) -> bool:
    """Scrapers have no session, so /metrics passes the sign-in guard and is served only to a
    request carrying the metrics token, or from this machine where METRICS_ALLOW_LOOPBACK
    (on by default except in production, where a reverse proxy on the same host would make
    every request a loopback request)."""
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    if not allow_loopback:
        return False
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False
