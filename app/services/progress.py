"""Per-goal progress of one student, from stored responses and the pure mastery rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..learning.mastery import (
    CHECKPOINT,
    FINAL,
    Answer,
    GoalMastery,
    GoalProgress,
    MasteryExplanation,
    class_mastery,
)
from ..models import (
    Assignment,
    Attempt,
    AttemptKind,
    AttemptReset,
    ClassGroup,
    ClassStudent,
    CourseSettings,
    KeyReveal,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Response,
    question_version_goals,
)
from .gradebook import method_of


@dataclass(frozen=True)
class GoalRow:
    goal: LearningGoal
    progress: GoalProgress
    explanation: MasteryExplanation | None = None  # the course method's formula with the student's numbers


def goals_progress(user_id: int, lesson_ids: list[int]) -> dict[int, list[GoalRow]]:
    """Goal rows per lesson id, for the given lessons, in goal order, with each course's mastery
    method (chosen by its teacher; attempts a teacher reset do not count). Three queries, whatever the size."""
    if not lesson_ids:
        return {}
    # each goal with its course's settings (one statement: the method comes with the goals)
    rows = list(db.session.execute(
        select(LearningGoal, Lesson.course_id, CourseSettings)
        .join(Lesson, Lesson.id == LearningGoal.lesson_id)
        .outerjoin(CourseSettings, CourseSettings.course_id == Lesson.course_id)
        .where(LearningGoal.lesson_id.in_(lesson_ids), LearningGoal.retired.is_(False))
        .order_by(LearningGoal.lesson_id, LearningGoal.position)))
    goals = [(goal, course_id) for goal, course_id, _ in rows]
    methods = {course_id: method_of(settings) for _, course_id, settings in rows}
    membership = db.session.execute(
        select(question_version_goals.c.goal_id, Question.id)
        .join(QuestionVersion, QuestionVersion.id == question_version_goals.c.question_version_id)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.lesson_id.in_(lesson_ids), Question.retired.is_(False)))
    goal_questions: dict[int, set[int]] = {g.id: set() for g, _ in goals}
    for goal_id, question_id in membership:
        if goal_id in goal_questions:
            goal_questions[goal_id].add(question_id)
    answers = student_answers(user_id, lesson_ids)
    progress: dict[str, GoalMastery] = {}
    for course_id, method in methods.items():
        course_goals = {str(g.id): sorted(str(q) for q in goal_questions[g.id]) for g, c in goals if c == course_id}
        for goal_id, mastery in class_mastery(answers, course_goals, method, [user_id])[user_id].items():
            progress[goal_id] = mastery
    rows: dict[int, list[GoalRow]] = {lesson_id: [] for lesson_id in lesson_ids}
    for goal, _course_id in goals:
        mastery = progress[str(goal.id)]
        rows[goal.lesson_id].append(GoalRow(goal, as_progress(mastery), mastery.explanation))
    return rows


def student_answers(user_id: int, lesson_ids: list[int]) -> list[Answer]:
    """The student's graded answers in these lessons, each with when it showed the key (one query).

    The documented rule (docs/grading.md) needs the moment a student saw a question's key: a
    checkpoint try that revealed it (a right try or the last one), a final quiz when its answers
    were shown under the strictest policy of the student's classes (on handing in, after the due
    date, or never). Attempts a teacher reset count for nothing, their keys included."""
    def lesson_assignments(*conditions):
        return (select(Assignment.id).join(ClassStudent, ClassStudent.class_id == Assignment.class_id)
                .join(ClassGroup, ClassGroup.id == Assignment.class_id)
                .where(ClassStudent.user_id == user_id, Assignment.lesson_id == Attempt.lesson_id,
                       ClassGroup.archived_at.is_(None), *conditions))
    never_shown = lesson_assignments(or_(
        Assignment.key_reveal == KeyReveal.NEVER,
        and_(Assignment.key_reveal == KeyReveal.AFTER_DUE, Assignment.due_at.is_(None)))).exists()
    latest_due = (lesson_assignments(Assignment.key_reveal == KeyReveal.AFTER_DUE)
                  .with_only_columns(func.max(Assignment.due_at)).scalar_subquery())
    responses = db.session.execute(
        select(Response.question_id, Response.score, Response.created_at, Response.id, Attempt.kind,
               Response.reveals_key, never_shown, latest_due)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
        .where(Attempt.user_id == user_id, Attempt.lesson_id.in_(lesson_ids), AttemptReset.attempt_id.is_(None)))
    answers = []
    for question_id, score, at, row_id, kind, reveals_key, never, due in responses:
        if kind == AttemptKind.FINAL:
            shown = None if never else max(at, due) if due is not None else at
        else:
            shown = at if reveals_key else None
        answers.append(Answer(user_id, str(question_id), score, at, row_id,
                              FINAL if kind == AttemptKind.FINAL else CHECKPOINT, shown))
    return answers


def as_progress(mastery: GoalMastery) -> GoalProgress:
    """The page's row from a course method's result: mastery, status, and the mean of the values of
    the questions answered (what "% of answers correct" shows)."""
    answered = [t.value for t in mastery.explanation.terms if t.answered]
    return GoalProgress(goal_id=mastery.goal_id, total=mastery.total, answered=mastery.answered,
                        fraction_correct=sum(answered) / len(answered) if answered else 0.0,
                        mastery=mastery.mastery, status=mastery.status)
