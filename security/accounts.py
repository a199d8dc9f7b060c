"""User accounts: salted argon2id password hashes, one tenant and one role each, and a
session version that ends every session when raised. (The `failed_attempts` and
`locked_until` columns stay in the table but no longer lock anyone: see authenticate.)"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Engine, func, insert, select, update

from data import schema
from security.roles import ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
ADMIN_USERNAME = "admin"

users = schema.users
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password nobody has, to spend the same time on unknown names")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Account(UserMixin):
    user_id: int
    username: str
    tenant_id: str
    role: str
    session_version: int
    must_change_password: bool = False  # signed in with a one-time password

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the user and the session version, so that
        raising the version (sign-out, password reset, disabling) ends every session."""
        return f"{self.user_id}:{self.session_version}"


def check_password_strength(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def one_time_password() -> str:
    """A random password to hand over once (16 characters, ~96 bits)."""
    return secrets.token_urlsafe(12)


def create_user(engine: Engine, username: str, tenant_id: str, role: str, password: str,
                must_change: bool = False) -> Account:
    username = normalise_username(username)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    check_password_strength(password)
    with engine.begin() as conn:
        if conn.scalar(select(schema.tenants.c.tenant_id).where(schema.tenants.c.tenant_id == tenant_id)) is None:
            raise AccountError(f"there is no tenant {tenant_id!r}")
        if conn.scalar(select(users.c.user_id).where(users.c.username == username)) is not None:
            raise AccountError(f"the user {username!r} already exists")
        user_id = conn.execute(insert(users).values(
            username=username, tenant_id=tenant_id, role=role, password_hash=_hasher.hash(password),
            is_active=True, failed_attempts=0, session_version=1, created_at=utc_now(),
            must_change_password=must_change,
        )).inserted_primary_key[0]
    return Account(int(user_id), username, tenant_id, role, 1, must_change)


def set_password(engine: Engine, username: str, password: str, must_change: bool = False) -> None:
    """Replace the password, unlock the account and end its sessions; `must_change` for a
    one-time password, to be replaced at the next sign-in."""
    check_password_strength(password)
    _update(engine, username, password_hash=_hasher.hash(password), failed_attempts=0, locked_until=None,
            session_version=users.c.session_version + 1, must_change_password=must_change)


def change_own_password(engine: Engine, username: str, current: str, new: str) -> None:
    """A user's own change: the current password first, the same rules as the command line,
    and not the same password again. Ends every session of the account."""
    with engine.connect() as conn:
        row = conn.execute(select(users.c.password_hash).where(users.c.username == username)).first()
    if row is None or not _verify(row[0], current):
        raise AccountError("the current password is wrong")
    if new == current:
        raise AccountError("the new password must differ from the current one")
    set_password(engine, username, new)


def set_role(engine: Engine, username: str, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _update(engine, username, role=role, session_version=users.c.session_version + 1)


def enable(engine: Engine, username: str) -> None:
    _update(engine, username, is_active=True)


def account_row(engine: Engine, username: str) -> dict | None:
    """The stored account (without its password hash), or None."""
    query = select(users.c.username, users.c.tenant_id, users.c.role, users.c.is_active,
                   users.c.must_change_password).where(users.c.username == username)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def active_stewards(engine: Engine, tenant_id: str) -> int:
    query = select(func.count()).select_from(users).where(
        users.c.tenant_id == tenant_id, users.c.role == "steward", users.c.is_active.is_(True))
    with engine.connect() as conn:
        return int(conn.scalar(query))


def disable(engine: Engine, username: str) -> None:
    _update(engine, username, is_active=False, session_version=users.c.session_version + 1)


def end_sessions(engine: Engine, username: str) -> None:
    _update(engine, username, session_version=users.c.session_version + 1)


def ensure_admin(engine: Engine, password: str, tenant_id: str) -> str:
    """The built-in steward `admin` gets this password (created on first use)."""
    with engine.connect() as conn:
        exists = conn.scalar(select(users.c.user_id).where(users.c.username == ADMIN_USERNAME)) is not None
    if exists:
        set_password(engine, ADMIN_USERNAME, password)
        _update(engine, ADMIN_USERNAME, is_active=True)
        return "updated"
    create_user(engine, ADMIN_USERNAME, tenant_id, "steward", password)
    return "created"


def authenticate(engine: Engine, username: str, password: str) -> tuple[Account | None, str]:
    """The account when the password is right; otherwise None and a reason for the audit log
    (never shown to the user, who only learns that sign-in failed). Every failure costs the
    same: one argon2 verification (of a dummy hash for an unknown or disabled name) and no
    write, so neither the answer nor its timing tells which names exist. Repeated failures
    are throttled by the sign-in route (security/limits.py), never by locking the account."""
    name = username.strip().lower() if isinstance(username, str) else ""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
    usable = row is not None and row["is_active"]
    if not _verify(row["password_hash"] if usable else _DUMMY_HASH, password):
        return None, "wrong password" if usable else "unknown user" if row is None else "account disabled"
    if not usable:
        return None, "account disabled"  # only reached when the dummy password was typed
    _update(engine, name, failed_attempts=0, locked_until=None, last_login_at=utc_now())
    return _account(row), "ok"


def active_account(engine: Engine, user_id: int, session_version: int) -> Account | None:
    """The account behind a session, if it is still active and the session still valid."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.user_id == user_id)).mappings().first()
    if row is None or not row["is_active"] or row["session_version"] != session_version:
        return None
    return _account(row)


def _account(row) -> Account:
    return Account(row["user_id"], row["username"], row["tenant_id"], row["role"], row["session_version"],
                   bool(row["must_change_password"]))


def active_user_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(users).where(users.c.is_active.is_(True))))


def list_users(engine: Engine, tenant_id: str | None = None) -> list[dict]:
    query = select(users.c.username, users.c.tenant_id, users.c.role, users.c.is_active, users.c.last_login_at,
                   users.c.must_change_password)
    if tenant_id is not None:
        query = query.where(users.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query.order_by(users.c.username)).mappings()]


def normalise_username(username: str) -> str:
    name = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME.match(name):
        raise AccountError("a user name is 2-64 lower-case letters, digits, dots, hyphens or underscores")
    return name


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password if isinstance(password, str) else "")
    except (VerificationError, InvalidHashError):
        return False


def _update(engine: Engine, username: str, **values) -> None:
    with engine.begin() as conn:
        result = conn.execute(update(users).where(users.c.username == normalise_username(username)).values(**values))
    if result.rowcount == 0:
        raise AccountError(f"there is no user {username!r}")


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive datetimes


def utc_now() -> datetime:
    return datetime.now(UTC)


def prepare_sign_in(settings) -> str:
    """At start-up: give `admin` the AUTH_PASSWORD when one is set, and refuse to run in
    production without any credential. Returns what was done, for the start-up log."""
    from data.engine import get_engine

    engine = get_engine(settings.database_url)
    if settings.auth_password:
        done = ensure_admin(engine, settings.auth_password, settings.default_tenant)
        return f"sign-in on; AUTH_PASSWORD applied to the {ADMIN_USERNAME} account ({done})"
    users_present = active_user_count(engine)
    if settings.env == "production" and users_present == 0:
        raise AccountError("production needs at least one credential: set AUTH_PASSWORD, or create a user "
                           "with `python scripts/manage_users.py create NAME --tenant ID --role ROLE`")
    return f"sign-in {'on' if users_present or settings.env in ('staging', 'production') else 'off'}"
