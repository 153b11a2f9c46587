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


# --- Mastery methods for many students at once (issue 9 point 4, issue 10 point 5) --------------
#
# The functions above are the original single-student rule (latest answer per question, counted
# over the goal's questions, mastered from 75 %). What follows generalises it: the teacher picks a
# method per course, the threshold is a parameter, and one pass over a list of answers yields the
# mastery of every student of a class. Which answers count is in docs/grading.md.

LATEST, HIGHEST, AVERAGE, DECAYING_AVERAGE, N_CORRECT = (
    "latest", "highest", "average", "decaying_average", "n_correct")
METHODS = (LATEST, HIGHEST, AVERAGE, DECAYING_AVERAGE, N_CORRECT)
CHECKPOINT, FINAL = "checkpoint", "final"
# What the sum is divided by: every question of the goal (unanswered ones count 0), or only the
# questions the student has answered in a way that counts (at least `min_questions` of them).
GOAL_QUESTIONS, ANSWERED_QUESTIONS = "goal_questions", "answered_questions"


@dataclass(frozen=True)
class MasteryMethod:
    """How a course turns answers into mastery. The defaults are the documented Lesmark default.

    - `method`: one of METHODS, applied to the counting answers of each question;
    - `threshold`: mastered from this fraction (not used by "mastered after N correct");
    - `decay_weight`: weight of the newest answer in the decaying average (Canvas uses 0.65);
    - `n_correct`: for N_CORRECT, how many questions of the goal must be answered fully right;
    - `checkpoint_weight`: weight of a question answered only in checkpoints, next to 1 for a
      final-quiz question (0.5 = half as much, 0 = checkpoints are practice and never count);
    - `denominator` and `min_questions`: see GOAL_QUESTIONS / ANSWERED_QUESTIONS.
    """

    method: str = LATEST
    threshold: float = MASTERY_THRESHOLD
    decay_weight: float = 0.65
    n_correct: int = 3
    checkpoint_weight: float = 1.0
    denominator: str = GOAL_QUESTIONS
    min_questions: int = 1

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown mastery method {self.method!r}")
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if not 0 < self.decay_weight <= 1:
            raise ValueError("decay_weight must be in (0, 1]")
        if self.n_correct < 1 or self.min_questions < 1:
            raise ValueError("n_correct and min_questions must be at least 1")
        if not 0 <= self.checkpoint_weight <= 1:
            raise ValueError("checkpoint_weight must be in [0, 1]")
        if self.denominator not in (GOAL_QUESTIONS, ANSWERED_QUESTIONS):
            raise ValueError(f"unknown denominator {self.denominator!r}")


DEFAULT_METHOD = MasteryMethod()


@dataclass(frozen=True)
class Answer:
    """One graded answer of one student, with what the service knows about when its key was shown.

    `key_shown_at` is when this student was shown the right answer of this question because of
    this answer (a checkpoint after its last try, a final quiz whose keys are revealed on
    submission or after the due date), or None when the key was not shown.
    """

    student_id: int | str
    question_id: str
    score: float
    answered_at: datetime
    sequence: int = 0  # tie-breaker for equal timestamps (e.g. the response row id)
    kind: str = FINAL  # CHECKPOINT | FINAL
    key_shown_at: datetime | None = None


@dataclass(frozen=True)
class MasteryTerm:
    """What one question of the goal contributes: `weight` x `value`.

    `scores` are the scores of the answers that count, oldest first; `value` is the method
    applied to them (0 when there are none). `weight` is 1, or the checkpoint weight when the
    question was answered only in checkpoints. `not_counted` answers were given after the
    student had seen this question's key.
    """

    question_id: str
    value: float
    weight: float
    scores: tuple[float, ...]
    not_counted: int = 0

    @property
    def answered(self) -> bool:
        return bool(self.scores)


@dataclass(frozen=True)
class MasteryExplanation:
    """The formula with the student's own numbers, as data a template renders in any language.

    Averaging methods: sum(weight x value of the counted terms) = `sum`, of `total` = `percent`,
    mastered from `threshold`. N_CORRECT: `sum` questions fully right of the `total` needed.
    `terms` are the questions in the denominator; with ANSWERED_QUESTIONS the unanswered ones
    are left out.
    """

    method: str
    terms: tuple[MasteryTerm, ...]
    sum: float
    total: float
    percent: int
    threshold: float
    decay_weight: float
    checkpoint_weight: float
    n_correct: int
    denominator: str
    min_questions: int
    not_counted: int  # answers left out because the key had been shown before


@dataclass(frozen=True)
class GoalMastery:
    student_id: int | str
    goal_id: str
    total: int  # questions of the goal
    answered: int  # questions with at least one answer that counts
    mastery: float  # in [0, 1]
    status: str
    explanation: MasteryExplanation

    @property
    def percent(self) -> int:
        return round(self.mastery * 100)


def _counting_answers(answers: list[Answer], method: MasteryMethod) -> tuple[list[Answer], int]:
    """The answers that count, oldest first, and how many were left out for a seen key.

    An answer counts unless this student had already been shown the key of this question
    before giving it; checkpoint answers do not count when the checkpoint weight is 0.
    """
    counting: list[Answer] = []
    left_out = 0
    key_seen: datetime | None = None
    for answer in sorted(answers, key=lambda a: (a.answered_at, a.sequence)):
        if key_seen is not None and key_seen <= answer.answered_at:
            left_out += 1
        elif answer.kind != CHECKPOINT or method.checkpoint_weight > 0:
            counting.append(answer)
        if answer.key_shown_at is not None and (key_seen is None or answer.key_shown_at < key_seen):
            key_seen = answer.key_shown_at
    return counting, left_out


def _term_value(scores: list[float], method: MasteryMethod) -> float:
    if not scores:
        return 0.0
    if method.method == HIGHEST:
        return max(scores)
    if method.method == AVERAGE:
        return sum(scores) / len(scores)
    if method.method == DECAYING_AVERAGE:
        value = scores[0]
        for score in scores[1:]:
            value = method.decay_weight * score + (1 - method.decay_weight) * value
        return value
    return scores[-1]  # LATEST (N_CORRECT shows the latest too)


def _term(question_id: str, answers: list[Answer], method: MasteryMethod) -> MasteryTerm:
    counting, left_out = _counting_answers(answers, method)
    scores = [a.score for a in counting]
    only_checkpoints = bool(counting) and all(a.kind == CHECKPOINT for a in counting)
    weight = method.checkpoint_weight if only_checkpoints else 1.0
    return MasteryTerm(question_id, _term_value(scores, method), weight, tuple(scores), left_out)


def _goal_mastery(student_id, goal_id: str, question_ids: list[str],
                  by_question: Mapping[str, list[Answer]], method: MasteryMethod) -> GoalMastery:
    all_terms = [_term(q, by_question.get(q, []), method) for q in question_ids]
    answered = sum(1 for t in all_terms if t.answered)
    terms = ([t for t in all_terms if t.answered] if method.denominator == ANSWERED_QUESTIONS
             else all_terms)
    if method.method == N_CORRECT:
        # Needed: N questions fully right, but never more than the goal has.
        total = float(min(method.n_correct, len(all_terms)))
        total_sum = float(sum(1 for t in all_terms if any(s >= 1 for s in t.scores)))
        mastery = min(1.0, total_sum / total) if total else 0.0
        mastered = total > 0 and total_sum >= total
    else:
        total_sum = sum(t.weight * t.value for t in terms)
        total = sum(t.weight for t in terms)
        if method.denominator == ANSWERED_QUESTIONS:
            total = max(total, float(min(method.min_questions, len(all_terms))))
        mastery = total_sum / total if total else 0.0
        # Compare rounded values so 2.25 of 3 is mastered at 75 %, not 74.999... %.
        mastered = round(mastery, 9) >= method.threshold
    status = NOT_STARTED if not answered else MASTERED if mastered else IN_PROGRESS
    explanation = MasteryExplanation(
        method=method.method, terms=tuple(terms), sum=round(total_sum, 4), total=round(total, 4),
        percent=round(mastery * 100), threshold=method.threshold,
        decay_weight=method.decay_weight, checkpoint_weight=method.checkpoint_weight,
        n_correct=method.n_correct, denominator=method.denominator,
        min_questions=method.min_questions, not_counted=sum(t.not_counted for t in all_terms))
    return GoalMastery(student_id, goal_id, len(all_terms), answered, mastery, status, explanation)


def class_mastery(answers: Iterable[Answer], goal_questions: Mapping[str, Iterable[str]],
                  method: MasteryMethod = DEFAULT_METHOD,
                  student_ids: Iterable[int | str] = ()) -> dict[int | str, dict[str, GoalMastery]]:
    """Mastery of every goal for every student, in one pass over `answers`.

    `goal_questions` maps goal id -> its question ids (in display order); `student_ids` adds
    students who have not answered anything yet (they get "not started" everywhere).
    Result: student id -> goal id -> GoalMastery, students in first-seen order.
    """
    by_student: dict[int | str, dict[str, list[Answer]]] = {s: {} for s in student_ids}
    for answer in answers:
        by_student.setdefault(answer.student_id, {}).setdefault(answer.question_id, []).append(answer)
    goals = {goal: list(dict.fromkeys(questions)) for goal, questions in goal_questions.items()}
    return {
        student: {goal: _goal_mastery(student, goal, questions, by_question, method)
                  for goal, questions in goals.items()}
        for student, by_question in by_student.items()
    }
