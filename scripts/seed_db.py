"""Re-create the database and load the synthetic seed data, after asking.

    python scripts/seed_db.py            # the database of the current settings
    python scripts/seed_db.py --yes      # do not ask before replacing existing data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data import database  # noqa: E402
from data.engine import get_engine  # noqa: E402
from settings import settings_or_exit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yes", action="store_true", help="replace existing data without asking")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    if settings.sqlite_file is not None:
        settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    engine = get_engine(settings.database_url)
    try:
        existing = database.observation_count(engine) if database.has_schema(engine) else 0
    except Exception as error:  # report any driver error plainly
        print(f"cannot read the database: {error}", file=sys.stderr)
        return 1
    if existing and not args.yes:
        answer = input(f"The database holds {existing:,} observations. Delete them and re-seed? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    database.drop_all(engine)
    rows = database.seed(engine)
    print(f"Seeded {rows:,} synthetic observations into {engine.url.render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
