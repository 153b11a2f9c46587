"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine, event

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


def engine_options(url: str) -> dict:
    """Pool settings per database. A PostgreSQL connection can be closed under us (a server restart,
    an idle timeout in a proxy), so each one is tested before use; a SQLite file never drops its
    connection, and the test would cost a statement on every request."""
    return {} if url.startswith("sqlite") else {"pool_pre_ping": True}


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def set_sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not str(engine.url.database or "").startswith(":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement the engine sends while the block runs (tests and bench/)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
