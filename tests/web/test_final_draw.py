"""The final quiz draws per learning goal: every goal asked, unseen questions first, stored."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.extensions import db
from app.models import AttemptSlot

from ..support import csrf_token
from .helpers import LESSON, question_screens

# nl-l1: a final list of 10 questions and 5 learning goals, so 10 / 5 = 2 questions per goal
GOALS = {f"nl-l1-g{n}" for n in range(1, 6)}
PER_GOAL = 2


def start(client) -> int:
    token = csrf_token(client, f"/lessons/{LESSON}/quiz")
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def drawn(app, attempt_id) -> list[tuple[int, set[str]]]:
    """(question id, goal slugs) of every slot of the attempt, in quiz order."""
    with app.app_context():
        slots = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id)
                                   .order_by(AttemptSlot.number)).all()
        return [(slot.question_id, {g.slug for g in slot.version.goals}) for slot in slots]


def test_every_goal_gets_its_share_of_the_final_quiz(app, client, student):
    questions = drawn(app, start(client))
    per_goal = Counter(goal for _, goals in questions for goal in goals)
    assert set(per_goal) == GOALS
    assert all(count >= PER_GOAL for count in per_goal.values()), per_goal
    assert len({q for q, _ in questions}) == len(questions)  # no question twice


def test_after_the_checkpoints_the_final_quiz_asks_only_questions_the_student_has_not_seen(app, client, student):
    checkpoint_questions = set()
    for position, version, _goals in question_screens(app):
        token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
        response = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                               data={"csrf_token": token, "version": str(version.id), "option": "0"})
        assert response.status_code == 303
        checkpoint_questions.add(version.question_id)
    assert len(checkpoint_questions) >= 15
    questions = drawn(app, start(client))
    assert not {q for q, _ in questions} & checkpoint_questions
    per_goal = Counter(goal for _, goals in questions for goal in goals)
    assert set(per_goal) == GOALS


def test_the_draw_is_stored_when_the_attempt_starts_and_a_reload_keeps_it(app, client, student):
    attempt_id = start(client)
    before = drawn(app, attempt_id)
    assert client.get(f"/attempts/{attempt_id}").status_code == 200
    assert client.get(f"/lessons/{LESSON}/quiz").status_code == 302  # continues the open attempt
    assert drawn(app, attempt_id) == before
