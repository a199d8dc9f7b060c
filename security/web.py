"""Sign-in on the Flask server: the login page, sessions with idle and absolute limits,
the guard in front of every route, role checks, CSRF on forms and security headers."""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, current_app, g, jsonify, redirect, render_template_string, request, session

from data.runtime import runtime
from security import accounts, audit
from security.limits import RateLimiter
from security.roles import EXPORT_PERMISSION, role_can
from settings import Settings

log = logging.getLogger(__name__)
PUBLIC_PATHS = ("/login", "/healthz", "/metrics", "/_favicon.ico")
PUBLIC_PREFIXES = ("/vendor/", "/assets/", "/_dash-component-suites/")
USER_CHECK_SECONDS = 10  # how long a worker trusts "are there any users?" before asking again


def init_security(server: Flask, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        SESSION_COOKIE_NAME="hub_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
    )
    server.extensions["hub_login_limiter"] = RateLimiter(settings, settings.login_rate_limit, "login")
    server.before_request(guard)
    server.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])


# --- who is asking --------------------------------------------------------------------

_user_check = {"at": 0.0, "any": False}


def auth_enabled() -> bool:
    """On in staging and production, and whenever a credential exists (AUTH_PASSWORD or any
    active user); off only in a development or test set-up without credentials."""
    settings = runtime.settings
    if settings.env in ("staging", "production") or settings.auth_password:
        return True
    if time.monotonic() - _user_check["at"] > USER_CHECK_SECONDS:
        try:
            found = accounts.active_user_count(runtime.engine) > 0
        except Exception:  # an unreadable database must not open the doors: fail closed
            log.exception("cannot read the users table; sign-in stays required")
            found = True
        _user_check.update(at=time.monotonic(), any=found)
    return _user_check["any"]


def signed_in() -> accounts.Account | None:
    return g.get("hub_account")


def allowed(permission: str) -> bool:
    """Whether the current request may do `permission` (everything while sign-in is off)."""
    if not g.get("hub_auth", False):
        return True
    account = signed_in()
    return account is not None and role_can(account.role, permission)


def _session_account() -> accounts.Account | None:
    """The signed-in account, if the session is valid: known user, same session version,
    not idle too long, not older than the absolute lifetime."""
    settings = runtime.settings
    user_id, version = session.get("user_id"), session.get("session_version")
    started, seen = session.get("started_at", 0), session.get("seen_at", 0)
    now = time.time()
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    if now - seen > settings.session_idle_minutes * 60 or now - started > settings.session_max_hours * 3600:
        session.clear()
        return None
    account = accounts.active_account(runtime.engine, user_id, version)
    if account is None:
        session.clear()
        return None
    session["seen_at"] = now
    return account


# --- the guard --------------------------------------------------------------------------

def guard():
    """Runs before every request: public paths pass; everything else needs a valid session
    when sign-in is on, and exports need the role's permission."""
    path = request.path
    g.hub_auth = False
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if not auth_enabled():
        g.hub_tenant = runtime.settings.default_tenant
        return None
    g.hub_auth = True
    account = _session_account()
    if account is None:
        if request.method == "GET" and not path.startswith(("/_dash", "/export")):
            return redirect(f"/login?next={quote(_local_path(request.full_path))}")
        return jsonify({"error": "sign in required"}), 401
    g.hub_account = account
    g.hub_tenant = account.tenant_id
    if path.startswith("/export/"):
        permission = EXPORT_PERMISSION.get(path.rsplit(".", 1)[-1])
        if permission is None or not role_can(account.role, permission):
            return jsonify({"error": "not allowed", "reason": "your role may not download this"}), 403
    return None


# --- login and logout -------------------------------------------------------------------

LOGIN_PAGE = """<!doctype html>
<html lang="{{ lang }}" dir="{{ dir }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><link rel="icon" href="/_favicon.ico"><link rel="stylesheet" href="{{ css }}">
<link rel="stylesheet" href="/assets/style.css"></head>
<body class="bg-light"><main class="container" style="max-width: 420px; margin-top: 10vh">
<p class="text-end"><a href="{{ switch_href }}" lang="{{ other }}" hreflang="{{ other }}"
 class="btn btn-outline-secondary btn-sm" id="{{ ids.LANGUAGE_SWITCH }}">{{ other_name }}</a></p>
<h1 class="h4 mb-3">{{ title }}</h1>
{% if error %}<div class="alert alert-danger" role="alert" id="{{ ids.LOGIN_ERROR }}">{{ error }}</div>{% endif %}
<form method="post" action="{{ action }}" class="card card-body shadow-sm">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<label class="form-label" for="{{ ids.LOGIN_USERNAME }}">{{ username_label }}</label>
<input class="form-control mb-3" id="{{ ids.LOGIN_USERNAME }}" name="username" autocomplete="username"
 required autofocus>
<label class="form-label" for="{{ ids.LOGIN_PASSWORD }}">{{ password_label }}</label>
<input class="form-control mb-3" id="{{ ids.LOGIN_PASSWORD }}" name="password" type="password"
 autocomplete="current-password" required>
<button class="btn btn-primary" type="submit">{{ submit }}</button></form>
<p class="small text-muted mt-3">{{ notice }}</p></main></body></html>"""


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_valid() -> bool:
    sent = request.form.get("csrf_token", "")
    return bool(sent) and "csrf" in session and hmac.compare_digest(sent, session["csrf"])


def login():
    from layouts.text import t

    next_path = _local_path(request.values.get("next") or "/")
    lang = _login_language(next_path)
    if request.method == "GET":
        return _login_page(next_path, lang)
    if not csrf_valid():
        return _login_page(next_path, lang, t("login_expired", lang)), 400
    limiter = current_app.extensions["hub_login_limiter"]
    if limiter.hit(f"login:{request.remote_addr}") is not None:
        return _login_page(next_path, lang, t("login_too_many", lang)), 429
    username = request.form.get("username", "")
    settings = runtime.settings
    policy = accounts.Policy(settings.login_max_attempts, settings.login_lock_minutes)
    account, reason = accounts.authenticate(runtime.engine, username, request.form.get("password", ""), policy)
    if account is None:
        audit.record(runtime.engine, "login_failure", None, username.strip().lower()[:64] or None,
                     request.remote_addr, reason=reason)
        _track_login(False, None)
        return _login_page(next_path, lang, t("login_failed", lang)), 401
    session.clear()  # a new session: nothing from before sign-in survives (no fixation)
    session.permanent = True
    now = time.time()
    # The CSRF token is made now, with the session: every later copy of the cookie carries it,
    # whichever of several concurrent responses the browser keeps last.
    session.update(user_id=account.user_id, session_version=account.session_version, started_at=now, seen_at=now,
                   csrf=secrets.token_urlsafe(32))
    audit.record(runtime.engine, "login_success", account.tenant_id, account.username, request.remote_addr)
    _track_login(True, account)
    if "lang" in request.args and "lang=" not in next_path:  # the language chosen on the sign-in page
        next_path += ("&" if "?" in next_path else "?") + urlencode({"lang": lang})
    return redirect(next_path)


def logout():
    account = _session_account() if "user_id" in session else None
    if not csrf_valid():
        return jsonify({"error": "the form has expired; reload the page"}), 400
    if account is not None:
        accounts.end_sessions(runtime.engine, account.username)
        audit.record(runtime.engine, "logout", account.tenant_id, account.username, request.remote_addr)
    session.clear()
    return redirect("/login")


def _login_language(next_path: str) -> str:
    """The sign-in page speaks the language of its own URL, else of the page it leads to,
    else this browser's last choice."""
    from layouts.text import LANGUAGES, language_of
    from security.preferences import remembered_language

    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if "lang=" in next_path:
        return language_of(urlsplit(next_path).query)
    return remembered_language(None)


def _login_page(next_path: str, lang: str, error: str | None = None):
    from layouts import ids
    from layouts.text import direction, other_language, t

    other = other_language(lang)
    css = "/vendor/bootstrap-rtl/bootstrap.rtl.min.css" if direction(lang) == "rtl" else \
        "/vendor/bootstrap/bootstrap.min.css"
    return render_template_string(
        LOGIN_PAGE, ids=ids, title=t("login_title", lang), error=error, csrf=csrf_token(), next=next_path,
        username_label=t("login_username", lang), password_label=t("login_password", lang),
        submit=t("login_submit", lang), notice=t("synthetic_notice", lang), lang=lang, dir=direction(lang),
        css=css, other=other, other_name=t("language_name", other),
        switch_href="/login?" + urlencode({"next": next_path, "lang": other}),
        # a language chosen on this page goes with the form, and on to the page after sign-in
        action="/login?" + urlencode({"lang": lang}) if "lang" in request.args else "/login")


def _local_path(target: str) -> str:
    """Only paths on this site: never another host (no open redirect)."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _track_login(success: bool, account: accounts.Account | None) -> None:
    from ops.telemetry import track

    track("login", success=success, role=account.role if account else None)


# --- response headers -----------------------------------------------------------------

def add_security_headers(app) -> None:
    """A Content-Security-Policy that Dash works with (its inline scripts allowed by hash),
    and the headers that stop framing, sniffing and referrer leaks."""
    script_hashes = " ".join(app.csp_hashes())  # already quoted, e.g. 'sha256-...'
    policy = "; ".join([
        "default-src 'self'",
        f"script-src 'self' {script_hashes}",
        "style-src 'self' 'unsafe-inline'",  # Dash and Plotly set styles inline
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
    production = runtime.settings.env == "production"

    @app.server.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
