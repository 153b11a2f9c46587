"""A consistent copy of the SQLite database while the app keeps running (SQLite's backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup cannot be made (not SQLite, target exists, source missing)."""


def sqlite_path(database_uri: str) -> Path:
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise BackupError("flask db backup copies SQLite databases; for PostgreSQL use pg_dump "
                          "(see docs/deploy.md)")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database)


def backup_sqlite(database_uri: str, target: Path, pages_per_step: int = 1024) -> int:
    """Copy the database to `target` page by page; writers may go on meanwhile.

    SQLite's online backup restarts a step when another connection writes, so the copy is
    always a consistent snapshot. Returns the size of the copy in bytes.
    """
    source_path = sqlite_path(database_uri)
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=pages_per_step)
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)  # appears under its name only when complete
    return target.stat().st_size
