"""Engine settings per database: SQLite gets WAL, foreign keys, a busy timeout and a queue for its
writers; PostgreSQL connections left idle are tested before use, and single-statement reads get an
autocommit twin engine."""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from flask import Flask, current_app, g, request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


# A pooled PostgreSQL connection left idle this long is tested before use (see below).
PING_AFTER_IDLE_SECONDS = 1.0
# requests that change nothing: their single-statement reads need no transaction
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    app.extensions["lesmark_autocommit_reads"] = engine.dialect.name == "postgresql"
    app.extensions["lesmark_read_engine"] = engine
    app.teardown_appcontext(_close_read_connection)
    if engine.dialect.name != "sqlite":
        idle_seconds = app.config.get("DB_PING_AFTER_IDLE_SECONDS", PING_AFTER_IDLE_SECONDS)
        ping_connections_left_idle(engine, idle_seconds)
        reads = app.extensions["lesmark_read_engine"] = autocommit_twin(engine)
        ping_connections_left_idle(reads, idle_seconds)
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


def ping_connections_left_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use when it has been idle for `idle_seconds`.

    A server restart or a proxy's idle timeout closes connections while they wait in the pool; a
    test before use finds them and the pool opens a fresh one instead (SQLAlchemy's "pessimistic"
    recipe, https://docs.sqlalchemy.org/en/20/core/pooling.html#disconnect-handling-pessimistic).
    Testing only connections left idle keeps that from costing a round trip on every request under
    load, when a worker hands its connection from one request to the next within milliseconds. A
    connection that dies within that second fails its request once, and SQLAlchemy then replaces
    every connection of the pool, as it would for a request already running when the server went."""

    @event.listens_for(engine, "checkin")
    def note_idle_since(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_left_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("a pooled connection was closed while idle") from exc
        if not alive:
            raise DisconnectionError("a pooled connection was closed while idle")


# engine -> its autocommit twin (PostgreSQL), so that counting an engine's statements counts both
_TWINS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit_twin(engine: Engine) -> Engine:
    """An engine on the same database whose pooled connections stay in autocommit: for reads of
    one statement (`read_connection`, app/kept_slides.py). Switching a pooled connection of `engine`
    to autocommit for a request and back costs more Python time than the statement it runs. It is
    disposed with `engine`; its pool is the same size, so a worker holds at most one connection of
    each, as it did with one engine."""
    twin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    event.listen(engine, "engine_disposed", lambda _engine: twin.dispose())
    _TWINS[engine] = twin
    return twin


def read_connection() -> Connection:
    """A connection for reads of one statement each that need no transaction of their own (the
    session check, a glance at a slide).

    On PostgreSQL, for a request that changes nothing, it is a connection of the autocommit twin,
    kept for the request: such reads send no BEGIN and no ROLLBACK. On SQLite it is the ORM session's
    own connection: there a SELECT starts no transaction anyway. A request that may write uses the
    ORM session's too: it needs a transaction anyway, and a second connection would only cost its
    checkout. Anything that writes, or reads what it is about to write, uses the ORM session."""
    if not current_app.extensions["lesmark_autocommit_reads"] or request.method not in SAFE_METHODS:
        return db.session.connection()
    connection = g.get("lesmark_read_connection")
    if connection is None:
        connection = g.lesmark_read_connection = current_app.extensions["lesmark_read_engine"].connect()
    return connection


def _close_read_connection(_error=None) -> None:
    connection = g.pop("lesmark_read_connection", None)
    if connection is not None:
        connection.close()


class SQLiteWriterLock:
    """One writer at a time across the processes on an SQLite file, queued by the kernel.

    SQLite lets one connection write at a time; another one that tries is refused and its busy
    handler sleeps and tries again, at least a millisecond at a time, however soon the lock is free.
    When a class hands in a quiz together, two workers meet there often: a third of the submissions
    slept, and the CPU stood idle meanwhile (bench/RESULTS.md). A writer that takes this lock first
    (`flock` on a file beside the database, plus a thread lock for threaded workers) waits in the
    kernel instead and wakes the moment the writer before it is done. It is a queue, not a guard:
    SQLite's own locking keeps the data safe, also for writers that do not take it."""

    def __init__(self, database_path: str):
        self.path = database_path + "-writer.lock"
        self._forget()
        # A descriptor inherited through fork() is shared with the parent, and flock would not tell
        # the two apart; a thread lock may be copied held. A child starts afresh.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            descriptor = self._fd
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)


_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, SQLiteWriterLock] = weakref.WeakKeyDictionary()


def one_writer_at_a_time(engine: Engine):
    """A context to run a write transaction in, commit included: on an SQLite file it waits for the
    other writers that use it (`SQLiteWriterLock`); elsewhere it does nothing."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or not database or database.startswith((":memory:", "file:")):
        return nullcontext()
    lock = _WRITER_LOCKS.get(engine)
    if lock is None:
        lock = _WRITER_LOCKS.setdefault(engine, SQLiteWriterLock(os.path.abspath(database)))
    return lock.held()


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement the engine (and its autocommit twin) sends while the block runs
    (tests and bench/)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engines = [engine, *([_TWINS[engine]] if engine in _TWINS else [])]
    for counted in engines:
        event.listen(counted, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        for counted in engines:
            event.remove(counted, "before_cursor_execute", before)
