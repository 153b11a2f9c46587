"""A made-up set of submitted final-quiz attempts, written straight into the database, for the
item-analysis, review and report tests: the tests choose every answer, so every figure can be
computed by hand.

`FIVE` is the hand-computed example: three single-choice questions of nl-l2's final quiz (the
first three single-choice ones of today's draw), five students, scores (q1, q2, q3):
    S1 1 1 1  total 3          S4 0 1 0  total 1
    S2 1 1 0  total 2          S5 0 0 0  total 0
    S3 1 0 0  total 1
Every wrong answer is the first distractor (the lowest stored index that is not the key), so on
q3 four of five chose the same wrong option and the other distractors nobody chose. S1 also has
a later, second attempt with every answer wrong (counted only with "all attempts").
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.learning.grading import grade, total_score
from app.models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    Lesson,
    QuestionVersion,
    Response,
)
from app.services import accounts, attempts

from ..conftest import PASSWORD

LESSON = "nl-l2"
START = datetime(2026, 11, 2, 9, 0)
_names = itertools.count(1)

FIVE = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 1, 0), (0, 0, 0)]


def three_questions(app, lesson_slug: str = LESSON) -> list[QuestionVersion]:
    """The first three single-choice questions of the lesson's final quiz (detached)."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == lesson_slug))
        versions = [v for v in attempts.final_questions(lesson.id) if v.type == "single"][:3]
        db.session.expunge_all()
        return versions


def right(version: QuestionVersion) -> int:
    return min(version.correct_indexes)


def first_wrong(version: QuestionVersion) -> int:
    return min(set(range(len(version.options))) - version.correct_indexes)


def make_student(app, display_name: str | None = None) -> tuple[int, str]:
    name = f"rv{next(_names)}"
    with app.app_context():
        user = accounts.register(name, f"Student {name}", PASSWORD)
        if display_name is not None:  # exactly as given, even what the sign-up form would trim
            user.display_name = display_name
            db.session.commit()
        return user.id, name


def submit_attempt(app, user_id: int, lesson_slug: str, answers: list[tuple[QuestionVersion, set[int]]],
                   when: datetime, reversed_order: bool = True) -> int:
    """A submitted final quiz whose slots hold exactly these versions, each shown in reversed
    option order (so a test notices display positions taken for stored ones), and graded answers
    given as STORED option indexes."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == lesson_slug))
        attempt = Attempt(user_id=user_id, lesson_id=lesson.id, kind=AttemptKind.FINAL,
                          status=AttemptStatus.SUBMITTED, started_at=when - timedelta(minutes=5), submitted_at=when)
        db.session.add(attempt)
        db.session.flush()
        grades = []
        for number, (version, chosen) in enumerate(answers, start=1):
            order = list(range(len(version.options)))
            slot = AttemptSlot(attempt_id=attempt.id, number=number, question_id=version.question_id,
                               question_version_id=version.id,
                               option_order=order[::-1] if reversed_order else order)
            db.session.add(slot)
            db.session.flush()
            result = grade(version.type, len(version.options), version.correct_indexes, chosen)
            grades.append(result.score)
            db.session.add(Response(attempt_id=attempt.id, slot_id=slot.id, question_id=version.question_id,
                                    question_version_id=version.id, selected=list(result.selected),
                                    score=result.score, outcome=result.outcome, created_at=when))
        attempt.score, attempt.max_score = total_score(grades)
        db.session.commit()
        return attempt.id


def five_students(app, display_names: list[str] | None = None, lesson_slug: str = LESSON):
    """FIVE as real attempts; returns (user ids, usernames, the three versions)."""
    versions = three_questions(app, lesson_slug)
    ids, names = [], []
    for index, scores in enumerate(FIVE):
        user_id, name = make_student(app, display_names[index] if display_names else None)
        answers = [(v, {right(v) if s else first_wrong(v)}) for v, s in zip(versions, scores, strict=True)]
        submit_attempt(app, user_id, lesson_slug, answers, START + timedelta(minutes=index))
        ids.append(user_id)
        names.append(name)
    # S1 tries again a day later and gets everything wrong
    submit_attempt(app, ids[0], lesson_slug, [(v, {first_wrong(v)}) for v in versions], START + timedelta(days=1))
    return ids, names, versions


def many_students(app, count: int, lesson_slug: str = LESSON) -> None:
    """`count` students with one attempt each, varied answers (for statement counts)."""
    versions = three_questions(app, lesson_slug)
    for index in range(count):
        user_id, _name = make_student(app)
        answers = [(v, {right(v) if (index + position) % 3 else first_wrong(v)}) for position, v in enumerate(versions)]
        submit_attempt(app, user_id, lesson_slug, answers, START + timedelta(minutes=index))
