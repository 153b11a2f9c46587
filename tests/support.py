"""Helpers shared by the tests: CSRF tokens, logging in, a throwaway PostgreSQL cluster."""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest
from flask import got_request_exception
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def missing(part: str):
    """A missing browser or database fails the run in CI and skips locally."""
    if IN_CI:
        pytest.fail(f"{part} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{part} not available")


def csrf_token(client, path: str) -> str:
    response = client.get(path)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


def login(client, username: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password})


class ServerErrors:
    """What went wrong on the server during one test: exceptions, ERROR log records, 5xx answers.

    `tests/conftest.py` fails every test that leaves something here, unless the test asked for the
    `expected_server_errors` fixture (and then asserts on it itself)."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.exceptions: list[BaseException] = []
        self.log_records: list[logging.LogRecord] = []
        self.responses: list[tuple[str, str, int]] = []

    def __bool__(self) -> bool:
        return bool(self.exceptions or self.log_records or self.responses)

    def report(self) -> str:
        parts = ["".join(traceback.format_exception(exc)) for exc in self.exceptions]
        formatter = logging.Formatter("%(name)s %(levelname)s: %(message)s")
        parts += [formatter.format(record) for record in self.log_records]
        parts += [f"{method} {path} answered {status}" for method, path, status in self.responses]
        return "\n".join(parts)


class _ErrorLogHandler(logging.Handler):
    def __init__(self, errors: ServerErrors):
        super().__init__(level=logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.log_records.append(record)


SERVER_ERRORS = ServerErrors()
# the app's own loggers ("app", "app.security"...) and the dev server's (e2e tests)
WATCHED_LOGGERS = ("app", "werkzeug")


@contextlib.contextmanager
def watching_server_errors() -> Iterator[ServerErrors]:
    """Collect exceptions (Flask's got_request_exception signal, from any thread) and ERROR logs."""
    errors = SERVER_ERRORS
    errors.clear()

    def on_exception(_sender, exception, **_extra):
        errors.exceptions.append(exception)

    handler = _ErrorLogHandler(errors)
    got_request_exception.connect(on_exception)
    for name in WATCHED_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(on_exception)
        for name in WATCHED_LOGGERS:
            logging.getLogger(name).removeHandler(handler)


class CheckedClient(FlaskClient):
    """The Flask test client, noting every 5xx answer so the test that caused it fails."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.status_code >= 500:
            request = response.request
            SERVER_ERRORS.responses.append((request.method, request.path, response.status_code))
        return response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GunicornServer:
    """`gunicorn wsgi:app` with sync workers on 127.0.0.1, in a subprocess with its own settings."""

    def __init__(self, tmp: Path, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.tmp = tmp
        self.log_path = tmp / "gunicorn.log"
        config = tmp / "gunicorn_test.conf.py"
        # no control socket: it would be shared with every other gunicorn of this user
        config.write_text("control_socket_disable = True\n")
        self.command = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(config), "--chdir", str(ROOT),
                        "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
                        "--graceful-timeout", "2", "wsgi:app"]
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> None:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_text()}")
            if self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start in {timeout} s: {self.log_text()}")

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()


class PostgresCluster:
    """initdb + pg_ctl in a temporary directory, on a private port; stopped and removed at the end."""

    def __init__(self):
        bins = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise FileNotFoundError("initdb not found under /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1]).parent
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="lesmark-pg-", dir="/tmp"))
        self.data = self.tmp / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, cwd=self.tmp, capture_output=True, timeout=60)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.tmp, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.tmp / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.tmp} -c fsync=off -c listen_addresses=127.0.0.1", "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        time.sleep(0.1)
        shutil.rmtree(self.tmp, ignore_errors=True)


class RedisServer:
    """A private redis-server (Debian's) on a free port, in-memory only; stopped at the end."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise FileNotFoundError("redis-server is not installed")
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="lesmark-redis-", dir="/tmp"))
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        subprocess.run([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", str(self.tmp), "--daemonize", "yes",
                        "--pidfile", str(self.tmp / "redis.pid"), "--logfile", str(self.tmp / "redis.log")],
                       check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return self.url
            time.sleep(0.05)
        raise OSError(f"redis-server did not answer on port {self.port}")

    def flush(self) -> None:
        """Forget every key (rate-limit counters) between tests."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"FLUSHALL\r\n")
            assert s.recv(16).startswith(b"+OK")

    def stop(self) -> None:
        pid_file = self.tmp / "redis.pid"
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), 15)
            for _ in range(100):
                if not pid_file.exists():
                    break
                time.sleep(0.05)
        shutil.rmtree(self.tmp, ignore_errors=True)
