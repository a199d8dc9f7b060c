"""The language each user chose, remembered across sessions (table user_preferences), and the
language of a page request: the URL's `lang` when it has one, else the remembered one."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request, session
from sqlalchemy import Engine, insert, select, update

from data import schema
from data.runtime import runtime
from layouts.text import DEFAULT_LANGUAGE, LANGUAGES, language
from security import accounts

preferences = schema.user_preferences
SESSION_KEY = "lang"  # the language of a visitor without an account (sign-in off, or the login page)


def stored_language(engine: Engine, user_id: int) -> str | None:
    with engine.connect() as conn:
        found = conn.scalar(select(preferences.c.language).where(preferences.c.user_id == user_id))
    return found if found in LANGUAGES else None


def store_language(engine: Engine, user_id: int, lang: str) -> None:
    values = {"language": language(lang), "updated_at": datetime.now(UTC)}
    with engine.begin() as conn:
        changed = conn.execute(update(preferences).where(preferences.c.user_id == user_id).values(values))
        if changed.rowcount == 0:
            conn.execute(insert(preferences).values(user_id=user_id, **values))


def remembered_language(account: accounts.Account | None) -> str:
    """The signed-in user's stored choice, or this browser session's, or the default."""
    if account is not None:
        return stored_language(runtime.engine, account.user_id) or DEFAULT_LANGUAGE
    return language(session.get(SESSION_KEY))


def remember_language(account: accounts.Account | None, lang: str) -> None:
    """Keep `lang` for the signed-in user (or this browser session) when it changed."""
    if account is not None:
        if stored_language(runtime.engine, account.user_id) != lang:
            store_language(runtime.engine, account.user_id, lang)
    elif session.get(SESSION_KEY) != lang:
        session[SESSION_KEY] = lang


def asked_language() -> str | None:
    """The language the current request's URL names, if it names one the hub speaks."""
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else None
