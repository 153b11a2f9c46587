"""Simultaneous submissions of one attempt (double click, two tabs) are graded exactly once."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, Lesson, Response
from app.services import attempts
from tests.conftest import new_user


def test_parallel_submissions_of_one_final_quiz_grade_it_once(app):
    user_id, _name = new_user(app)
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "nl-l1"))
        attempt = attempts.start_final(user_id, lesson_id)
        attempt_id, versions = attempt.id, attempts.attempt_versions(attempt)
        answers = {v.id: set(v.correct_indexes) for v in versions}

    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def submit():
        try:
            with app.app_context():
                own = db.session.get(Attempt, attempt_id)
                barrier.wait(timeout=10)
                outcomes.append(attempts.submit_final(own, answers))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        assert stored == len(versions)
        assert db.session.get(Attempt, attempt_id).score == len(versions)
