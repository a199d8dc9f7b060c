"""Accounts and the audit log on a real database: hashing, no lockout, session versions,
append-only audit, and the user-management command."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from data import database
from data.engine import get_engine
from security import accounts, audit
from tests.conftest import ROOT, sql_scalar

PASSWORD = "correct horse battery"


@pytest.fixture
def engine(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'accounts.db'}")
    database.seed(engine)
    return engine


def test_passwords_are_stored_as_salted_argon2_hashes(engine):
    accounts.create_user(engine, "Analyst.One", "mep", "analyst", PASSWORD)
    accounts.create_user(engine, "analyst.two", "mep", "analyst", PASSWORD)
    with engine.connect() as conn:
        hashes = [h for (h,) in conn.execute(text("SELECT password_hash FROM users ORDER BY username"))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1]  # salted
    assert PASSWORD not in "".join(hashes)


def test_authentication_and_reasons(engine):
    accounts.create_user(engine, "exec", "rda", "executive", PASSWORD)
    account, reason = accounts.authenticate(engine, " EXEC ", PASSWORD)
    assert reason == "ok" and (account.tenant_id, account.role) == ("rda", "executive")
    assert accounts.authenticate(engine, "exec", "wrong password!")[1] == "wrong password"
    assert accounts.authenticate(engine, "nobody", PASSWORD)[1] == "unknown user"


def test_repeated_failures_never_lock_the_account_or_write(engine):
    accounts.create_user(engine, "steward", "mep", "steward", PASSWORD)
    reasons = {accounts.authenticate(engine, "steward", "not it at all")[1] for _ in range(8)}
    assert reasons == {"wrong password"}
    assert sql_scalar(str(engine.url), "SELECT failed_attempts FROM users") == 0  # throttling is the route's job
    assert accounts.authenticate(engine, "steward", PASSWORD)[1] == "ok"


def test_session_version_ends_sessions(engine):
    account = accounts.create_user(engine, "ops", "mep", "ops", PASSWORD)
    assert accounts.active_account(engine, account.user_id, account.session_version) == account
    accounts.end_sessions(engine, "ops")
    assert accounts.active_account(engine, account.user_id, account.session_version) is None
    accounts.disable(engine, "ops")
    assert accounts.authenticate(engine, "ops", PASSWORD)[1] == "account disabled"


@pytest.mark.parametrize(("args", "message"), [
    (("x", "mep", "analyst", PASSWORD), "a user name is 2-64"),
    (("someone", "mep", "admin", PASSWORD), "role must be one of"),
    (("someone", "mep", "analyst", "short"), "at least 12 characters"),
    (("someone", "nowhere", "analyst", PASSWORD), "there is no tenant 'nowhere'"),
])
def test_bad_accounts_are_refused_and_nothing_is_written(engine, args, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(engine, *args)
    assert sql_scalar(str(engine.url), "SELECT COUNT(*) FROM users") == 0


def test_admin_password_is_set_from_auth_password(engine):
    assert accounts.ensure_admin(engine, PASSWORD, "mep") == "created"
    assert accounts.authenticate(engine, "admin", PASSWORD)[0].role == "steward"
    assert accounts.ensure_admin(engine, "rotated password 123", "mep") == "updated"
    assert accounts.authenticate(engine, "admin", PASSWORD)[1] == "wrong password"


def test_audit_log_is_append_only(engine):
    audit.record(engine, "export", "mep", "analyst", "127.0.0.1", format="csv")
    entries = audit.recent(engine, "mep")
    assert list(entries["action"]) == ["export"] and '"format": "csv"' in entries["detail"][0]
    assert audit.recent(engine, "rda").empty
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'nothing'"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def test_manage_users_command(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path), "ANALYTICS_HUB_ENV": "test"}
    database.seed(get_engine(f"sqlite:///{tmp_path / 'analytics_hub.db'}"))

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "scripts/manage_users.py", *args], cwd=ROOT, env=env,
                              input=stdin, capture_output=True, text=True, timeout=60)

    created = run("create", "layla", "--tenant", "mep", "--role", "analyst", stdin=PASSWORD + "\n")
    assert created.returncode == 0 and "created layla (analyst) in tenant mep" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr
    assert run("create", "layla", "--tenant", "mep", "--role", "analyst", stdin=PASSWORD + "\n").returncode == 2
    assert run("reset-password", "layla", stdin="another long password\n").returncode == 0
    assert run("disable", "layla").returncode == 0
    assert "disabled" in run("list").stdout
    url = f"sqlite:///{tmp_path / 'analytics_hub.db'}"
    actions = [a for (a,) in get_engine(url).connect().execute(text("SELECT action FROM audit_log ORDER BY id"))]
    assert actions == ["user_created", "password_reset", "user_disabled"]
