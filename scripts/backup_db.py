"""Back up the hub's database: a consistent online copy, verified before it is kept.

    python scripts/backup_db.py --output /backups/$(date +%Y%m%d).sql
    python scripts/backup_db.py --output /backups/daily/ --keep-days 7

SQLite: the SQLite online backup API (safe while the app reads and writes), gzipped; the
file is a gzip-compressed SQLite database whatever its name, checked with PRAGMA
integrity_check. PostgreSQL: pg_dump --format=custom, checked with pg_restore --list.
--output names the file, or a folder to create analytics_hub_<UTC time>.db.gz (or .pgdump)
in. --keep-days N then deletes backups made by this tool older than N days in that folder.
Exit code 0 on success, 1 when the backup failed (nothing is left at the output), 2 for a
bad setting or argument.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.backup import BackupError, backup  # noqa: E402
from settings import settings_or_exit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # a string, not a Path: Path drops the trailing "/" that marks a folder yet to be created
    parser.add_argument("--output", required=True,
                        help="backup file, or folder (existing, or ending in /) to write one in")
    parser.add_argument("--keep-days", type=_positive, metavar="N",
                        help="delete this tool's backups older than N days in the output folder")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    try:
        result = backup(settings, args.output, args.keep_days)
    except (BackupError, OSError) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"Backup written: {result.path} ({result.size_bytes / 1024 / 1024:,.1f} MB, "
          f"integrity verified) in {result.seconds:.1f} s")
    for path in result.removed:
        print(f"Removed old backup {path}")
    return 0


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days (1 or more)")
    return int(value)


if __name__ == "__main__":
    sys.exit(main())
