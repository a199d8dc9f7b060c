"""Sign-in on the Flask server: the login page, the guard in front of every route, role
checks and security headers, on the field's libraries: Flask-Login for the signed-in user,
Flask-Session for server-side sessions (security/sessions.py), Flask-WTF for CSRF on forms
and Flask-Limiter for throttling (security/limits.py)."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, current_app, g, jsonify, redirect, render_template_string, request, session
from flask_limiter import RateLimitExceeded
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from data.runtime import runtime
from security import accounts, api_tokens, audit
from security.limits import LIMITER, client_address, failed_sign_in_limits, init_limits, retry_after
from security.roles import EXPORT_PERMISSION, role_can
from security.sessions import init_sessions
from settings import Settings

log = logging.getLogger(__name__)
PUBLIC_PATHS = ("/login", "/healthz", "/metrics", "/_favicon.ico")
PUBLIC_PREFIXES = ("/vendor/", "/assets/", "/_dash-component-suites/")
API_PREFIX = "/api/"  # the ingestion API: a tenant's bearer token, never a session (issue 10)
USER_CHECK_SECONDS = 10  # how long a worker trusts "are there any users?" before asking again
SEEN_EVERY_SECONDS = 60  # how often a session's last activity is written (its idle timeout)
DASH_CALLBACKS_VIEW = "dash.dash.dispatch"  # JSON only (security/payloads.py), so no form can forge one
FAILED = 401
PASSWORD_PATH = "/account/password"  # where an account signed in with a one-time password is held


def init_security(server: Flask, settings: Settings) -> None:
    init_sessions(server, settings)
    server.config.update(WTF_CSRF_TIME_LIMIT=None)  # a form's token lives as long as its session
    csrf = CSRFProtect(server)
    csrf.exempt(DASH_CALLBACKS_VIEW)
    login_manager = LoginManager(server)
    login_manager.user_loader(_load_account)
    limiter = init_limits(server, settings)
    server.before_request(guard)
    per_address = limiter.limit(f"{settings.login_rate_limit} per minute", methods=["POST"])
    growing_delays = limiter.limit(failed_sign_in_limits(settings.login_max_attempts), key_func=_name_and_address,
                                   methods=["POST"], deduct_when=lambda response: response.status_code == FAILED)
    server.add_url_rule("/login", "login", per_address(growing_delays(login)), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    server.register_error_handler(CSRFError, _form_expired)
    server.register_error_handler(RateLimitExceeded, _too_many_requests)


# --- who is asking --------------------------------------------------------------------

_user_checks: dict[str, tuple[float, bool]] = {}  # database URL: (when asked, any active user)


def auth_enabled() -> bool:
    """On in staging and production, and whenever a credential exists (AUTH_PASSWORD or any
    active user); off only in a development or test set-up without credentials."""
    settings = runtime.settings
    if settings.env in ("staging", "production") or settings.auth_password:
        return True
    asked_at, found = _user_checks.get(settings.database_url, (0.0, False))
    if time.monotonic() - asked_at > USER_CHECK_SECONDS:
        try:
            found = accounts.active_user_count(runtime.engine) > 0
        except Exception:  # an unreadable database must not open the doors: fail closed
            log.exception("cannot read the users table; sign-in stays required")
            return True  # for this request only: the next one asks again, so a database restart costs seconds
        _user_checks[settings.database_url] = (time.monotonic(), found)
    return found


def signed_in() -> accounts.Account | None:
    return g.get("hub_account")


def allowed(permission: str) -> bool:
    """Whether the current request may do `permission` (everything while sign-in is off)."""
    if not g.get("hub_auth", False):
        return True
    account = signed_in()
    if account is not None and account.must_change_password:  # a one-time password: only its change
        return permission == "change_password"
    return account is not None and role_can(account.role, permission)


def must_change_password() -> bool:
    account = signed_in()
    return bool(account and account.must_change_password)


def _load_account(user_token: str) -> accounts.Account | None:
    """Flask-Login's user loader: "<user id>:<session version>" from the session."""
    user_id, _, version = user_token.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return accounts.active_account(runtime.engine, int(user_id), int(version))


def _session_account() -> accounts.Account | None:
    """The signed-in account, if the session is valid: known user, same session version,
    not idle too long, not older than the absolute lifetime."""
    settings = runtime.settings
    if not current_user.is_authenticated:
        return None
    started, seen = session.get("started_at", 0), session.get("seen_at", 0)
    now = time.time()
    if now - seen > settings.session_idle_minutes * 60 or now - started > settings.session_max_hours * 3600:
        end_session()
        return None
    if now - seen > SEEN_EVERY_SECONDS:
        session["seen_at"] = now
    return current_user._get_current_object()


def end_session() -> None:
    """Sign out of this session: Flask-Session deletes it from the store, the cookie goes."""
    logout_user()
    session.clear()


# --- the guard --------------------------------------------------------------------------

def guard():
    """Runs before every request: public paths pass; everything else needs a valid session
    when sign-in is on, and exports need the role's permission."""
    path = request.path
    g.hub_auth = False
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if path.startswith(API_PREFIX):
        return _token_guard()
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
    if account.must_change_password:
        return _hold_for_password_change(path)
    if path.startswith("/export/"):
        permission = EXPORT_PERMISSION.get(path.rsplit(".", 1)[-1])
        if permission is None or not role_can(account.role, permission):
            return jsonify({"error": "not allowed", "reason": "your role may not download this"}), 403
    return None


def _token_guard():
    """The API's requests carry `Authorization: Bearer <token>`: the token decides the tenant,
    whether sign-in is on or not. No token, an unknown or a revoked one: 401."""
    holder = api_tokens.holder(runtime.engine, request.headers.get("Authorization"))
    if holder is None:
        return jsonify({"error": "a valid API token is required"}), 401, {"WWW-Authenticate": "Bearer"}
    g.hub_auth, g.hub_tenant, g.hub_api_token = True, holder.tenant_id, holder
    return None


def _hold_for_password_change(path: str):
    """An account signed in with a one-time password reaches only the change-password page
    (and the callbacks, which allow nothing else: see `allowed`) until it has its own."""
    if path.startswith("/export/"):
        return jsonify({"error": "not allowed", "reason": "change your one-time password first"}), 403
    if request.method == "GET" and not path.startswith("/_dash") and path != PASSWORD_PATH:
        query = f"?lang={request.args['lang']}" if request.args.get("lang") in ("en", "ar") else ""
        return redirect(PASSWORD_PATH + query)
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
    """The signed CSRF token of this session, for a form (Flask-WTF checks it on POST)."""
    return generate_csrf()


def login():
    from layouts.text import t

    next_path = _local_path(request.values.get("next") or "/")
    lang = _login_language(next_path)
    if request.method == "GET":
        return _login_page(next_path, lang)
    username = request.form.get("username", "")
    account, reason = accounts.authenticate(runtime.engine, username, request.form.get("password", ""))
    if account is None:
        audit.record(runtime.engine, "login_failure", None, _typed_name(username) or None, client_address(),
                     reason=reason)
        _track_login(False, None)
        return _login_page(next_path, lang, t("login_failed", lang)), FAILED
    session.clear()  # a new session: nothing from before sign-in survives ...
    login_user(account)
    now = time.time()
    session.update(started_at=now, seen_at=now)
    current_app.session_interface.regenerate(session)  # ... under a new id (no fixation)
    # The session's CSRF secret is made with it: the pages a browser opens at once after
    # sign-in then share one token, instead of each making one and the last write winning.
    g.pop("csrf_token", None)
    generate_csrf()
    audit.record(runtime.engine, "login_success", account.tenant_id, account.username, client_address())
    _track_login(True, account)
    if "lang" in request.args and "lang=" not in next_path:  # the language chosen on the sign-in page
        next_path += ("&" if "?" in next_path else "?") + urlencode({"lang": lang})
    return redirect(next_path)


def logout():
    account = _session_account()
    if account is not None:
        accounts.end_sessions(runtime.engine, account.username)
        audit.record(runtime.engine, "logout", account.tenant_id, account.username, client_address())
    end_session()
    return redirect("/login")


def _typed_name(username) -> str:
    return username.strip().lower()[:64] if isinstance(username, str) else ""


def _name_and_address() -> str:
    """The failed-sign-in throttle's key: the name typed (existing or not) and the address."""
    return f"{_typed_name(request.form.get('username', ''))}@{client_address()}"


def _form_expired(_error: CSRFError):
    from layouts.text import t

    if request.path == "/login":
        next_path = _local_path(request.values.get("next") or "/")
        lang = _login_language(next_path)
        return _login_page(next_path, lang, t("login_expired", lang)), 400
    return jsonify({"error": "the form has expired; reload the page"}), 400


def _too_many_requests(error: RateLimitExceeded):
    """A sign-in over a limit gets the sign-in page saying when to try again; anything else
    over a limit gets JSON (the export blueprint answers its own)."""
    from layouts.text import t

    wait = retry_after(current_app.extensions[LIMITER])
    if request.path == "/login":
        next_path = _local_path(request.values.get("next") or "/")
        lang = _login_language(next_path)
        page = _login_page(next_path, lang, t("login_too_many", lang, wait=wait))
        return page, 429, {"Retry-After": str(wait)}
    return jsonify({"error": "rate limited", "reason": f"too many requests: try again in {wait} s"}), 429, \
        {"Retry-After": str(wait)}


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

    # /login is public, so the request has no tenant yet: a sign-in's tenant is the account's
    track("login", success=success, role=account.role if account else None,
          tenant=account.tenant_id if account else None)


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
