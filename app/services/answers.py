"""The answers that count for mastery, with when each one showed the student the key.

Shared by the progress page (one student) and the gradebook and heat map (a class), so both
apply the same documented rule (docs/grading.md) and can never disagree.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..learning.mastery import CHECKPOINT, FINAL, Answer
from ..models import (
    Assignment,
    Attempt,
    AttemptKind,
    AttemptReset,
    ClassGroup,
    ClassStudent,
    KeyReveal,
    Response,
)


def counted_answers(user_ids: list[int], lesson_ids: list[int]) -> list[Answer]:
    """The students' graded answers in these lessons, each with when it showed the key (one query).

    The documented rule needs the moment a student saw a question's key: a checkpoint try that
    revealed it (a right try or the last one), a final quiz when its answers were shown under the
    strictest policy of the student's classes (on handing in, after the due date, or never).
    Attempts a teacher reset count for nothing, their keys included."""
    if not user_ids or not lesson_ids:
        return []

    def lesson_assignments(*conditions):
        return (select(Assignment.id).join(ClassStudent, ClassStudent.class_id == Assignment.class_id)
                .join(ClassGroup, ClassGroup.id == Assignment.class_id)
                .where(ClassStudent.user_id == Attempt.user_id, Assignment.lesson_id == Attempt.lesson_id,
                       ClassGroup.archived_at.is_(None), *conditions))
    never_shown = lesson_assignments(or_(
        Assignment.key_reveal == KeyReveal.NEVER,
        and_(Assignment.key_reveal == KeyReveal.AFTER_DUE, Assignment.due_at.is_(None)))).exists()
    latest_due = (lesson_assignments(Assignment.key_reveal == KeyReveal.AFTER_DUE)
                  .with_only_columns(func.max(Assignment.due_at)).scalar_subquery())
    responses = db.session.execute(
        select(Attempt.user_id, Response.question_id, Response.score, Response.created_at, Response.id,
               Attempt.kind, Response.reveals_key, never_shown, latest_due)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids), Attempt.lesson_id.in_(lesson_ids),
               AttemptReset.attempt_id.is_(None)))
    answers = []
    for user_id, question_id, score, at, row_id, kind, reveals_key, never, due in responses:
        if kind == AttemptKind.FINAL:
            shown = None if never else max(at, due) if due is not None else at
        else:
            shown = at if reveals_key else None
        answers.append(Answer(user_id, str(question_id), score, at, row_id,
                              FINAL if kind == AttemptKind.FINAL else CHECKPOINT, shown))
    return answers
