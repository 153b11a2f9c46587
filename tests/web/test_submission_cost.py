"""Handing in a final quiz costs a fixed, small number of SQL statements, whatever its length,
and still stores every answer, the score and the lesson's first completion."""

import pytest
from sqlalchemy import func, select

from app import database
from app.extensions import db
from app.models import Attempt, LessonProgress, QuestionVersion, Response
from app.services.hand_in import grading_facts

from ..conftest import PASSWORD, new_user
from ..support import csrf_token, login
from .helpers import LESSON, right, slots_of, start, sync, wrong


def hand_in(app, client, attempt_id, answers) -> tuple[int, list[str]]:
    token = csrf_token(client, f"/attempts/{attempt_id}")
    data = {"csrf_token": token, **{f"q{number}": opts for number, opts in answers.items()}}
    with app.app_context():
        engine = db.engine
    with database.count_statements(engine) as statements:
        response = client.post(f"/attempts/{attempt_id}/submit", data=data)
    return response.status_code, list(statements)


@pytest.mark.parametrize("served_by", ["flask", "below flask"])
def test_a_submission_grades_and_stores_every_answer_in_a_few_statements(app, client, student, served_by):
    on_postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    layer = app.extensions["lesmark_direct_submissions"]
    layer.enabled = served_by != "flask"
    try:
        check_the_cost(app, client, on_postgresql, below_flask=layer.enabled)
    finally:
        layer.enabled = True


def check_the_cost(app, client, on_postgresql: bool, below_flask: bool) -> None:
    # below Flask (app/direct_submissions.py) the session check and the attempt are one statement
    saved = 1 if below_flask else 0
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    with app.app_context():
        grading_facts().clear()  # as in a fresh process: its questions' grading facts are read once
    status, statements = hand_in(app, client, attempt_id, {s.number: right(s) for s in slots})
    assert status == 303
    # session user, the attempt with its slots, the versions' grading facts (once per process), then
    # the claim with the score, the answers and the completion: three statements on SQLite, one on
    # PostgreSQL
    assert len(statements) == (4 if on_postgresql else 6) - saved, statements
    assert sum("INSERT INTO responses" in s for s in statements) == 1
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        attempt = db.session.get(Attempt, attempt_id)
        assert stored == len(slots) >= 2
        assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", len(slots), len(slots))
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": csrf_token(client, f"/attempts/{attempt_id}")})
    retake = int(response.headers["Location"].rsplit("/", 1)[1])
    retake_slots = slots_of(app, retake)
    with app.app_context():  # a process that graded these questions before
        grading_facts().get([s.version.id for s in retake_slots])
    status, statements = hand_in(app, client, retake, {s.number: wrong(s) for s in retake_slots})
    assert status == 303
    assert len(statements) == (3 if on_postgresql else 5) - saved, statements
    with app.app_context():
        assert db.session.get(Attempt, retake).score == 0
        stored = db.session.scalars(select(Response).where(Response.attempt_id == retake)).all()
        assert len(stored) == len(retake_slots) and all(r.score == 0 and r.try_number == 1 for r in stored)
        assert all(r.reveals_key and r.created_at is not None for r in stored)


def test_a_retake_keeps_the_date_the_lesson_was_first_completed(app, client, student):
    user_id, _name = student
    first = start(client)
    slots = slots_of(app, first)
    assert hand_in(app, client, first, {s.number: wrong(s) for s in slots})[0] == 303
    with app.app_context():
        lesson_id = db.session.get(Attempt, first).lesson_id
        completed = db.session.get(LessonProgress, (user_id, lesson_id)).completed_at
    assert completed is not None
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": csrf_token(client, f"/attempts/{first}")})
    second = int(response.headers["Location"].rsplit("/", 1)[1])
    assert second != first
    assert hand_in(app, client, second, {s.number: right(s) for s in slots_of(app, second)})[0] == 303
    with app.app_context():
        assert db.session.get(LessonProgress, (user_id, lesson_id)).completed_at == completed


def test_a_changed_key_is_graded_by_its_new_version_while_the_old_one_keeps_its_own(content_app):
    """Grading facts are kept per process by version (app/services/attempts.py): that is only right
    because an edit of a question makes a new version and never changes a stored one."""
    client = content_app.test_client()
    _user_id, name = new_user(content_app)
    assert login(client, name, PASSWORD).status_code == 303

    def hand_in_option(stored_index: int) -> float:
        token = csrf_token(client, "/lessons/demo-l1/quiz")
        attempt = client.post("/lessons/demo-l1/quiz/new", data={"csrf_token": token})
        attempt_id = int(attempt.headers["Location"].rsplit("/", 1)[1])
        [slot] = slots_of(content_app, attempt_id)
        assert hand_in(content_app, client, attempt_id, {1: slot.shown([str(stored_index)])})[0] == 303
        with content_app.app_context():
            return db.session.get(Attempt, attempt_id).score, slot.version.id

    assert hand_in_option(0)[0] == 1  # "Waar" is right, and the grading facts are kept now
    old_version = hand_in_option(1)[1]
    quiz_file = content_app.content_root / "quizzes/demo/01-a.md"
    text = quiz_file.read_text(encoding="utf-8")
    quiz_file.write_text(text.replace("- [x] Waar", "- [ ] Waar").replace("- [ ] Niet waar", "- [x] Niet waar"),
                         encoding="utf-8")
    assert sync(content_app).exit_code == 0
    score, new_version = hand_in_option(1)
    assert new_version != old_version and score == 1  # "Niet waar" is right now
    assert hand_in_option(0)[0] == 0
    with content_app.app_context():
        assert db.session.get(QuestionVersion, old_version).correct_indexes == {0}
