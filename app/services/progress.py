"""Per-goal progress of one student, from stored responses and the pure mastery rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..learning.mastery import (
    GoalMastery,
    GoalProgress,
    MasteryExplanation,
    class_mastery,
)
from ..models import (
    Attempt,
    AttemptKind,
    AttemptReset,
    AttemptStatus,
    CourseSettings,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    question_version_goals,
)
from .answers import counted_answers
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
    answers = counted_answers([user_id], lesson_ids)
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


def as_progress(mastery: GoalMastery) -> GoalProgress:
    """The page's row from a course method's result: mastery, status, and the mean of the values of
    the questions answered (what "% of answers correct" shows)."""
    answered = [t.value for t in mastery.explanation.terms if t.answered]
    return GoalProgress(goal_id=mastery.goal_id, total=mastery.total, answered=mastery.answered,
                        fraction_correct=sum(answered) / len(answered) if answered else 0.0,
                        mastery=mastery.mastery, status=mastery.status)


def latest_final_scores(user_id: int, lesson_ids: list[int]) -> dict[int, tuple[float, int]]:
    """Lesson id -> (score, max score) of the student's latest handed-in final quiz that a teacher
    did not reset (one query)."""
    if not lesson_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.lesson_id, Attempt.score, Attempt.max_score)
        .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
        .where(Attempt.user_id == user_id, Attempt.lesson_id.in_(lesson_ids), Attempt.kind == AttemptKind.FINAL,
               Attempt.status == AttemptStatus.SUBMITTED, AttemptReset.attempt_id.is_(None))
        .order_by(Attempt.submitted_at, Attempt.id))
    return {lesson_id: (score, max_score) for lesson_id, score, max_score in rows}  # the latest wins
