"""Per-goal progress of one student, from stored responses and the pure mastery rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..learning.mastery import GoalProgress, ScoredResponse, goal_progress, latest_scores
from ..models import (
    Attempt,
    LearningGoal,
    Question,
    QuestionVersion,
    Response,
    question_version_goals,
)


@dataclass(frozen=True)
class GoalRow:
    goal: LearningGoal
    progress: GoalProgress


def goals_progress(user_id: int, lesson_ids: list[int]) -> dict[int, list[GoalRow]]:
    """Goal rows per lesson id, for the given lessons, in goal order. Three queries, whatever the size."""
    if not lesson_ids:
        return {}
    goals = list(db.session.scalars(select(LearningGoal).where(
        LearningGoal.lesson_id.in_(lesson_ids), LearningGoal.retired.is_(False))
        .order_by(LearningGoal.lesson_id, LearningGoal.position)))
    membership = db.session.execute(
        select(question_version_goals.c.goal_id, Question.id)
        .join(QuestionVersion, QuestionVersion.id == question_version_goals.c.question_version_id)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.lesson_id.in_(lesson_ids), Question.retired.is_(False)))
    goal_questions: dict[int, set[int]] = {g.id: set() for g in goals}
    for goal_id, question_id in membership:
        if goal_id in goal_questions:
            goal_questions[goal_id].add(question_id)
    responses = db.session.execute(
        select(Response.question_id, Response.score, Response.created_at, Response.id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.user_id == user_id, Attempt.lesson_id.in_(lesson_ids)))
    scores = latest_scores(ScoredResponse(str(q), s, at, i) for q, s, at, i in responses)
    progress = goal_progress({str(g): [str(q) for q in qs] for g, qs in goal_questions.items()}, scores)
    rows: dict[int, list[GoalRow]] = {lesson_id: [] for lesson_id in lesson_ids}
    for goal in goals:
        rows[goal.lesson_id].append(GoalRow(goal, progress[str(goal.id)]))
    return rows

