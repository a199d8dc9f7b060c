"""The Analytics Hub: `create_app(settings)` builds the Dash app and its Flask server.

`gunicorn app:server` serves it; the server is built on first access, so importing this
module touches neither the settings nor the database.
"""

from __future__ import annotations

import os
from importlib import resources
from urllib.parse import urlencode

import dash
from dash.exceptions import DependencyException
from flask import Flask, abort, g, jsonify, redirect, request, send_from_directory
from werkzeug.exceptions import Forbidden, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from callbacks import intake_routes, registry, router
from data.runtime import runtime
from exports.routes import exports
from layouts.text import DEFAULT_LANGUAGE, direction, t
from ops.delivery import YEAR_S, defer_scripts, init_compression, plotly_bundle
from ops.instrumentation import instrument
from ops.routes import register_ops_routes
from security.payloads import MalformedCallback, check_callback, parsed_body
from security.preferences import asked_language, remember_language, remembered_language
from security.web import add_security_headers, init_security, signed_in
from settings import Settings

BOOTSTRAP_DIR = resources.files("flask_bootstrap") / "static" / "bootstrap5" / "css"
# The same Bootstrap release (5.3.8) built right to left, for Arabic pages.
BOOTSTRAP_RTL_DIR = resources.files("xstatic.pkg.bootstrap") / "data" / "css"
BOOTSTRAP_CSS = "/vendor/bootstrap/bootstrap.min.css"
BOOTSTRAP_RTL_CSS = "/vendor/bootstrap-rtl/bootstrap.rtl.min.css"
STYLESHEETS = [BOOTSTRAP_CSS, "/vendor/bootstrap/font/bootstrap-icons.min.css"]
# Noto Sans Arabic for the interface, from Debian's fonts-noto-core (what PNG and PDF exports use).
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto")
SERVED_FONTS = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")
CALLBACK_OWNERS = "hub_callback_owners"  # server.extensions key: {callback key: the page that owns it}


class HubDash(dash.Dash):
    """Dash with the page registry's say over the HTML page: each page's own <title>, a 404
    status for a path that is no page, and the page's language: `lang` and `dir` on <html>
    and the right-to-left Bootstrap for Arabic.

    The language is the URL's `lang`; a URL without one gets the user's remembered language
    (by a redirect, so that the URL always says it), and a URL with one is remembered."""

    def index(self, *args, **kwargs):
        page = registry.page_for(request.path)
        shown = registry.landing(page)
        if shown is not page:  # e.g. ops open Diagnostics instead of a page their role cannot use
            query = request.query_string.decode()
            return redirect(shown.path + (f"?{query}" if query else ""))
        account = signed_in()
        asked = asked_language()
        if asked is None:
            remembered = remembered_language(account)
            if remembered != DEFAULT_LANGUAGE and page is not None:
                return redirect(request.path + "?" + urlencode({**request.args, "lang": remembered}))
            asked = DEFAULT_LANGUAGE
        else:
            remember_language(account, asked)
        g.hub_lang = asked
        page_html = super().index(*args, **kwargs)
        return page_html if page else (page_html, 404)

    def interpolate_index(self, **kwargs):
        lang = g.get("hub_lang", DEFAULT_LANGUAGE)
        kwargs["title"] = router.page_title(registry.page_for(request.path), lang)
        if direction(lang) == "rtl":
            kwargs["css"] = kwargs["css"].replace(BOOTSTRAP_CSS, BOOTSTRAP_RTL_CSS)
        kwargs["app_entry"] = kwargs["app_entry"].replace("Loading...", t("loading", lang))
        kwargs["scripts"], lazy = defer_scripts(kwargs["scripts"])
        kwargs["metas"] += lazy
        html = super().interpolate_index(**kwargs)
        return html.replace("<html>", f'<html lang="{lang}" dir="{direction(lang)}">', 1)


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    server = Flask(__name__)
    if settings.proxy_hops:  # behind nginx: the client's address, not the proxy's, for limits and the audit log
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    runtime.init(settings, server)
    server.secret_key = settings.flask_secret_key()
    _limit_bodies(server, settings)
    init_security(server, settings)
    init_compression(server)
    bundle = plotly_bundle()
    _register_routes(server, bundle)
    register_ops_routes(server, settings)
    server.register_blueprint(exports)
    _register_intake(server, settings)

    app = HubDash(
        __name__,
        server=server,
        title=t("app_title"),
        update_title=None,
        external_stylesheets=STYLESHEETS,
        # plotly.js with the page's first scripts, not after the page's first callback: dcc.Graph
        # uses window.Plotly when it is there instead of fetching it later.
        external_scripts=[{"src": bundle.url, "defer": "defer"}],
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = router.layout
    router.register(app)
    server.extensions[CALLBACK_OWNERS] = registry.register_page_callbacks(app)
    _check_callback_requests(app)
    instrument(app, settings)
    add_security_headers(app)
    # Dash sets up its script registry on the first request, and under threaded workers a
    # request arriving during that set-up is refused (plotly/dash#3971): set up now instead,
    # through a public path that passes the sign-in guard.
    server.test_client().get("/_favicon.ico")
    return app


def _limit_bodies(server: Flask, settings: Settings) -> None:
    """Request bodies up to REQUEST_MAX_BYTES (413 beyond), uploads up to UPLOAD_MAX_BYTES."""
    server.config["MAX_CONTENT_LENGTH"] = settings.request_max_bytes

    @server.before_request
    def upload_limit():
        if request.path.startswith(settings.upload_path_prefix) or request.path == intake_routes.API_UPLOADS:
            request.max_content_length = settings.upload_max_bytes


def _register_intake(server: Flask, settings: Settings) -> None:
    """The page's upload under UPLOAD_PATH_PREFIX, templates and report, and the API, whose
    requests carry a token instead of a session and so no CSRF token."""
    server.register_blueprint(intake_routes.uploads, url_prefix=settings.upload_path_prefix)
    server.register_blueprint(intake_routes.files)
    server.register_blueprint(intake_routes.api)
    server.extensions["csrf"].exempt(intake_routes.api)


def _check_callback_requests(app: dash.Dash) -> None:
    """A malformed /_dash-update-component body is refused with a 400 before Dash reads it
    (security/payloads.py); the callback it names is kept for the access log and metrics."""
    route = f"{app.config.routes_pathname_prefix}_dash-update-component"

    @app.server.before_request
    def check_callback_request():
        if request.path == route and request.method == "POST":
            g.callback_key = check_callback(parsed_body(), app.callback_map)


def _register_routes(server: Flask, bundle) -> None:
    @server.get("/vendor/bootstrap/<path:filename>")
    def bootstrap_files(filename: str):
        return send_from_directory(str(BOOTSTRAP_DIR), filename, max_age=86400)

    @server.get("/vendor/bootstrap-rtl/bootstrap.rtl.min.css")
    def bootstrap_rtl():
        return send_from_directory(str(BOOTSTRAP_RTL_DIR), "bootstrap.rtl.min.css", max_age=86400)

    @server.get("/vendor/fonts/<name>")
    def font_file(name: str):
        if name not in SERVED_FONTS:
            abort(404)
        folder = next((d for d in FONT_DIRS if os.path.exists(os.path.join(d, name))), None)
        if folder is None:
            abort(404)  # fonts-noto-core is missing: the browser falls back to its own fonts
        return send_from_directory(folder, name, max_age=86400)

    @server.get(bundle.url)
    def plotly_js():  # the URL names variant and version: the browser may keep it for a year
        response = send_from_directory(str(bundle.folder), bundle.filename, max_age=YEAR_S)
        response.cache_control.immutable = True
        return response

    @server.get("/vendor/<path:_anything>")
    def no_such_vendor_file(_anything: str):
        abort(404)

    @server.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        return jsonify({"error": "not allowed", "reason": error.description}), 403

    @server.errorhandler(MalformedCallback)
    def malformed_callback(error: MalformedCallback):
        g.refused = error.reason  # the access log line says why
        return jsonify({"error": "malformed callback request", "reason": error.reason}), 400

    @server.errorhandler(DependencyException)
    def no_such_component_file(_error):
        return jsonify({"error": "not found"}), 404

    @server.errorhandler(HTTPException)
    def client_error(error: HTTPException):
        """Every other HTTP error as short JSON: no page, no traceback."""
        return jsonify({"error": error.name.lower(), "reason": error.description}), error.code

    @server.errorhandler(500)
    def server_error(_error):
        return jsonify({"error": "internal error: the incident was logged"}), 500


def __getattr__(name: str):
    if name == "server":
        global server
        server = create_app().server
        return server
    raise AttributeError(name)
