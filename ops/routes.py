"""Operational HTTP endpoints on the Flask server: /healthz and /metrics; and, while the
last integrity check found the database damaged, the restore notice instead of every page."""

from __future__ import annotations

import hmac
import ipaddress
from datetime import datetime

from flask import Flask, Response, jsonify, render_template_string, request

from data.runtime import runtime
from layouts.format import format_time
from layouts.text import t
from ops import integrity
from ops.health import health_report
from ops.metrics import exposition
from settings import Settings

SERVED_WHILE_DAMAGED = ("/healthz", "/metrics", "/_favicon.ico")
SERVED_WHILE_DAMAGED_PREFIXES = ("/vendor/", "/assets/")
DAMAGED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><link rel="stylesheet" href="/vendor/bootstrap/bootstrap.min.css"></head>
<body class="bg-light"><main class="container my-5" style="max-width: 720px">
{% for lang, dir, text in versions %}
<section lang="{{ lang }}" dir="{{ dir }}" class="alert alert-danger mb-4" role="alert"
 id="database-damaged-{{ lang }}">
<h1 class="h4">{{ text.title }}</h1><p>{{ text.body }}</p><p class="mb-0">{{ text.action }}</p></section>
{% endfor %}</main></body></html>"""


def register_ops_routes(server: Flask, settings: Settings) -> None:
    # before the sign-in guard, which needs the accounts in the damaged database
    server.before_request_funcs.setdefault(None, []).insert(0, lambda: refuse_while_damaged(settings))

    @server.get("/healthz")
    def healthz():
        report = health_report(settings)
        return jsonify(report), 503 if report["status"] == "unhealthy" else 200

    @server.get("/metrics")
    def metrics():
        if not metrics_allowed(request.remote_addr, request.headers.get("Authorization", ""),
                               settings.metrics_token, settings.metrics_allow_loopback):
            served_to = "loopback addresses, or with " if settings.metrics_allow_loopback else "requests with "
            return jsonify({"error": f"metrics are served to {served_to}'Authorization: Bearer <METRICS_TOKEN>'"}), 403
        body, content_type = exposition(runtime.cache)
        return Response(body, content_type=content_type)


def refuse_while_damaged(settings: Settings):
    """While the last integrity check found damage: 503 for everything but health, metrics
    and static files; pages get the notice naming the check and saying to restore."""
    damage = integrity.damage(settings)
    path = request.path
    if damage is None or path in SERVED_WHILE_DAMAGED or path.startswith(SERVED_WHILE_DAMAGED_PREFIXES):
        return None
    checked = datetime.fromisoformat(damage["checked_at"])

    def values(lang: str) -> dict:
        return {"time": format_time(checked, lang), "detail": damage["detail"]}

    if request.method != "GET" or path.startswith(("/_dash", "/export")):
        return jsonify({"error": "database damaged", "reason": t("damaged_body", **values("en"))}), 503
    versions = [(lang, direction, {part: t(f"damaged_{part}", lang, **values(lang))
                                   for part in ("title", "body", "action")})
                for lang, direction in (("en", "ltr"), ("ar", "rtl"))]
    return render_template_string(DAMAGED_PAGE, title=t("damaged_title"), versions=versions), 503


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
