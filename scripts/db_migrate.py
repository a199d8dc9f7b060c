"""The database's schema revision: show it, upgrade, roll back, and write a new revision.

    python scripts/db_migrate.py current          # the database's revision and the newest one
    python scripts/db_migrate.py history          # every revision, newest first
    python scripts/db_migrate.py upgrade          # to the newest revision (the app does this at start)
    python scripts/db_migrate.py downgrade        # back one revision (asks first; --yes does not)
    python scripts/db_migrate.py downgrade 0001   # back to a given revision
    python scripts/db_migrate.py check            # exit 1 if data/schema.py and the newest revision differ
    python scripts/db_migrate.py revision -m "add api tokens"   # write the next revision from data/schema.py

The database is the one of the current settings (DATABASE_URL, or DATA_DIR's SQLite file).
upgrade and downgrade take the same lock as the app's start, so they never run beside a
starting replica. Exit code 0 on success, 1 when nothing was done, 2 for a bad setting or argument.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic.script import ScriptDirectory  # noqa: E402

from data import migrations  # noqa: E402
from data.engine import get_engine  # noqa: E402
from settings import settings_or_exit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("current", help="the database's revision and the newest one")
    commands.add_parser("history", help="every revision, newest first")
    commands.add_parser("upgrade", help="upgrade the database").add_argument("revision", nargs="?", default="head")
    down = commands.add_parser("downgrade", help="roll the database back (default: one revision)")
    down.add_argument("revision", nargs="?", default="-1")
    down.add_argument("--yes", action="store_true", help="do not ask first")
    commands.add_parser("check", help="compare data/schema.py with the newest revision")
    revision = commands.add_parser("revision", help="write the next revision from data/schema.py")
    revision.add_argument("-m", "--message", required=True, help="what the revision changes")
    revision.add_argument("--empty", action="store_true", help="an empty revision to write by hand")
    args = parser.parse_args(argv)
    if args.command in ("check", "revision", "history"):
        return COMMANDS[args.command](args)
    settings = settings_or_exit()
    if settings.sqlite_file is not None and not settings.sqlite_file.exists():
        print(f"the database file {settings.sqlite_file} does not exist: check DATA_DIR or DATABASE_URL "
              "(make run creates it)", file=sys.stderr)
        return 1
    engine = get_engine(settings.database_url)
    try:
        return COMMANDS[args.command](args, engine)
    except migrations.UnknownRevision as error:
        print(error, file=sys.stderr)
        return 1
    except Exception as error:  # a driver's or Alembic's error: say it plainly
        print(f"{args.command} failed, the database is unchanged: {error}", file=sys.stderr)
        return 1


def current(_args, engine) -> int:
    revision, newest = migrations.current(engine), migrations.head()
    where = engine.url.render_as_string(hide_password=True)
    if revision == newest:
        state = "up to date"
    elif revision is None:
        state = "not under migrations yet: `upgrade` creates the schema or adopts a database made before them"
    else:
        state = "behind: run `upgrade` (the app does at its next start)"
    print(f"{where}\nrevision: {revision or 'none'}\nnewest:   {newest}\n{state}")
    return 0


def history(_args) -> int:
    newest = migrations.head()
    for script in ScriptDirectory.from_config(migrations.config()).walk_revisions():
        marker = " (newest)" if script.revision == newest else ""
        print(f"{script.revision}{marker}  {script.doc.splitlines()[0]}")
    return 0


def upgrade(args, engine) -> int:
    with migrations.migration_lock(engine):
        before, after = migrations.upgrade(engine, args.revision)
    print(f"revision {before or 'none'} -> {after}" if before != after else f"already at revision {after}")
    return 0


def downgrade(args, engine) -> int:
    revision = migrations.current(engine)
    if revision is None:
        print("the database is not under migrations: nothing to roll back", file=sys.stderr)
        return 1
    if not args.yes:
        answer = input(f"Roll the database back from revision {revision} to {args.revision}? What the later "
                       "revisions added (tables, columns and their data) is dropped. Take a backup first "
                       "(scripts/backup_db.py). [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    with migrations.migration_lock(engine):
        before, after = migrations.downgrade(engine, args.revision)
    print(f"revision {before} -> {after or 'none (empty database)'}")
    return 0


def check(_args) -> int:
    differences = migrations.differences_from_head()
    if differences:
        print("data/schema.py differs from the newest revision "
              f"({migrations.head()}); write a revision with `scripts/db_migrate.py revision -m ...`:")
        for difference in differences:
            print(f"  {difference}")
        return 1
    print(f"data/schema.py matches revision {migrations.head()}")
    return 0


def revision(args) -> int:
    path = migrations.new_revision(args.message, empty=args.empty)
    if path is None:
        print("data/schema.py matches the newest revision: nothing to write (--empty writes one to fill in)")
        return 1
    print(f"Wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: read it through, "
          "then run tests/test_migrations.py")
    return 0


COMMANDS = {"current": current, "history": history, "upgrade": upgrade, "downgrade": downgrade,
            "check": check, "revision": revision}


if __name__ == "__main__":
    sys.exit(main())
