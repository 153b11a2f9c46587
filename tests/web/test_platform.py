"""Health check, security headers, error pages, SQL statements per page, migrations."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import database
from app.extensions import db

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


def test_a_slide_page_issues_at_most_three_sql_statements_whatever_the_lesson_length(app, client, student):
    counts = {}
    for slug in (LESSON, "nl-l2", "fi-l1"):
        if lesson_row(app, slug) is None:
            continue
        for position in (1, 3):
            with count_statements(app) as statements:
                assert client.get(f"/lessons/{slug}/slides/{position}").status_code == 200
            counts[(slug, position)] = len(statements)
    position, version = first_question_screen(app)
    with count_statements(app) as statements:
        client.get(f"/lessons/{LESSON}/slides/{position}")
    counts[(LESSON, "question")] = len(statements)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                data={"csrf_token": token, "version": version.id, "option": "0"})
    with count_statements(app) as statements:
        assert "Your answer" in client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    counts[(LESSON, "answered question")] = len(statements)
    assert max(counts.values()) <= 3, counts
    assert len(set(counts.values())) == 1, counts


def test_the_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_the_progress_and_course_pages_issue_a_fixed_number_of_statements(app, client, student):
    def statements_for(path):
        with count_statements(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    before = {path: statements_for(path) for path in ("/progress", "/courses/nl-klantrelaties/", "/")}
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                data={"csrf_token": token, "version": version.id, "option": "0"})
    after = {path: statements_for(path) for path in before}
    assert after == before
    assert before["/progress"] <= 7 and before["/"] <= 5, before
