"""Scale-out (issue 12): two app processes on one PostgreSQL and one Redis behave as one site.

A session started on one is honoured (and ended) on the other, a rate limit counted on one is
counted on the other, and a quiz attempt started on one is continued and handed in on the other.
"""

from __future__ import annotations

import http.client
import re
import secrets
from urllib.parse import urlencode

import pytest

from app.extensions import db
from app.services import accounts

from ..conftest import PASSWORD, make_app
from ..support import GunicornServer

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SESSION_COOKIE = re.compile(r"session=([^;]+)")


class Browser:
    """One browser: a session cookie, sent to whichever app process it talks to."""

    def __init__(self):
        self.cookie = ""

    def request(self, server: GunicornServer, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            if match := SESSION_COOKIE.match(value):
                self.cookie = match.group(1)
        connection.close()
        return response.status, response.headers, text

    def token(self, server: GunicornServer, path: str) -> str:
        status, _headers, page = self.request(server, "GET", path)
        assert status == 200, (path, status)
        return CSRF.search(page).group(1)

    def login(self, server: GunicornServer, username: str, password: str) -> int:
        token = self.token(server, "/login")
        status, _h, _p = self.request(server, "POST", "/login",
                                      {"csrf_token": token, "username": username, "password": password})
        return status


@pytest.fixture(scope="module")
def two_processes(postgres_cluster, redis_server, tmp_path_factory):
    url = postgres_cluster.create_database("lesmark_scale_out")
    app = make_app(tmp_path_factory, url)  # migrations and content, as `make run` does
    username = f"scale{secrets.token_hex(3)}"
    with app.app_context():
        accounts.register(username, "Scale Out", PASSWORD)
        db.session.remove()
        db.engine.dispose()
    env = {"DATABASE_URL": url, "RATELIMIT_STORAGE_URI": redis_server.url, "SECRET_KEY": secrets.token_urlsafe(48),
           "LESMARK_LOGIN_RATE_LIMIT": "4 per minute", "LESMARK_ENV": "development", "FLASK_DEBUG": "0"}
    servers = []
    for name in ("a", "b"):
        tmp = tmp_path_factory.mktemp(f"process-{name}")
        server = GunicornServer(tmp, {**env, "LESMARK_INSTANCE": str(tmp)}, workers=1)
        server.start(timeout=40)
        servers.append(server)
    yield servers[0], servers[1], username
    for server in servers:
        server.stop()


@pytest.mark.postgres
def test_a_session_made_on_one_process_works_and_ends_on_the_other(two_processes):
    a, b, username = two_processes
    browser = Browser()
    assert browser.login(a, username, PASSWORD) == 303
    assert browser.request(b, "GET", "/progress")[0] == 200
    copied = browser.cookie
    token = browser.token(b, "/progress")
    assert browser.request(b, "POST", "/logout", {"csrf_token": token})[0] == 303
    thief = Browser()
    thief.cookie = copied
    status, headers, _page = thief.request(a, "GET", "/progress")
    assert status == 302 and "/login" in headers["Location"]


@pytest.mark.postgres
def test_a_rate_limit_counted_on_one_process_is_counted_on_the_other(two_processes, redis_server):
    redis_server.flush()  # every login POST counts, the earlier tests' too
    a, b, _username = two_processes
    browser = Browser()
    # four failed logins per minute per address (LESMARK_LOGIN_RATE_LIMIT), spread over both processes;
    # different usernames, so the per-account throttle is not what answers
    statuses = [browser.login(server, f"nobody{i}", "wrong password wrong") for i, server in enumerate((a, b, a, b))]
    assert statuses == [400, 400, 400, 400]
    assert browser.login(a, "nobody5", "wrong password wrong") == 429


@pytest.mark.postgres
def test_an_attempt_started_on_one_process_is_handed_in_on_the_other(two_processes, redis_server):
    redis_server.flush()  # the previous test used up this address's login limit
    a, b, username = two_processes
    browser = Browser()
    assert browser.login(b, username, PASSWORD) == 303
    token = browser.token(a, "/lessons/nl-l2/quiz")
    status, headers, _page = browser.request(a, "POST", "/lessons/nl-l2/quiz/new", {"csrf_token": token})
    assert status == 303
    attempt_path = headers["Location"][headers["Location"].index("/attempts/"):]
    status, _h, page = browser.request(b, "GET", attempt_path)
    assert status == 200
    token = CSRF.search(page).group(1)
    status, _h, _page = browser.request(b, "POST", attempt_path + "/submit",
                                        {"csrf_token": token, "confirm_unanswered": "1"})
    assert status == 303
    status, _h, page = browser.request(a, "GET", attempt_path)
    assert status == 200 and "0 out of" in page
