"""Health check, security headers, error pages, SQL statements per page, migrations."""

import io

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app import database
from app.extensions import db
from app.models import Lesson, Screen

from ..support import csrf_token
from .helpers import LESSON, first_question_screen, lesson_row


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_every_page_has_security_headers_and_a_strict_csp(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_wrong_method_is_405_with_a_friendly_page(client):
    response = client.put("/login")
    assert response.status_code == 405 and "does not accept that kind of request" in response.get_data(as_text=True)


def count_statements(app):
    with app.app_context():
        return database.count_statements(db.engine)


def test_a_slide_page_issues_a_few_sql_statements_whatever_the_lesson_length(app, client, student, other_client):
    client.get("/")  # the first page after logging in puts the form token in the session
    counts = {}
    for slug in (LESSON, "nl-l2", "fi-l1"):
        if lesson_row(app, slug) is None:
            continue
        for position in (1, 3):
            other_client.get(f"/lessons/{slug}/slides/{position}")  # the process keeps the rendered slide
            with count_statements(app) as statements:
                assert client.get(f"/lessons/{slug}/slides/{position}").status_code == 200
            counts[(slug, position)] = len(statements)
    position, version = first_question_screen(app)
    with count_statements(app) as statements:
        client.get(f"/lessons/{LESSON}/slides/{position}")
    counts[(LESSON, "question")] = len(statements)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    answered = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                           data={"csrf_token": token, "version": version.id, "option": "0"})
    assert answered.status_code == 303
    with count_statements(app) as statements:
        assert "Your answer" in client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    reload_count = len(statements)
    question_count = counts.pop((LESSON, "question"))
    # a content slide: the session and a glance at the slide (kind, revision, reading position) in
    # one statement (app/kept_slides.py), the position's write; a question loads itself as well (its
    # options are in the student's order), with the session and the glance already read
    assert set(counts.values()) == {2}, counts
    assert question_count == 3
    # showing the same slide again (here after answering it) does not write the reading position
    assert reload_count == 2, statements


def test_a_content_slide_not_kept_yet_loads_its_text_and_the_glossary_once(app, client, student):
    with app.app_context():  # a slide that links to the glossary: it shows the terms' definitions
        position = db.session.scalar(
            select(Screen.position).join(Lesson, Lesson.id == Screen.lesson_id)
            .where(Lesson.slug == LESSON, Screen.body_html.contains('class="glossary-term"')).order_by(Screen.position))
    path = f"/lessons/{LESSON}/slides/{position}"
    client.get(path)  # the reading position is stored: the reloads below write nothing
    app.extensions["lesmark_fragments"].clear()
    with count_statements(app) as rendered:
        first = client.get(path)
    with count_statements(app) as kept:
        again = client.get(path)
    assert first.data == again.data
    assert len(kept) == 1, kept  # the session and a glance at the slide, in one statement
    # and, once per process: the whole slide, its text, the course's glossary
    assert len(rendered) == 4, rendered


def test_the_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_a_response_keeps_the_foreign_keys_of_its_attempt_and_slot_only(app):
    """The response's copies of its slot's question and version have no keys of their own (migration
    a12): the slot's key vouches for them, and a class handing in at once does not queue on them."""
    with app.app_context(), db.engine.connect() as connection:
        keys = {(tuple(key["constrained_columns"]), key["referred_table"])
                for key in sa_inspect(connection).get_foreign_keys("responses")}
    assert keys == {(("attempt_id",), "attempts"), (("slot_id",), "attempt_slots")}


def test_the_progress_and_course_pages_issue_a_fixed_number_of_statements(app, client, student):
    def statements_for(path):
        client.get(path)  # warm-up: a session's last-seen write (once a minute) is not the page's
        with count_statements(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    before = {path: statements_for(path) for path in ("/progress", "/courses/nl-klantrelaties/", "/")}
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    answered = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                           data={"csrf_token": token, "version": version.id, "option": "0"})
    assert answered.status_code == 303
    after = {path: statements_for(path) for path in before}
    assert after == before
    # /progress: session, courses, lessons, goals with their course method, goal questions, counted
    # answers, reading positions, latest quiz scores
    assert before["/progress"] <= 8 and before["/"] <= 5, before


def test_an_unexpected_error_shows_the_friendly_page_and_is_reported_to_the_tests(
        client, monkeypatch, expected_server_errors):
    from app.views import main

    def broken(_language):
        raise RuntimeError("a bug in the catalogue query")

    monkeypatch.setattr(main.lesson_service, "catalogue_summary", broken)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    # what would fail any other test: the exception, Flask's error log with it, the 500 answer
    assert [str(exc) for exc in expected_server_errors.exceptions] == ["a bug in the catalogue query"]
    assert any(record.exc_info and record.exc_info[1] is expected_server_errors.exceptions[0]
               for record in expected_server_errors.log_records)
    assert expected_server_errors.responses == [("GET", "/", 500)]


class InvalidChunkSize(Exception):  # noqa: N818 - named like gunicorn's, which has no common base
    pass


class BrokenBody(io.BytesIO):
    """A request body whose reading fails, as gunicorn's reader does on a malformed chunk size."""

    def read(self, *_args):
        raise InvalidChunkSize("Invalid chunk size: b'zz'")

    readline = readinto = read


def test_a_request_body_that_cannot_be_read_is_a_400(client):
    response = client.post("/language", input_stream=BrokenBody(),
                           headers={"Transfer-Encoding": "chunked",
                                    "Content-Type": "application/x-www-form-urlencoded"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 400
    assert "The request could not be understood." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "/\r\nSet-Cookie: stolen=1", "/\nLocation: https://evil.example", "//evil.example", "/\\evil.example",
    "/\t/evil.example", "https://evil.example/", "javascript:alert(1)", "/%0d%0aSet-Cookie:%20x=1",
    "/%2F%2Fevil.example", "/lessons/\x00", "/ü", "/" + "a" * 3000, "", "evil.example",
])
def test_the_language_switch_never_redirects_off_site_or_with_control_characters(client, target):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "language": "nl", "next": target})
    assert response.status_code in (303, 400)  # 400 only for the NUL byte
    if response.status_code == 303:
        assert response.headers["Location"] == "/"
        assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_the_language_switch_refuses_a_header_injection_in_the_query_string(client):
    token = csrf_token(client, "/")
    response = client.post("/language?next=/%0D%0ASet-Cookie:stolen=1",
                           data={"csrf_token": token, "language": "nl"})
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/lessons/nl-l1/", "/courses/nl-klantrelaties/glossary#term-crm",
                                    "/?language=hu", "/lessons/nl-l1/slides/3"])
def test_the_language_switch_returns_to_a_clean_local_path(client, target):
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "language": "nl", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == target
