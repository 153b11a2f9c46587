"""Kept content slides served without Flask (app/kept_slides.py) must give exactly Flask's answer.

Each case sends the same request twice, once with the layer switched off (Flask answers) and once
with it on, and compares status, headers and page (the form tokens aside: they carry a time stamp,
so each is checked by using it). Every case also says whether the layer should have answered: the
ordinary ones it must, everything that Flask must see (a question, a session to touch or not live,
a flash message, another browser, a query string...) it must leave to Flask.
"""

import logging
import re
from datetime import timedelta

import pytest
from flask_login.utils import _create_identifier
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app.below_flask import session_identifier
from app.extensions import db
from app.kept_slides import HAND_OVER
from app.logs import RequestContextFilter
from app.models import LessonProgress, User, UserSession, utcnow
from app.services import sessions

from .browser import AGENT, Browser, assert_switch_reads
from .helpers import LESSON, first_question_position, lesson_row

CONTENT = f"/lessons/{LESSON}/slides/3"
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")([^"]+)"')
ODD_NAME = "<b>\"Zoë\" & 'Ödön'</b> \ue000x\ue001 {{ 7*7 }}"


def layer(app):
    return app.extensions["lesmark_kept_slides"]


def both_ways(browser, path, **kwargs):
    """(Flask's answer, the answer with the layer on, whether the layer answered it)."""
    server = layer(browser.app)
    server.enabled = False
    try:
        by_flask = browser.get(path, **kwargs)
    finally:
        server.enabled = True
    served = server.served
    answer = browser.get(path, **kwargs)
    return by_flask, answer, server.served > served


def assert_same(by_flask, answer):
    assert answer.status_code == by_flask.status_code
    # a new session cookie holds a new random form token: only its presence can be compared
    assert [(k, v if k != "Set-Cookie" else v.split("=")[0]) for k, v in answer.headers.items()] == [
        (k, v if k != "Set-Cookie" else v.split("=")[0]) for k, v in by_flask.headers.items()]
    assert TOKEN.sub(r"\1…", answer.text) == TOKEN.sub(r"\1…", by_flask.text)


def tokens(page) -> list[str]:
    return [match.group(2) for match in TOKEN.finditer(page.text)]


def warm(browser, path=CONTENT):
    """View `path` once through Flask, so its page is kept and the reading position is there."""
    server = layer(browser.app)
    server.enabled = False
    try:
        assert browser.get(path).status_code == 200
    finally:
        server.enabled = True


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
def test_a_kept_slide_is_answered_as_flask_would(app, role):
    browser = Browser(app, role)
    warm(browser)
    by_flask, answer, served = both_ways(browser, CONTENT)
    assert served and answer.status_code == 200
    assert_same(by_flask, answer)
    assert "Set-Cookie" not in by_flask.headers  # nothing for the layer to have left out
    assert ('href="/teach/"' in answer.text) is (role != "student")


def test_names_are_escaped_as_jinja_escapes_them(app):
    browser = Browser(app, display_name=ODD_NAME)
    warm(browser)
    by_flask, answer, served = both_ways(browser, CONTENT)
    assert served
    assert_same(by_flask, answer)
    assert "&lt;b&gt;&#34;Zoë&#34; &amp; &#39;Ödön&#39;&lt;/b&gt;" in answer.text
    assert "<b>" not in answer.text and "\ue000x\ue001" in answer.text and "{{ 7*7 }}" in answer.text


@pytest.mark.parametrize(("user_locale", "session_locale", "accept", "expected"), [
    (None, None, "fi-FI,fi;q=0.9", "fi"),
    (None, "hu", "fi", "hu"),
    ("nl", "hu", "fi", "nl"),
    (None, None, "de-DE, xx;q=0.5", "en"),
    (None, "klingon", "", "en"),
])
def test_the_interface_language_is_chosen_as_flask_chooses_it(app, user_locale, session_locale, accept, expected):
    browser = Browser(app)
    with app.app_context():
        db.session.execute(update(User).where(User.id == browser.user_id).values(locale=user_locale))
        db.session.commit()
    cookie = browser.with_session(locale=session_locale)
    warm(browser)
    layer(app).enabled = False
    try:
        browser.get(CONTENT, cookie=cookie, **{"Accept-Language": accept})  # kept in this language
    finally:
        layer(app).enabled = True
    by_flask, answer, served = both_ways(browser, CONTENT, cookie=cookie, **{"Accept-Language": accept})
    assert served
    assert_same(by_flask, answer)
    assert f'<html lang="{expected}"' in answer.text


def test_its_form_tokens_are_accepted(app):
    browser = Browser(app)
    warm(browser)
    _by_flask, answer, served = both_ways(browser, CONTENT)
    assert served and tokens(answer)
    def switch_language(token):
        return browser.client.post("/language", data={"csrf_token": token, "language": "fi", "next": CONTENT},
                                   headers={"User-Agent": AGENT, "Cookie": f"session={browser.session_cookie}"})

    for token in set(tokens(answer)):
        assert switch_language(token).status_code == 303, token
    assert switch_language(tokens(answer)[0][:-2] + "xx").status_code == 400


def test_moving_on_stores_the_reading_position_as_flask_does(app):
    browser = Browser(app)
    for position in (1, 2, 3):
        warm(browser, f"/lessons/{LESSON}/slides/{position}")  # kept pages for all three
    lesson_id = lesson_row(app).id

    def stored():
        with app.app_context():
            progress = db.session.get(LessonProgress, (browser.user_id, lesson_id))
            return progress.last_position, progress.furthest_position

    server = layer(app)
    for position, expected in ((1, (1, 3)), (2, (2, 3)), (3, (3, 3))):
        served = server.served
        assert browser.get(f"/lessons/{LESSON}/slides/{position}").status_code == 200
        assert server.served == served + 1 and stored() == expected


def test_over_https_and_under_a_prefix_too(app):
    for base_url in ("https://localhost", "http://localhost/lesmark"):
        browser = Browser(app, base_url=base_url)
        warm(browser)
        by_flask, answer, served = both_ways(browser, CONTENT)
        assert served
        assert_same(by_flask, answer)
        assert ("Strict-Transport-Security" in answer.headers) is base_url.startswith("https")
        assert ('href="/lesmark/' in answer.text) is base_url.endswith("/lesmark")


def test_the_request_log_line_is_the_same(app, caplog):
    browser = Browser(app)
    warm(browser)
    caplog.handler.addFilter(RequestContextFilter())  # as the app's own log handler has it
    with caplog.at_level(logging.INFO, logger="lesmark.access"):
        _by_flask, _answer, served = both_ways(browser, CONTENT)
    assert served
    flask_line, layer_line = [r for r in caplog.records if r.name == "lesmark.access"][-2:]
    fields = ("method", "path", "status", "endpoint", "request_id", "user_id")
    assert [getattr(layer_line, f) for f in fields] == [getattr(flask_line, f) for f in fields]
    assert layer_line.user_id == browser.user_id and layer_line.getMessage() == flask_line.getMessage()


# --- what the layer leaves to Flask ---------------------------------------------------------------

def declined(browser, path=CONTENT, **kwargs):
    by_flask, answer, served = both_ways(browser, path, **kwargs)
    assert not served, f"the layer answered {path}"
    return by_flask, answer


@pytest.mark.parametrize("path", [
    CONTENT + "?x=1", CONTENT + "/", f"/lessons/{LESSON}/slides/999", "/lessons/no-such-lesson/slides/1",
    f"/lessons/{LESSON}/slides/0", f"/lessons/{LESSON}/slides/3x", "/lessons/nl-l1/slides/%C3%A9",
])
def test_other_addresses_are_left_to_flask(app, path):
    browser = Browser(app)
    warm(browser)
    by_flask, answer = declined(browser, path)
    assert_same(by_flask, answer)


def test_a_question_is_left_to_flask_which_reads_nothing_twice(app):
    from app.database import count_statements

    browser = Browser(app)
    path = f"/lessons/{LESSON}/slides/{first_question_position()}"
    warm(browser, path)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        answer = browser.get(path)
    assert answer.status_code == 200 and 'type="radio"' in answer.text or 'type="checkbox"' in answer.text
    assert sum("user_sessions" in s for s in statements) == 1, statements


def test_a_get_with_a_body_is_left_to_flask_and_an_empty_length_is_no_body(app):
    browser = Browser(app)
    warm(browser)
    server = layer(app)
    served = server.served
    assert browser.client.get(CONTENT, data="x=1", headers={
        "User-Agent": AGENT, "Cookie": f"session={browser.session_cookie}"}).status_code == 200
    assert server.served == served
    assert browser.get(CONTENT, **{"Content-Length": "0"}).status_code == 200
    assert server.served == served + 1


def test_a_head_request_and_a_post_are_left_to_flask(app):
    browser = Browser(app)
    warm(browser)
    server = layer(app)
    served = server.served
    assert browser.get(CONTENT, method="HEAD").status_code == 200
    assert browser.get(CONTENT, method="POST").status_code == 405
    assert server.served == served


@pytest.mark.parametrize("case", ["no cookie", "forged cookie", "logged out", "expired", "idle"])
def test_a_session_that_is_not_live_is_left_to_flask(app, case):
    browser = Browser(app)
    warm(browser)
    cookie = browser.session_cookie
    if case == "no cookie":
        browser.client = app.test_client(use_cookies=False)
        by_flask, answer = declined(browser, CONTENT, Cookie="")
    else:
        if case == "forged cookie":
            cookie = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
        else:
            column = {"logged out": "revoked_at", "expired": "expires_at", "idle": "last_seen_at"}[case]
            with app.app_context():
                db.session.execute(update(UserSession).where(UserSession.user_id == browser.user_id)
                                   .values({column: utcnow() - timedelta(days=2)}))
                db.session.commit()
        by_flask, answer = declined(browser, CONTENT, cookie=cookie)
    assert by_flask.status_code == 302 and "/login" in by_flask.headers["Location"]
    assert_same(by_flask, answer)


def test_a_session_due_for_its_touch_is_left_to_flask_which_touches_it(app):
    browser = Browser(app)
    warm(browser)
    earlier = utcnow() - sessions.TOUCH_INTERVAL - timedelta(seconds=5)

    def set_back():
        with app.app_context():
            db.session.execute(update(UserSession).where(UserSession.user_id == browser.user_id)
                               .values(last_seen_at=earlier))
            db.session.commit()

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == browser.user_id))

    set_back()
    server = layer(app)
    served = server.served
    assert browser.get(CONTENT).status_code == 200
    assert server.served == served and last_seen() > earlier + timedelta(seconds=4)
    assert browser.get(CONTENT).status_code == 200 and server.served == served + 1  # touched: the layer's again


@pytest.mark.parametrize("change", [
    {"_flashes": [("message", "Saved.")]},
    {"csrf_token": None},
    {"_remember": "set"},
    {"_permanent": True},
    {"_user_id": 12345},
    {"_id": "0" * 128},
])
def test_a_session_flask_would_change_or_read_further_is_left_to_flask(app, change):
    browser = Browser(app)
    warm(browser)
    by_flask, answer = declined(browser, CONTENT, cookie=browser.with_session(**change))
    assert_same(by_flask, answer)


def test_another_browser_on_the_same_session_is_left_to_flask(app):
    browser = Browser(app)
    warm(browser)
    by_flask, answer = declined(browser, CONTENT, **{"User-Agent": "Another browser/1.0"})
    assert "Set-Cookie" in by_flask.headers  # Flask-Login marks the session as no longer fresh
    assert_same(by_flask, answer)


def test_a_page_not_kept_yet_is_left_to_flask_which_keeps_it(app):
    browser = Browser(app)
    warm(browser)
    app.extensions["lesmark_fragments"].clear()
    server = layer(app)
    served = server.served
    assert browser.get(CONTENT).status_code == 200 and server.served == served
    assert browser.get(CONTENT).status_code == 200 and server.served == served + 1


def test_a_database_error_in_the_layer_is_left_to_flask(app, monkeypatch):
    browser = Browser(app)
    warm(browser)
    server = layer(app)
    assert server._prepare()  # the engine looked up, to be replaced below

    class Away:
        dialect = server.engine.dialect

        def connect(self):
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(server, "engine", Away())
    served = server.served
    answer = browser.get(CONTENT)
    assert answer.status_code == 200 and server.served == served


def test_nothing_a_client_sends_can_pose_as_what_the_layer_read(app):
    browser = Browser(app)
    warm(browser)
    answer = browser.get(f"/lessons/{LESSON}/slides/{first_question_position()}",
                         **{"Lesmark.Kept-Slides.Read": "x", HAND_OVER.replace(".", "-"): "x"})
    assert answer.status_code == 200
    environ = answer.request.environ
    assert HAND_OVER not in environ or not isinstance(environ[HAND_OVER], str)


@pytest.mark.parametrize("headers", [
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0 Firefox/140.0"},
    {"REMOTE_ADDR": "10.0.0.7"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1", "HTTP_USER_AGENT": "x"},
    {"HTTP_X_FORWARDED_FOR": "2001:db8::1", "HTTP_USER_AGENT": "Ã¼ber-browser ünï"},
    {},
])
def test_the_session_identifier_is_flask_logins(app, headers):
    with app.test_request_context("/", environ_base=headers):
        from flask import request

        for name in ("REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR"):
            if name not in headers:
                request.environ.pop(name, None)
        assert session_identifier(request.environ) == _create_identifier()


def test_switched_off_every_slide_is_flasks(monkeypatch, tmp_path_factory):
    from tests.conftest import close_app, make_app

    assert_switch_reads(monkeypatch, "LESMARK_SERVE_KEPT_SLIDES", "SERVE_KEPT_SLIDES")
    app = make_app(tmp_path_factory, None, SERVE_KEPT_SLIDES=False)
    try:
        browser = Browser(app)
        for _ in range(3):
            assert browser.get(CONTENT).status_code == 200
        assert layer(app).served == 0
    finally:
        close_app(app)


def test_a_retired_lesson_is_gone_from_both_at_once(content_app):
    from app.models import Lesson

    browser = Browser(content_app)
    path = "/lessons/demo-l1/slides/1"
    warm(browser, path)
    served = layer(content_app).served
    assert browser.get(path).status_code == 200 and layer(content_app).served == served + 1
    with content_app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == "demo-l1").values(retired=True))
        db.session.commit()
    by_flask, answer = declined(browser, path)
    assert by_flask.status_code == 404
    assert_same(by_flask, answer)
