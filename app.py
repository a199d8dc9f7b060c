"""The Analytics Hub: `create_app(settings)` builds the Dash app and its Flask server.

`gunicorn app:server` serves it; the server is built on first access, so importing this
module touches neither the settings nor the database.
"""

from __future__ import annotations

from importlib import resources

import dash
from flask import Flask, jsonify, send_from_directory

from callbacks import register_callbacks, router
from data.cache import configure_cache
from data.queries import use_database
from exports.routes import register_export_routes
from layouts.text import t
from ops.instrumentation import instrument
from ops.routes import register_ops_routes
from security.web import add_security_headers, init_security
from settings import Settings

BOOTSTRAP_DIR = resources.files("flask_bootstrap") / "static" / "bootstrap5" / "css"
PLOTLY_DIR = resources.files("plotly") / "package_data"
STYLESHEETS = ["/vendor/bootstrap/bootstrap.min.css", "/vendor/bootstrap/font/bootstrap-icons.min.css"]


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    server = Flask(__name__)
    server.config["HUB_SETTINGS"] = settings
    server.secret_key = settings.flask_secret_key()
    use_database(settings.database_url)
    configure_cache(settings)
    init_security(server, settings)
    _register_routes(server)
    register_ops_routes(server, settings)
    register_export_routes(server, settings)

    app = dash.Dash(
        __name__,
        server=server,
        title=t("app_title"),
        update_title=None,
        external_stylesheets=STYLESHEETS,
        # plotly.js with the page's first scripts, not after the page's first callback: dcc.Graph
        # uses window.Plotly when it is there instead of fetching it later.
        external_scripts=[{"src": "/vendor/plotly/plotly.min.js", "defer": "defer"}],
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = router.layout
    register_callbacks(app)
    instrument(app, settings)
    add_security_headers(app)
    # Dash sets up its script registry on the first request, and under threaded workers a
    # request arriving during that set-up is refused (plotly/dash#3971): set up now instead,
    # through a public path that passes the sign-in guard.
    server.test_client().get("/_favicon.ico")
    return app


def _register_routes(server: Flask) -> None:
    @server.get("/vendor/bootstrap/<path:filename>")
    def bootstrap_files(filename: str):
        return send_from_directory(str(BOOTSTRAP_DIR), filename, max_age=86400)

    @server.get("/vendor/plotly/plotly.min.js")
    def plotly_bundle():
        return send_from_directory(str(PLOTLY_DIR), "plotly.min.js", max_age=86400)

    @server.errorhandler(500)
    def server_error(_error):
        return jsonify({"error": "internal error: the incident was logged"}), 500


def __getattr__(name: str):
    if name == "server":
        global server
        server = create_app().server
        return server
    raise AttributeError(name)
