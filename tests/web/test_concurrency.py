"""Simultaneous requests (double click, two tabs): one attempt, graded exactly once."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attempt, AttemptKind, AttemptSlot, AttemptStatus, Lesson, Response
from app.services import attempts, hand_in
from tests.conftest import PASSWORD, new_user

from ..support import CSRF_FIELD, login
from .helpers import LESSON


def run_together(count: int, work) -> tuple[list, list]:
    """Start `count` threads that call work(barrier) at the same moment; (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            results.append(work(barrier))
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_parallel_submissions_of_one_final_quiz_grade_it_once(app):
    user_id, _name = new_user(app)
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == LESSON))
        attempt = attempts.start_final(user_id, lesson_id)
        attempt_id = attempt.id
        # every key, as the displayed positions of the stored shuffle
        answers = {s.number: {s.option_order.index(i) for i in s.version.correct_indexes}
                   for s in attempts.attempt_slots(attempt)}

    def submit(barrier):
        with app.app_context():
            own = db.session.get(Attempt, attempt_id)
            barrier.wait(timeout=10)
            return hand_in.submit_final(own, answers)

    outcomes, errors = run_together(4, submit)
    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        assert stored == len(answers)
        assert db.session.get(Attempt, attempt_id).score == len(answers)


def open_finals(app, user_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt.id).where(
            Attempt.user_id == user_id, Attempt.kind == AttemptKind.FINAL, Attempt.status == AttemptStatus.OPEN)))


def test_starting_the_final_quiz_in_parallel_makes_exactly_one_open_attempt(app):
    user_id, _name = new_user(app)
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == LESSON))

    def begin(barrier):
        with app.app_context():
            barrier.wait(timeout=10)
            return attempts.start_final(user_id, lesson_id).id

    started, errors = run_together(6, begin)
    assert errors == []
    (only,) = open_finals(app, user_id)
    assert started == [only] * 6  # every request got the one attempt
    with app.app_context():
        numbers = sorted(db.session.scalars(select(AttemptSlot.number).where(AttemptSlot.attempt_id == only)))
    # one draw, not two: slots 1..n once each; nl-l1 draws 2 questions for each of its 5 goals, a
    # question that measures two goals asked once, so n is between 5 and 10
    assert numbers == list(range(1, len(numbers) + 1)) and 5 <= len(numbers) <= 10


def test_two_tabs_posting_start_at_once_get_the_same_attempt(app):
    user_id, name = new_user(app)
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for c in clients:
        assert login(c, name, PASSWORD).status_code == 303
        page = c.get(f"/lessons/{LESSON}/quiz").get_data(as_text=True)
        tokens.append(CSRF_FIELD.search(page).group(1))

    def post(barrier):
        index = barrier.wait(timeout=10)
        return clients[index].post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": tokens[index]})

    responses, errors = run_together(4, post)
    assert errors == []
    assert [r.status_code for r in responses] == [303] * 4
    (only,) = open_finals(app, user_id)
    assert {r.headers["Location"] for r in responses} == {f"/attempts/{only}"}


def test_the_database_refuses_a_second_open_final_for_the_same_student_and_lesson(app):
    user_id, _name = new_user(app)
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == LESSON))
        first = attempts.start_final(user_id, lesson_id)
        db.session.add(Attempt(user_id=user_id, lesson_id=lesson_id, kind=AttemptKind.FINAL,
                               status=AttemptStatus.OPEN))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # a handed-in attempt does not count: a new one may start afterwards
        db.session.execute(db.update(Attempt).where(Attempt.id == first.id).values(status=AttemptStatus.SUBMITTED))
        db.session.commit()
        second = attempts.start_final(user_id, lesson_id)
        assert second.id != first.id
