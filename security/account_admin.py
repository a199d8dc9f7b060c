"""Accounts managed by an organisation's stewards in the app (issue 14), on top of
security/accounts.py (the command-line tool uses the same functions without these rules):

- a steward acts only on accounts of their own organisation, and only on executive, analyst
  and steward accounts (ops accounts are the operators', managed on the command line);
- a steward gives no role above steward;
- the organisation's last active steward can be neither disabled nor given another role;
- new accounts and password resets get a one-time password, shown once, to be changed at
  the next sign-in.

Each refusal is a `Refused` naming a text key, so the page says it in the user's language.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine

from security import accounts
from security.limits import release_name
from security.roles import ANALYST, EXECUTIVE, STEWARD

ASSIGNABLE_ROLES = (EXECUTIVE, ANALYST, STEWARD)
ACTIONS = ("role", "disable", "enable", "reset", "unlock")


class Refused(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def managed(engine: Engine, tenant_id: str, username) -> dict:
    """The account a steward of `tenant_id` may act on, or Refused."""
    try:
        name = accounts.normalise_username(username)
    except accounts.AccountError:
        raise Refused("users_no_such_account") from None
    row = accounts.account_row(engine, name)
    if row is None or row["tenant_id"] != tenant_id:  # another organisation's account does not exist here
        raise Refused("users_no_such_account")
    if row["role"] not in ASSIGNABLE_ROLES:
        raise Refused("users_not_yours")
    return row


def create(engine: Engine, tenant_id: str, username, role) -> tuple[str, str]:
    """A new account of the organisation; returns its name and one-time password."""
    if role not in ASSIGNABLE_ROLES:
        raise Refused("users_role_not_allowed")
    try:
        name = accounts.normalise_username(username)
    except accounts.AccountError:
        raise Refused("users_bad_name") from None
    if accounts.account_row(engine, name) is not None:
        raise Refused("users_exists")
    password = accounts.one_time_password()
    accounts.create_user(engine, name, tenant_id, role, password, must_change=True)
    return name, password


def act(engine: Engine, server: Flask, tenant_id: str, username, action, role=None) -> str | None:
    """Carry out `action` on an account; returns the one-time password of a reset."""
    if action not in ACTIONS:
        raise Refused("users_unknown_action")
    row = managed(engine, tenant_id, username)
    name = row["username"]
    if action == "role":
        if role not in ASSIGNABLE_ROLES:
            raise Refused("users_role_not_allowed")
        if role != STEWARD:
            _keep_a_steward(engine, tenant_id, row)
        accounts.set_role(engine, name, role)
    elif action == "disable":
        _keep_a_steward(engine, tenant_id, row)
        accounts.disable(engine, name)
    elif action == "enable":
        accounts.enable(engine, name)
    elif action == "unlock":
        release_name(server, name)
    else:
        password = accounts.one_time_password()
        accounts.set_password(engine, name, password, must_change=True)
        return password
    return None


def _keep_a_steward(engine: Engine, tenant_id: str, row: dict) -> None:
    if row["role"] == STEWARD and row["is_active"] and accounts.active_stewards(engine, tenant_id) <= 1:
        raise Refused("users_last_steward")
