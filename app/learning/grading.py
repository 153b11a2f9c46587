"""Grade one response to one question. Plain values in, plain values out.

Partial-credit rule for multiple response (documented in docs/grading.md):

    score = max(0, right_ticked / right_total - wrong_ticked / wrong_total)

Each correct option ticked earns an equal share of the mark; each wrong option ticked
takes away an equal share of it, so ticking every option scores exactly 0 and guessing
is never rewarded. Single choice and true/false score 1 or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

CORRECT, PARTIAL, INCORRECT, UNANSWERED = "correct", "partial", "incorrect", "unanswered"


class InvalidResponse(ValueError):
    """The response cannot be graded (unknown option, two answers to a single choice…)."""


@dataclass(frozen=True)
class Grade:
    score: float  # in [0, 1]
    outcome: str  # correct | partial | incorrect | unanswered
    selected: tuple[int, ...]


def grade(question_type: str, option_count: int, correct: frozenset[int],
          selected: frozenset[int] | set[int]) -> Grade:
    """Grade `selected` option indexes against the key."""
    selected = frozenset(selected)
    if any(not 0 <= i < option_count for i in selected):
        raise InvalidResponse("unknown option")
    if question_type in ("single", "truefalse") and len(selected) > 1:
        raise InvalidResponse("only one option may be chosen")
    if question_type not in ("single", "truefalse", "multiple"):
        raise ValueError(f"unknown question type {question_type!r}")
    ordered = tuple(sorted(selected))
    if not selected:
        return Grade(0.0, UNANSWERED, ordered)
    if question_type != "multiple":  # all or nothing (no fractions: a quiz grades a dozen of these)
        return Grade(1.0, CORRECT, ordered) if selected == correct else Grade(0.0, INCORRECT, ordered)
    wrong_total = option_count - len(correct)
    fraction = Fraction(len(selected & correct), len(correct))
    if wrong_total:
        fraction -= Fraction(len(selected - correct), wrong_total)
    score = max(Fraction(0), fraction)
    outcome = CORRECT if score == 1 else INCORRECT if score == 0 else PARTIAL
    return Grade(float(score), outcome, ordered)


def total_score(scores: list[float], points: list[int] | None = None) -> tuple[float, int]:
    """Sum of each question's score (a fraction) times its points, and the maximum possible: the
    sum of the points (one point per question when none are given)."""
    points = [1] * len(scores) if points is None else points
    if len(points) != len(scores):
        raise ValueError("one points value per score")
    return round(sum(s * p for s, p in zip(scores, points, strict=True)), 4), sum(points)
