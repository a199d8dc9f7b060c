"""Manage sign-in accounts of the database in the current settings.

    python scripts/manage_users.py create NAME --tenant mep --role analyst   (asks for the password)
    python scripts/manage_users.py reset-password NAME                       (asks for the password)
    python scripts/manage_users.py disable NAME
    python scripts/manage_users.py list [--tenant mep]

Passwords are read from the terminal, or from standard input when it is not a terminal,
never from the command line (where they would stay in the shell history).
On a new installation the database is created and seeded first, as the server would do on
its first start: so the first account can be made before the first start (production
refuses to start without one).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.database import ensure_database  # noqa: E402
from data.engine import get_engine  # noqa: E402
from security import accounts, audit  # noqa: E402
from security.roles import ROLES  # noqa: E402
from settings import settings_or_exit  # noqa: E402

ACTOR = "command-line"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings_or_exit()
    try:
        done = ensure_database(settings)
        if done.startswith("created"):
            print(done)
        return args.run(get_engine(settings.database_url), args)
    except (RuntimeError, accounts.AccountError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _create(engine, args) -> int:
    account = accounts.create_user(engine, args.name, args.tenant, args.role, _password())
    audit.record(engine, "user_created", account.tenant_id, ACTOR, None, user=account.username, role=account.role)
    print(f"created {account.username} ({account.role}) in tenant {account.tenant_id}")
    return 0


def _reset(engine, args) -> int:
    accounts.set_password(engine, args.name, _password())
    audit.record(engine, "password_reset", _tenant_of(engine, args.name), ACTOR, None, user=args.name)
    print(f"password of {args.name} reset; its sessions have ended")
    return 0


def _disable(engine, args) -> int:
    accounts.disable(engine, args.name)
    audit.record(engine, "user_disabled", _tenant_of(engine, args.name), ACTOR, None, user=args.name)
    print(f"{args.name} disabled; its sessions have ended")
    return 0


def _list(engine, args) -> int:
    users = accounts.list_users(engine, args.tenant)
    if not users:
        where = f" in tenant {args.tenant}" if args.tenant else ""
        print(f"No accounts{where}. Create one with: python scripts/manage_users.py create NAME --tenant ID "
              f"--role ROLE")
    for user in users:
        state = "active" if user["is_active"] else "disabled"
        print(f"{user['username']:24} {user['tenant_id']:12} {user['role']:10} {state}")
    return 0


def _tenant_of(engine, name: str) -> str | None:
    return next((u["tenant_id"] for u in accounts.list_users(engine) if u["username"] == name.lower()), None)


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first, second = getpass.getpass("Password: "), getpass.getpass("Again: ")
    if first != second:
        raise accounts.AccountError("the two passwords differ")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(required=True)
    create = commands.add_parser("create", help="create an account")
    create.add_argument("name")
    create.add_argument("--tenant", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.set_defaults(run=_create)
    reset = commands.add_parser("reset-password", help="set a new password and end its sessions")
    reset.add_argument("name")
    reset.set_defaults(run=_reset)
    disable = commands.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("name")
    disable.set_defaults(run=_disable)
    listing = commands.add_parser("list", help="list accounts")
    listing.add_argument("--tenant")
    listing.set_defaults(run=_list)
    return parser


if __name__ == "__main__":
    sys.exit(main())
