"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


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
