"""Operations: `flask db backup` copies a live SQLite database; request logs are JSON without secrets."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading

import pytest

from app import database
from app.extensions import db
from app.logs import configure_logging
from app.services.backup import BackupError, backup_sqlite

from ..conftest import PASSWORD, new_user
from ..support import csrf_token, login


def make_database(path, rows: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        conn.executemany("INSERT INTO answers (text) VALUES (?)", [(f"answer {i}",) for i in range(rows)])


def test_backup_is_a_complete_consistent_copy(tmp_path):
    source = tmp_path / "live.sqlite"
    make_database(source, 500)
    size = backup_sqlite(f"sqlite:///{source}", tmp_path / "copy.sqlite")
    assert size > 0
    with sqlite3.connect(tmp_path / "copy.sqlite") as copy:
        assert copy.execute("SELECT count(*), min(id), max(id) FROM answers").fetchone() == (500, 1, 500)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_while_another_connection_keeps_writing(tmp_path):
    source = tmp_path / "live.sqlite"
    make_database(source, 2000)
    stop = threading.Event()
    written = []

    def writer():
        with sqlite3.connect(source, timeout=30) as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO answers (text) VALUES ('during backup')")
                conn.commit()
                written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backup_sqlite(f"sqlite:///{source}", tmp_path / "copy.sqlite", pages_per_step=1)
    finally:
        stop.set()
        thread.join()
    with sqlite3.connect(tmp_path / "copy.sqlite") as copy:
        count = copy.execute("SELECT count(*) FROM answers").fetchone()[0]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # a snapshot: every row that existed before, and no more than were ever written
    assert 2000 <= count <= 2000 + len(written)


def test_backup_refuses_to_overwrite_and_refuses_postgresql(tmp_path):
    source = tmp_path / "live.sqlite"
    make_database(source, 1)
    (tmp_path / "taken.sqlite").write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists"):
        backup_sqlite(f"sqlite:///{source}", tmp_path / "taken.sqlite")
    assert (tmp_path / "taken.sqlite").read_bytes() == b"keep me"
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://u@127.0.0.1/db", tmp_path / "x.sqlite")


def test_flask_db_backup_command_writes_the_copy(sqlite_app, tmp_path):
    target = tmp_path / "nightly.sqlite"
    result = sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM lessons").fetchone()[0] == 8
    again = sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output


@pytest.fixture()
def json_log():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", json_format=True, stream=stream)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


def test_request_log_is_json_with_request_id_user_and_timing_but_no_password(sqlite_app, json_log):
    client = sqlite_app.test_client()
    token = csrf_token(client, "/login")
    secret = "a-password-nobody-may-log-9137"
    client.post("/login", data={"csrf_token": token, "username": "nobody-here", "password": secret},
                headers={"X-Request-ID": "req-12345678"})
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    posts = [line for line in lines if line.get("method") == "POST" and line.get("path") == "/login"]
    assert len(posts) == 1
    entry = posts[0]
    assert entry["request_id"] == "req-12345678"
    assert entry["status"] == 400 and entry["user_id"] is None
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert secret not in json_log.getvalue() and token not in json_log.getvalue()


def test_a_request_id_that_could_forge_log_lines_is_replaced(sqlite_app, json_log):
    response = sqlite_app.test_client().get("/healthz", headers={"X-Request-ID": 'x"} {"level": "ERROR'})
    assert response.status_code == 200
    assert len(response.headers["X-Request-ID"]) == 32  # a fresh uuid4 hex
    entries = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    assert [e["request_id"] for e in entries if e.get("path") == "/healthz"] == [response.headers["X-Request-ID"]]


def test_request_log_names_the_user_without_loading_them_again_after_a_commit(sqlite_app, json_log):
    user_id, name = new_user(sqlite_app)
    client = sqlite_app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    token = csrf_token(client, "/")
    with sqlite_app.app_context(), database.count_statements(db.engine) as statements:
        answer = client.post("/language", data={"csrf_token": token, "language": "fi", "next": "/"})
    assert answer.status_code == 303  # the view commits the user's language
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    entry = next(line for line in lines if line.get("method") == "POST" and line.get("path") == "/language")
    assert entry["user_id"] == user_id
    reads_of_users = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM users" in s]
    assert len(reads_of_users) == 1, statements  # the session check only, not a reload for the log line


def test_request_log_names_the_user_of_an_api_token(sqlite_app, json_log):
    from app.services import tokens

    user_id, _name = new_user(sqlite_app)
    with sqlite_app.app_context():
        secret = tokens.create(user_id, "log test", ["read"], None).secret
    client = sqlite_app.test_client()
    assert client.get("/api/v1/courses", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    entry = next(line for line in lines if line.get("path") == "/api/v1/courses")
    assert entry["user_id"] == user_id and secret not in json_log.getvalue()
