"""Crash safety: gunicorn with two sync workers on a fresh database; students hand in final
quizzes from many threads at once and one worker is killed with SIGKILL in the middle.

Afterwards the database is consistent (every submitted attempt has exactly one response per
question and its score is the sum of their scores; an attempt that is not submitted has no
responses) and every submission that got its 303 is stored. SQLite and PostgreSQL."""

from __future__ import annotations

import http.client
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from app.extensions import db
from app.models import User

from ..conftest import make_app
from ..support import CSRF_FIELD, ROOT, GunicornServer

STUDENTS = 8
LESSONS = ("nl-l1", "nl-l2", "nl-l3", "hu-l1", "hu-l2", "hu-l3", "hu-l4", "fi-l1")
PASSWORD = "tulp-fiets-zeven-regen"
TIMEOUT = 15  # seconds for one HTTP exchange; the whole test stays well under a minute
ANSWER_FIELD = re.compile(r'<input\b[^>]*\btype="(?:radio|checkbox)"[^>]*\bname="(q[^"]*)"')


class Browser:
    """A minimal HTTP client with a cookie jar, against one host (no redirects followed)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), response.read().decode()
        finally:
            connection.close()

    def token(self, path: str = "/") -> str:
        _status, _headers, page = self.request("GET", path)
        return CSRF_FIELD.search(page).group(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        return cluster.create_database(f"lesmark_crash_{os.getpid()}_{int(time.time() * 1000) % 10**8}")
    return f"sqlite:///{tmp_path / 'crash.sqlite'}"


@pytest.fixture()
def server(tmp_path, tmp_path_factory, database_url):
    """A fresh database with the real content and STUDENTS students, served by gunicorn."""
    app = make_app(tmp_path_factory, database_url)
    # the workers verify against this hash: cheap parameters keep eight logins fast
    cheap_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.add_all(User(username=f"crash{n}", display_name=f"Crash {n}", password_hash=cheap_hash,
                                role="student") for n in range(STUDENTS))
        db.session.commit()
    gunicorn = GunicornServer(tmp_path, {"DATABASE_URL": database_url, "LESMARK_INSTANCE": str(tmp_path),
                                         "LESMARK_CONTENT": str(ROOT), "LESMARK_ENV": "development"})
    gunicorn.start()
    yield app, gunicorn
    gunicorn.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def log_in(port: int, n: int) -> Browser:
    browser = Browser(port)
    status, headers, _page = browser.request("POST", "/login", {
        "csrf_token": browser.token("/login"), "username": f"crash{n}", "password": PASSWORD})
    assert status == 303, (status, headers)
    return browser


def start_quiz(browser: Browser, lesson: str) -> tuple[str, list[str]]:
    status, headers, _page = browser.request("POST", f"/lessons/{lesson}/quiz/new",
                                             {"csrf_token": browser.token()})
    assert status == 303, (lesson, status)
    attempt = urlsplit(headers["Location"]).path
    _status, _headers, page = browser.request("GET", attempt)
    fields = sorted(set(ANSWER_FIELD.findall(page)))
    assert fields, f"no questions on {attempt}"
    return attempt, fields


def submit(browser: Browser, attempt: str, fields: list[str], token: str) -> int | str:
    form = {name: "0" for name in fields} | {"confirm_unanswered": "1", "csrf_token": token}
    try:
        status, _headers, _page = browser.request("POST", attempt + "/submit", form)
    except (OSError, http.client.HTTPException) as exc:  # the worker died under this request
        return type(exc).__name__
    return status


def final_attempts(app) -> dict[int, tuple[str, float | None, int, float]]:
    """attempt id -> (status, score, number of responses, sum of their scores)."""
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT a.id, a.status, a.score, count(r.id), coalesce(sum(r.score), 0) FROM attempts a "
            "LEFT JOIN responses r ON r.attempt_id = a.id WHERE a.kind = 'final' "
            "GROUP BY a.id, a.status, a.score")).all()
        db.session.remove()
    return {row[0]: (row[1], row[2], row[3], float(row[4])) for row in rows}


def test_killing_a_worker_during_submissions_loses_no_accepted_answer(server):
    app, gunicorn = server
    started = time.monotonic()
    browsers = [log_in(gunicorn.port, n) for n in range(STUDENTS)]
    tokens = {id(b): b.token() for b in browsers}
    work = [(browser, *start_quiz(browser, lesson)) for browser in browsers for lesson in LESSONS]

    done = threading.Semaphore(0)
    results: dict[str, int | str] = {}

    def hand_in(item):
        browser, attempt, fields = item
        results[attempt] = submit(browser, attempt, fields, tokens[id(browser)])
        done.release()

    victim = gunicorn.worker_pids()[0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(hand_in, item) for item in work]
        for _ in range(len(work) // 4):  # a quarter handed in: kill a worker amid the rest
            assert done.acquire(timeout=TIMEOUT)
        os.kill(victim, signal.SIGKILL)
        for future in futures:
            future.result(timeout=TIMEOUT * 2)

    attempts = final_attempts(app)
    questions = {attempt: len(fields) for _browser, attempt, fields in work}
    problems = []
    for attempt, count in questions.items():
        attempt_id = int(attempt.rsplit("/", 1)[1])
        status, score, responses, total = attempts[attempt_id]
        if results[attempt] == 303 and status != "submitted":
            problems.append(f"{attempt}: got its 303 but is {status}")
        if status == "submitted" and (responses != count or score is None or abs(score - total) >= 1e-4):
            problems.append(f"{attempt}: submitted with {responses} of {count} responses, score {score} for {total}")
        if status != "submitted" and responses:
            problems.append(f"{attempt}: {status} but holds {responses} responses")
    assert not problems, "\n".join(problems)
    # the kill happened amid the submissions, and most of them were accepted
    accepted = sum(1 for r in results.values() if r == 303)
    assert len(work) // 4 <= accepted and len(results) == len(work), results
    assert victim not in gunicorn.worker_pids()
    # a student whose request died with the worker hands in again and is graded exactly once
    for browser, attempt, fields in work:
        if results[attempt] != 303:
            assert submit(browser, attempt, fields, tokens[id(browser)]) == 303
            status, _score, responses, _total = final_attempts(app)[int(attempt.rsplit("/", 1)[1])]
            assert (status, responses) == ("submitted", len(fields))
    assert "Traceback" not in gunicorn.log_text(), gunicorn.log_text()
    assert time.monotonic() - started < 60
