"""Final quizzes handed in below Flask (app/direct_submissions.py) must be answered and stored exactly
as the Flask view `quiz.submit` answers and stores them.

A submission writes, so the same request cannot be sent twice: a complete submission is sent by two
students with the same answers, one with the layer off (Flask answers) and one with it on, and the
answers and what was stored are compared. A submission the layer must leave to Flask is sent both
ways on one attempt when Flask refuses it (nothing is written), and once when Flask hands it in.
"""

import logging
import re
import threading
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app import database
from app.extensions import db
from app.logs import RequestContextFilter
from app.models import (
    Attempt,
    AttemptSlot,
    AttemptStatus,
    LessonProgress,
    Response,
    UserSession,
    utcnow,
)
from app.services import attempts, hand_in, sessions

from .browser import AGENT, Browser, assert_switch_reads
from .helpers import lesson_row, right, right_answer, slots_of, wrong

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")([^"]+)"')


def layer(app):
    return app.extensions["lesmark_direct_submissions"]


@contextmanager
def by_flask(app):
    server = layer(app)
    server.enabled = False
    try:
        yield
    finally:
        server.enabled = True


def open_attempt(browser, like: int | None = None):
    """A final attempt of LESSON opened for this student: (id, its slots). `like`: another attempt
    whose questions and option orders it gets (draws differ from student to student)."""
    app = browser.app
    with app.app_context():
        if like is None:
            attempt_id = attempts.start_final(browser.user_id, lesson_row(app).id).id
        else:
            model = db.session.get(Attempt, like)
            twin = Attempt(user_id=browser.user_id, lesson_id=model.lesson_id, kind=model.kind,
                           status=AttemptStatus.OPEN, started_at=utcnow())
            db.session.add(twin)
            db.session.flush()
            db.session.add_all(AttemptSlot(attempt_id=twin.id, number=s.number, question_id=s.question_id,
                                           question_version_id=s.question_version_id, option_order=s.option_order)
                               for s in model.slots)
            attempt_id = twin.id
        db.session.commit()
    return attempt_id, slots_of(app, attempt_id)


def answers_of(slots, pick=None) -> list[tuple[str, str]]:
    """Right answers to odd questions and wrong ones to even ones, as the form sends them."""
    pick = pick or (lambda s: right(s) if s.number % 2 else wrong(s))
    return [(f"q{s.number}", value) for s in slots for value in pick(s)]


def form(browser, fields, token=None) -> str:
    return urlencode([("csrf_token", token or browser.form_token()), *fields])


def hand_in_path(attempt_id):
    return f"/attempts/{attempt_id}/submit"


def send(browser, attempt_id, body, served_expected, **headers):
    server = layer(browser.app)
    served = server.served
    answer = browser.post(hand_in_path(attempt_id), body, **headers)
    assert (server.served > served) is served_expected, answer.status_code
    return answer


def normal(answer, attempt_id) -> tuple:
    """Status, headers and page with the attempt's id and the form tokens left out."""
    def plain(text):
        return TOKEN.sub(r"\1…", text).replace(f"/attempts/{attempt_id}", "/attempts/N")

    # ids of different lengths make pages of different lengths: the length is checked, not compared
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    return (answer.status_code, [(k, plain(v) if k != "Content-Length" else "…") for k, v in answer.headers.items()],
            plain(answer.text))


def stored(app, attempt_id) -> dict:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        responses = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)
                                       .order_by(Response.slot_id)).all()
        progress = db.session.get(LessonProgress, (attempt.user_id, attempt.lesson_id))
        # a response's question and version are its slot's (no keys of their own vouch for them)
        assert all((r.question_id, r.question_version_id) == (r.slot.question_id, r.slot.question_version_id)
                   for r in responses)
        return {"status": attempt.status, "score": attempt.score, "max_score": attempt.max_score,
                "submitted": attempt.submitted_at is not None,
                "responses": [(r.slot.number, r.score, r.outcome, r.try_number, r.reveals_key, r.created_at is not None)
                              for r in responses],
                "selected": {r.slot.number: r.selected for r in responses},
                "completed": progress is not None and progress.completed_at is not None}


def still_open(app, attempt_id) -> bool:
    found = stored(app, attempt_id)
    return found["status"] == AttemptStatus.OPEN and found["responses"] == [] and not found["submitted"]


def handed_in_both_ways(app, fields_for=answers_of, **headers):
    """The same complete submission from two students, by Flask and by the layer."""
    results, base_url = [], headers.pop("base_url", "http://localhost")
    for through_flask in (True, False):
        browser = Browser(app, base_url=base_url)
        attempt_id, slots = open_attempt(browser, results[0][1] if results else None)
        body = form(browser, fields_for(slots))
        if through_flask:
            with by_flask(app):
                answer = send(browser, attempt_id, body, False, **headers)
        else:
            answer = send(browser, attempt_id, body, True, **headers)
        results.append((browser, attempt_id, slots, answer))
    return results


def test_a_complete_quiz_is_handed_in_and_stored_as_flask_would(app):
    (_fb, flask_id, _fs, flask_answer), (_b, attempt_id, slots, answer) = handed_in_both_ways(app)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/attempts/{attempt_id}#result"
    assert normal(answer, attempt_id) == normal(flask_answer, flask_id)
    by_layer, by_view = stored(app, attempt_id), stored(app, flask_id)
    assert {k: v for k, v in by_layer.items() if k != "selected"} == {
        k: v for k, v in by_view.items() if k != "selected"}
    assert by_layer["status"] == AttemptStatus.SUBMITTED and by_layer["completed"]
    assert len(by_layer["responses"]) == len(slots) >= 2
    # what was chosen is stored as the stored options' indexes, whatever order the student saw
    for slot in slots:
        if slot.number % 2:
            assert by_layer["selected"][slot.number] == sorted(int(i) for i in right_answer(slot.version))
    # the result page then shows it, as after Flask's own hand-in
    browser = _b
    result = browser.get(f"/attempts/{attempt_id}")
    assert result.status_code == 200 and "result" in result.text


def test_a_quiz_handed_in_with_questions_left_open_when_the_student_confirms(app):
    def first_only(slots):
        return [*answers_of(slots[:1]), ("confirm_unanswered", "1")]

    (_fb, flask_id, _fs, flask_answer), (_b, attempt_id, slots, answer) = handed_in_both_ways(app, first_only)
    assert answer.status_code == 303
    assert normal(answer, attempt_id) == normal(flask_answer, flask_id)
    by_layer = stored(app, attempt_id)
    assert by_layer["responses"] == stored(app, flask_id)["responses"]
    assert [outcome for _n, _s, outcome, *_rest in by_layer["responses"]][1:] == ["unanswered"] * (len(slots) - 1)


@pytest.mark.parametrize("due", [True, False])
def test_the_session_refresh_is_written_with_the_submission_in_as_few_statements(app, due):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    set_to = utcnow() - (sessions.TOUCH_INTERVAL + timedelta(seconds=5) if due else timedelta(seconds=5))
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == browser.user_id)
                           .values(last_seen_at=set_to))
        db.session.commit()
        engine = db.engine
        hand_in.grading_facts().get([s.version.id for s in slots])  # as in a process that graded them before
    body = form(browser, answers_of(slots))
    with database.count_statements(engine) as statements:
        assert send(browser, attempt_id, body, True).status_code == 303
    on_postgresql = engine.dialect.name == "postgresql"
    # the session with the attempt, then the claim, the answers, the completion (and the refresh):
    # on PostgreSQL one statement for all of them
    assert len(statements) == (2 if on_postgresql else 4 + due), statements
    with app.app_context():
        last_seen = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == browser.user_id))
    assert last_seen > set_to + sessions.TOUCH_INTERVAL if due else last_seen == set_to
    assert stored(app, attempt_id)["status"] == AttemptStatus.SUBMITTED


def test_the_request_log_line_is_the_same(app, caplog):
    caplog.handler.addFilter(RequestContextFilter())  # as the app's own log handler has it
    with caplog.at_level(logging.INFO, logger="lesmark.access"):
        (flask_browser, _fid, _fs, _fa), (browser, _aid, _s, _a) = handed_in_both_ways(app)
    flask_line, layer_line = [r for r in caplog.records if r.name == "lesmark.access"
                              and r.method == "POST" and r.path.endswith("/submit")][-2:]
    fields = ("method", "status", "endpoint", "request_id")
    assert [getattr(layer_line, f) for f in fields] == [getattr(flask_line, f) for f in fields]
    assert (layer_line.user_id, flask_line.user_id) == (browser.user_id, flask_browser.user_id)
    assert layer_line.status == 303 and layer_line.endpoint == "quiz.submit"
    assert "csrf" not in layer_line.getMessage() and "q1" not in layer_line.getMessage()  # no answers in logs


def test_over_https_from_this_site_and_under_a_prefix(app):
    results = handed_in_both_ways(app, base_url="https://localhost", Referer="https://localhost/attempts/1")
    (_fb, flask_id, _fs, flask_answer), (_b, attempt_id, _s, answer) = results
    assert "Strict-Transport-Security" in answer.headers
    assert normal(answer, attempt_id) == normal(flask_answer, flask_id)
    results = handed_in_both_ways(app, base_url="http://localhost/lesmark")
    (_fb, flask_id, _fs, flask_answer), (_b, attempt_id, _s, answer) = results
    assert answer.headers["Location"] == f"/lesmark/attempts/{attempt_id}#result"
    assert normal(answer, attempt_id) == normal(flask_answer, flask_id)


# --- what the layer leaves to Flask -----------------------------------------------------------------

def refused_both_ways(browser, attempt_id, body, path=None, **headers):
    """Flask's answer and the answer with the layer on, to a submission Flask refuses; the layer must
    not have answered it, and nothing may be stored."""
    path = path or hand_in_path(attempt_id)
    server = layer(browser.app)
    with by_flask(browser.app):
        flask_answer = browser.post(path, body, **headers)
    served = server.served
    answer = browser.post(path, body, **headers)
    assert server.served == served, "the layer answered it"
    assert normal(answer, attempt_id) == normal(flask_answer, attempt_id)
    assert still_open(browser.app, attempt_id)
    return answer


def single_choice(slots):
    return next(s for s in slots if s.version.type != "multiple")


REFUSED = {
    "a question not answered": lambda b, slots: form(b, answers_of(slots[1:])),
    "not a position": lambda b, slots: form(b, [("q1", "x"), *answers_of(slots[1:])]),
    "a position not shown": lambda b, slots: form(b, [("q1", "99"), *answers_of(slots[1:])]),
    "two answers to a single choice": lambda b, slots: form(b, [
        *[f for f in answers_of(slots) if f[0] != f"q{single_choice(slots).number}"],
        (f"q{single_choice(slots).number}", "0"), (f"q{single_choice(slots).number}", "1")]),
    "a forged form token": lambda b, slots: form(b, answers_of(slots), b.form_token()[:-2] + "xx"),
    "another session's form token": lambda b, slots: form(b, answers_of(slots), Browser(b.app).form_token()),
    "no form token": lambda b, slots: urlencode(answers_of(slots)),
    "a NUL byte": lambda b, slots: form(b, [*answers_of(slots), ("note", "\x00")]),
    "a position in another script": lambda b, slots: form(b, [("q1", "٣"), *answers_of(slots[1:])]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_submission_flask_refuses_is_left_to_it(app, case):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    answer = refused_both_ways(browser, attempt_id, REFUSED[case](browser, slots))
    assert answer.status_code == 400


def test_the_answers_sent_come_back_on_the_page_flask_refuses_them_with(app):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    answer = refused_both_ways(browser, attempt_id, REFUSED["a question not answered"](browser, slots))
    assert 'checked' in answer.text  # the body read here reached Flask whole


@pytest.mark.parametrize("case", ["not theirs", "no such attempt", "handed in already", "logged out",
                                  "another browser", "a flash message"])
def test_an_attempt_or_session_not_as_a_hand_in_needs_it_is_left_to_flask(app, case):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    body, path, cookie, headers = form(browser, answers_of(slots)), None, None, {}
    if case == "not theirs":
        other = Browser(app)
        body = form(other, answers_of(slots))
        cookie = other.session_cookie
    elif case == "no such attempt":
        path = hand_in_path(2_000_000_000)
    elif case == "handed in already":
        with app.app_context():
            db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                               .values(status=AttemptStatus.SUBMITTED, submitted_at=utcnow(), score=0, max_score=1))
            db.session.commit()
    elif case == "logged out":
        with app.app_context():
            db.session.execute(update(UserSession).where(UserSession.user_id == browser.user_id)
                               .values(revoked_at=utcnow()))
            db.session.commit()
    elif case == "another browser":
        headers["User-Agent"] = "Another browser/1.0"
    else:
        cookie = browser.with_session(_flashes=[("message", "Saved.")])
    server = layer(app)
    served = server.served
    with by_flask(app):
        flask_answer = browser.post(path or hand_in_path(attempt_id), body, cookie=cookie, **headers)
    if case in ("another browser", "a flash message"):  # Flask hands these in
        assert flask_answer.status_code == 303 and stored(app, attempt_id)["status"] == AttemptStatus.SUBMITTED
        return
    answer = browser.post(path or hand_in_path(attempt_id), body, cookie=cookie, **headers)
    assert server.served == served
    assert normal(answer, attempt_id) == normal(flask_answer, attempt_id)
    expected = {"not theirs": 404, "no such attempt": 404, "handed in already": 303, "logged out": 302}[case]
    assert answer.status_code == expected
    if case != "handed in already":
        assert still_open(app, attempt_id)


HANDED_IN_BY_FLASK = {
    "the form token twice": lambda b, slots: form(b, [("csrf_token", b.form_token()), *answers_of(slots)]),
    "a field it does not know": lambda b, slots: form(b, [*answers_of(slots), ("extra", "1")]),
    "a body over the layer's bound": lambda b, slots: form(b, [*answers_of(slots), ("pad", "a" * 20_000)]),
}


@pytest.mark.parametrize("case", [*HANDED_IN_BY_FLASK, "a query string", "multipart", "a charset"])
def test_a_submission_in_a_form_the_layer_does_not_take_is_handed_in_by_flask(app, case):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    path, body, content_type = hand_in_path(attempt_id), form(browser, answers_of(slots)), None
    if case in HANDED_IN_BY_FLASK:
        body = HANDED_IN_BY_FLASK[case](browser, slots)
    elif case == "a query string":
        path += "?from=quiz"
    elif case == "multipart":
        content_type = "multipart/form-data"
    else:
        content_type = "application/x-www-form-urlencoded; charset=utf-8"
    server = layer(app)
    served = server.served
    if content_type == "multipart/form-data":
        fields = {"csrf_token": [browser.form_token()]}
        for name, value in answers_of(slots):
            fields.setdefault(name, []).append(value)
        answer = browser.client.post(path, data=fields, content_type=content_type, headers={
            "User-Agent": AGENT, "Cookie": f"session={browser.session_cookie}"})
    elif content_type:
        answer = browser.post(path, body, content_type=content_type)
    else:
        answer = browser.post(path, body)
    assert server.served == served
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#result")
    assert stored(app, attempt_id)["status"] == AttemptStatus.SUBMITTED


def test_over_https_a_form_from_elsewhere_or_without_referrer_is_left_to_flask(app):
    for referrer in ({}, {"Referer": "https://evil.example/attempts/1"}):
        browser = Browser(app, base_url="https://localhost")
        attempt_id, slots = open_attempt(browser)
        answer = refused_both_ways(browser, attempt_id, form(browser, answers_of(slots)), **referrer)
        assert answer.status_code == 400


def test_a_body_over_the_apps_limit_is_left_to_flask(app):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    answer = refused_both_ways(browser, attempt_id, form(browser, [*answers_of(slots), ("pad", "a" * 70_000)]))
    assert answer.status_code == 413


def test_handed_in_meanwhile_the_layer_writes_nothing_and_flask_shows_the_result(app, monkeypatch):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    read = hand_in.session_and_attempt

    def read_then_another_tab_hands_it_in(connection, *args):
        found = read(connection, *args)
        with app.app_context():  # another request claims the attempt between the read and the write
            db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                               .values(status=AttemptStatus.SUBMITTED, submitted_at=utcnow(), score=1, max_score=1))
            db.session.commit()
        return found

    monkeypatch.setattr(hand_in, "session_and_attempt", read_then_another_tab_hands_it_in)
    answer = send(browser, attempt_id, form(browser, answers_of(slots)), False)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/attempts/{attempt_id}"
    found = stored(app, attempt_id)
    assert found["responses"] == [] and found["score"] == 1  # the other request's, untouched


def test_two_tabs_handing_in_at_once_are_graded_once(app):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    body = form(browser, answers_of(slots))
    barrier, answers = threading.Barrier(2), []

    def post():
        barrier.wait(timeout=10)
        answers.append(browser.post(hand_in_path(attempt_id), body))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.headers["Location"] for a in answers) == [f"/attempts/{attempt_id}", f"/attempts/{attempt_id}#result"]
    assert len(stored(app, attempt_id)["responses"]) == len(slots)


def test_a_database_error_in_the_layer_is_left_to_flask(app, monkeypatch):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    server = layer(app)
    assert server._prepare()

    class Away:
        dialect = server.engine.dialect

        def connect(self):
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(server, "engine", Away())
    answer = send(browser, attempt_id, form(browser, answers_of(slots)), False)
    assert answer.status_code == 303 and stored(app, attempt_id)["status"] == AttemptStatus.SUBMITTED


def test_switched_off_every_submission_is_flasks(monkeypatch, tmp_path_factory):
    from tests.conftest import close_app, make_app

    assert_switch_reads(monkeypatch, "LESMARK_SERVE_DIRECT_SUBMISSIONS", "SERVE_DIRECT_SUBMISSIONS")
    app = make_app(tmp_path_factory, None, SERVE_DIRECT_SUBMISSIONS=False)
    try:
        browser = Browser(app)
        attempt_id, slots = open_attempt(browser)
        assert browser.post(hand_in_path(attempt_id), form(browser, answers_of(slots))).status_code == 303
        assert layer(app).served == 0 and stored(app, attempt_id)["status"] == AttemptStatus.SUBMITTED
    finally:
        close_app(app)


def test_an_escaped_digit_decodes_as_flask_decodes_it(app):
    browser = Browser(app)
    attempt_id, slots = open_attempt(browser)
    # q1=%31 is q1=1 decoded: the same form, so the layer may hand it in, with Flask's result
    body = re.sub(r"(^|&)q1=(\d)", lambda m: f"{m.group(1)}q1=%3{m.group(2)}", form(browser, answers_of(slots)))
    assert "q1=%3" in body
    answer = send(browser, attempt_id, body, True)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#result")
    twin = Browser(app)
    twin_id, _slots = open_attempt(twin, attempt_id)
    with by_flask(app):
        assert send(twin, twin_id, form(twin, answers_of(slots)), False).status_code == 303
    assert stored(app, attempt_id)["responses"] == stored(app, twin_id)["responses"]
