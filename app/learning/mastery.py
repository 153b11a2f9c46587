"""Mastery of learning goals from graded responses (method in docs/grading.md).

For each goal, only the student's latest response to each of the goal's active questions
counts, so a student who learns from feedback can recover. Then:

- answered      = questions of the goal the student has answered at least once
- fraction_correct = mean latest score over the answered questions
- mastery       = sum of latest scores / number of the goal's questions, in [0, 1]:
                  evidence across the whole goal, so one lucky answer is not mastery
- status        = not_started (nothing answered), mastered (mastery >= 0.75),
                  in_progress otherwise
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

MASTERY_THRESHOLD = 0.75
NOT_STARTED, IN_PROGRESS, MASTERED = "not_started", "in_progress", "mastered"


@dataclass(frozen=True)
class ScoredResponse:
    question_id: str
    score: float
    answered_at: datetime
    sequence: int = 0  # tie-breaker for equal timestamps (e.g. the response row id)


@dataclass(frozen=True)
class GoalProgress:
    goal_id: str
    total: int
    answered: int
    fraction_correct: float
    mastery: float
    status: str

    @property
    def percent(self) -> int:
        return round(self.mastery * 100)


def latest_scores(responses: Iterable[ScoredResponse]) -> dict[str, float]:
    """Latest score per question."""
    latest: dict[str, ScoredResponse] = {}
    for r in responses:
        current = latest.get(r.question_id)
        if current is None or (r.answered_at, r.sequence) > (current.answered_at, current.sequence):
            latest[r.question_id] = r
    return {qid: r.score for qid, r in latest.items()}


def goal_progress(goal_questions: Mapping[str, Iterable[str]], scores: Mapping[str, float]) -> dict[str, GoalProgress]:
    """Progress for every goal; `goal_questions` maps goal id -> its active question ids."""
    result: dict[str, GoalProgress] = {}
    for goal_id, question_ids in goal_questions.items():
        questions = set(question_ids)
        answered = [scores[q] for q in questions if q in scores]
        total = len(questions)
        mastery = sum(answered) / total if total else 0.0
        if not answered:
            status = NOT_STARTED
        elif mastery >= MASTERY_THRESHOLD:
            status = MASTERED
        else:
            status = IN_PROGRESS
        result[goal_id] = GoalProgress(
            goal_id=goal_id, total=total, answered=len(answered),
            fraction_correct=sum(answered) / len(answered) if answered else 0.0,
            mastery=mastery, status=status,
        )
    return result
