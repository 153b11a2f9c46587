"""Handing in a final quiz costs a fixed, small number of SQL statements, whatever its length,
and still stores every answer, the score and the lesson's first completion."""

from sqlalchemy import func, select

from app import database
from app.extensions import db
from app.models import Attempt, LessonProgress, Response

from ..support import csrf_token
from .helpers import LESSON, right, slots_of, start, wrong


def hand_in(app, client, attempt_id, answers) -> tuple[int, list[str]]:
    token = csrf_token(client, f"/attempts/{attempt_id}")
    data = {"csrf_token": token, **{f"q{number}": opts for number, opts in answers.items()}}
    with app.app_context():
        engine = db.engine
    with database.count_statements(engine) as statements:
        response = client.post(f"/attempts/{attempt_id}/submit", data=data)
    return response.status_code, list(statements)


def test_a_submission_grades_and_stores_every_answer_in_five_statements(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    status, statements = hand_in(app, client, attempt_id, {s.number: right(s) for s in slots})
    assert status == 303
    # session user, the attempt with its slots and their versions, the claim with the score, the answers,
    # the completion
    assert len(statements) == 5, statements
    assert sum(s.startswith("INSERT INTO responses") for s in statements) == 1
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        attempt = db.session.get(Attempt, attempt_id)
        assert stored == len(slots) >= 2
        assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", len(slots), len(slots))


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
