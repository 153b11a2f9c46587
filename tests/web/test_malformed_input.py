"""Malformed input on every form: never a 5xx, a 4xx (or the normal answer for a valid variant),
and nothing written unless the request was a valid one.

For each form, every field gets each value of MALFORMED in turn (the other fields valid), then the
same values as a repeated field, then bodies that are not valid UTF-8 at all. The rows of users,
attempts, responses and lesson_progress are counted before and after every request. A valid
variant (an emoji in a display name is a fine name) may succeed: then only the rows that success
writes may change, and the form starts again from a fresh state. On PostgreSQL a sample runs.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from app.extensions import db
from app.services import accounts
from tests.conftest import PASSWORD, new_user

from ..support import GunicornServer, csrf_token, login
from .helpers import QUESTION_SLIDE as FIRST_QUESTION

NUMBERS = ["9999999999999999999", "2147483648", "2147483647", "-2147483649", "-1", "-0", "+1", "00", "007",
           "1e3", "1.5", "0x10", "0b1", "1_0", "NaN", "inf", "-inf", " 1", "1 ", "1\n", "１", "²", "¹²",
           "٣", "१", "①", "𝟏", "Ⅷ", "〇", "½", "0.0", "99", "100", "-99999999999999999999999"]
UNICODE = ["\x00", "a\x00b", "\u202eevil", "\u200f", "\u200b", "\u2060", "\ufeff", "e\u0301",
           "a" + "\u0301" * 200, "😀", "👩\u200d👩\u200d👧", "\uffff", "\ue000", "\U0010ffff",
           "ǅ", "ﬁ", "İ", "ß", "Ω", "\u0000\u0000", "\x1b[31m", "\r\n", "\x7f", "\x85", "\u2028",
           "\u3000", "ｎｌ", "ñl", "NL", "nl ", " nl", "nl\x00", "n\u200bl", "𝔫𝔩"]
STRUCTURE = ["", " ", "\t", "\n", "a" * 10_000, "1" * 1000, "9" * 300, "[]", "{}", "[object Object]",
             "null", "None", "true", "false", "undefined", "' OR '1'='1", "1; DROP TABLE users; --",
             "<script>alert(1)</script>", "{{7*7}}", "${7*7}", "%s%s%n", "../../etc/passwd", "%00",
             "%0d%0aSet-Cookie: x=1", "\\", "/", "//evil.example", "javascript:alert(1)", "a=b&c=d",
             "0,1", "0;1", "0 1", "[0, 1]", "q1=0", "=", "&", "#", "?", "*", "%", "+", "—"]
MALFORMED = tuple(dict.fromkeys(NUMBERS + UNICODE + STRUCTURE + [f"{n}{u}" for n, u in zip(
    NUMBERS, UNICODE, strict=False)]))
# bodies that are not UTF-8: a lone surrogate, overlong encodings, stray bytes
RAW_VALUES = ["%ED%A0%80", "%C0%AF", "%FF%FE", "%80", "%F4%90%80%80", "a%E2%82", "%00%FF"]
TOO_LARGE = "x" * (70 * 1024)  # over MAX_CONTENT_LENGTH: 413
COUNTED = ("users", "attempts", "responses", "lesson_progress")


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in COUNTED}  # noqa: S608 - fixed names
        db.session.remove()
        return counts


@dataclass
class Form:
    """One form: where it posts, its valid fields, which fields to spoil, what success may write."""

    path: str
    valid: dict
    fields: tuple[str, ...]
    success: int = 303
    writes_on_success: dict = field(default_factory=dict)  # table -> at most this many new rows
    always_refused: bool = False  # no value of MALFORMED is a valid one here
    fresh_after_success: bool = True  # False where a success leaves the same state (idempotent)

    def variants(self, sample: int):
        """(label, how, field, value): how is set, repeat, missing or raw; applied to `valid`."""
        values = MALFORMED[::sample]
        for name in self.fields:
            for value in values:
                yield f"{name}={value[:30]!r}", "set", name, value
        for value in values:
            yield f"{self.fields[0]}=[{value[:30]!r}, valid]", "repeat", self.fields[0], value
        for name in self.fields:
            yield f"{name} missing", "missing", name, None
            yield f"{name} too large", "set", name, TOO_LARGE
            for raw in RAW_VALUES:
                yield f"{name}=raw {raw}", "raw", name, raw


def send(client, form: Form, how: str, name: str, value):
    valid = form.valid
    if how == "raw":  # percent-encoded bytes that are not UTF-8, next to the valid fields
        body = "&".join([f"{quote(k)}={quote(str(v))}" for k, v in valid.items() if k != name] + [f"{name}={value}"])
        return client.post(form.path, data=body, content_type="application/x-www-form-urlencoded")
    if how == "missing":
        data = {k: v for k, v in valid.items() if k != name}
    elif how == "repeat":
        data = {**valid, name: [value, valid.get(name, value)]}
    else:
        data = {**valid, name: value}
    return client.post(form.path, data=data)


def check_form(app, make: Callable[[], tuple], sample: int) -> int:
    """Send every variant; `make()` gives (client, Form) in a fresh state. Returns how many ran."""
    client, form = make()
    problems, sent = [], 0
    for label, how, name, value in form.variants(sample):
        before = row_counts(app)
        response = send(client, form, how, name, value)
        response.close()
        after = row_counts(app)
        sent += 1
        written = {table: after[table] - before[table] for table in COUNTED if after[table] != before[table]}
        status = response.status_code
        if status >= 500:
            problems.append(f"{label}: {status}")
        elif 400 <= status < 500:
            if written:
                problems.append(f"{label}: refused with {status} but wrote {written}")
        elif status == form.success and not form.always_refused:
            if any(written.get(table, 0) > form.writes_on_success.get(table, 0) for table in written):
                problems.append(f"{label}: success wrote {written}, allowed {form.writes_on_success}")
            if form.fresh_after_success:
                client, form = make()  # start again from the state before success
        else:
            problems.append(f"{label}: unexpected {status} {response.headers.get('Location', '')}")
    assert not problems, f"{len(problems)} of {sent} variants:\n" + "\n".join(problems[:40])
    return sent


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 with its real cost takes ~0.1-0.4 s here; hundreds of logins need a cheap one."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not a real password"))


@pytest.fixture()
def sample(app):
    """Every value on SQLite; every 5th on PostgreSQL (the same code paths, a fifth of the time)."""
    return 1 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 5


def logged_in(app, role: str = "student"):
    client = app.test_client()
    _user_id, name = new_user(app, role)
    assert login(client, name, PASSWORD).status_code == 303
    return client, name


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def assert_enough(sent: int, sample: int) -> None:
    assert sent >= 200 // sample, sent


def test_malformed_login_forms(app, sample):
    def make():
        client = app.test_client()
        form = Form("/login", {"csrf_token": csrf_token(client, "/login"), "username": "nobody-here",
                               "password": "not the password at all"},
                    ("username", "password", "csrf_token"), always_refused=True)
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_malformed_registrations(app, sample):
    names = iter(range(10**6))

    def make():
        client = app.test_client()
        form = Form("/register", {"csrf_token": csrf_token(client, "/register"),
                                  "username": f"fuzz{next(names)}x", "display_name": "Fuzz Student",
                                  "password": "tulp-fiets-zeven-regen", "confirm": "tulp-fiets-zeven-regen"},
                    ("username", "display_name", "password", "confirm", "csrf_token"),
                    writes_on_success={"users": 1})
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_malformed_language_switches(app, sample):
    def make():
        client, _name = logged_in(app)
        form = Form("/language", {"csrf_token": csrf_token(client, "/"), "language": "nl"},
                    ("language", "csrf_token"), always_refused=True)
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_malformed_logouts_leave_the_student_logged_in(app, sample):
    client, _name = logged_in(app)
    token = csrf_token(client, "/")
    form = Form("/logout", {"csrf_token": token}, ("csrf_token",), always_refused=True)
    assert_enough(check_form(app, lambda: (client, form), sample), sample)
    assert client.get("/progress").status_code == 200


QUESTION_SLIDE = f"/lessons/nl-l1/slides/{FIRST_QUESTION}"


def test_malformed_checkpoint_answers(app, sample):
    def make():
        client, _name = logged_in(app)
        page = client.get(QUESTION_SLIDE).get_data(as_text=True)
        form = Form(QUESTION_SLIDE + "/answer", {"csrf_token": hidden(page, "csrf_token"),
                                                  "version": hidden(page, "version"), "option": "0"},
                    ("option", "version", "csrf_token"),
                    writes_on_success={"attempts": 1, "responses": 1, "lesson_progress": 1})
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def start_attempt(client, lesson: str = "nl-l2") -> str:
    token = csrf_token(client, f"/lessons/{lesson}/quiz")
    response = client.post(f"/lessons/{lesson}/quiz/new", data={"csrf_token": token})
    assert response.status_code == 303
    return urlsplit(response.headers["Location"]).path


def test_malformed_quiz_starts(app, sample):
    def make():
        client, _name = logged_in(app)
        form = Form("/lessons/nl-l2/quiz/new", {"csrf_token": csrf_token(client, "/"), "junk": "x"},
                    ("csrf_token", "junk"), writes_on_success={"attempts": 1}, fresh_after_success=False)
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_malformed_quiz_submissions(app, sample):
    def make():
        client, _name = logged_in(app)
        attempt = start_attempt(client)
        page = client.get(attempt).get_data(as_text=True)
        answer_fields = sorted(set(re.findall(r'<input\b[^>]*\btype="(?:radio|checkbox)"[^>]*\bname="([^"]+)"',
                                              page)) - {"confirm_unanswered"})
        assert answer_fields, "no answer fields on the quiz page"
        valid = {"csrf_token": hidden(page, "csrf_token"), answer_fields[0]: "0"}
        form = Form(attempt + "/submit", valid, (answer_fields[0], "confirm_unanswered", "csrf_token"),
                    writes_on_success={"responses": len(answer_fields), "lesson_progress": 1})
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_another_students_attempt_is_404_whatever_is_sent(app, client, sample):
    owner, _name = logged_in(app)
    attempt = start_attempt(owner)
    intruder, _name = logged_in(app)
    token = csrf_token(intruder, "/")
    before = row_counts(app)
    for value in MALFORMED[::sample]:
        for data in ({"csrf_token": token, "confirm_unanswered": value}, {"csrf_token": token, "q1": value}):
            # a NUL byte is refused at the door, before anyone asks whose attempt it is
            expected = 400 if "\x00" in value else 404
            assert intruder.post(attempt + "/submit", data=data).status_code == expected, repr(value)
    assert intruder.get(attempt).status_code == 404
    assert row_counts(app) == before


def test_malformed_password_changes(app, sample):
    def make():
        client, _name = logged_in(app)
        form = Form("/account/password", {"csrf_token": csrf_token(client, "/account/"),
                                          "current_password": PASSWORD, "new_password": "tulp-fiets-zeven-regen",
                                          "confirm": "tulp-fiets-zeven-regen"},
                    ("new_password", "current_password", "confirm", "csrf_token"))
        return client, form

    assert_enough(check_form(app, make, sample), sample)


def test_malformed_log_out_everywhere_requests_leave_the_student_logged_in(app, sample):
    client, _name = logged_in(app)
    form = Form("/account/log-out-everywhere", {"csrf_token": csrf_token(client, "/account/")},
                ("csrf_token",), always_refused=True)
    assert_enough(check_form(app, lambda: (client, form), sample), sample)
    assert client.get("/progress").status_code == 200


MALFORMED_CHUNKED_BODIES = [
    b"zz\r\nlanguage=nl\r\n0\r\n\r\n",  # chunk size is not hexadecimal
    b"-1\r\nlanguage=nl\r\n0\r\n\r\n",  # negative chunk size
    b"3\r\nlanguage=nl\r\n0\r\n\r\n",  # chunk longer than its size
    b"b\r\nlanguage=nl\r\nzz\r\n",  # a good chunk, then garbage
    b"ffffffffffffffffffff\r\nlanguage=nl\r\n",  # absurd size
    b"b\r\nlanguage=nl",  # ends without the closing chunk
]


def raw_post(port: int, body: bytes) -> bytes:
    """POST /language with a chunked body over a plain socket; the status line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"POST /language HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n" + body)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_a_malformed_chunked_body_is_a_400_under_gunicorn(tmp_path):
    """gunicorn raises its own parser errors while the app reads the body (the test client never
    does), so this goes through a real gunicorn and a raw socket."""
    server = GunicornServer(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path / 'chunked.sqlite'}",
                                       "LESMARK_INSTANCE": str(tmp_path)}, workers=1)
    server.start()
    try:
        statuses = [raw_post(server.port, body) for body in MALFORMED_CHUNKED_BODIES]
    finally:
        server.stop()
    assert all(status.startswith(b"HTTP/1.1 400") for status in statuses), statuses
    assert "Traceback" not in server.log_text()


def test_malformed_requests_to_end_another_users_session_end_nothing(app, sample):
    victim, victim_name = logged_in(app)
    with app.app_context():
        victim_session = db.session.scalar(text(
            "SELECT s.id FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = :name"),
            {"name": victim_name})
        db.session.remove()
    intruder, _name = logged_in(app)
    form = Form(f"/account/sessions/{victim_session}/end", {"csrf_token": csrf_token(intruder, "/"), "junk": "x"},
                ("csrf_token", "junk"), always_refused=True)  # a valid token still gets 404: not theirs
    assert_enough(check_form(app, lambda: (intruder, form), sample), sample)
    token = csrf_token(intruder, "/")
    for session_id in ("0", "-1", "2147483648", "9999999999999999999", "²", "abc", "1.5", "%00"):
        response = intruder.post(f"/account/sessions/{session_id}/end", data={"csrf_token": token})
        assert response.status_code in (400, 404), (session_id, response.status_code)
    assert victim.get("/progress").status_code == 200  # the victim's session lives on
