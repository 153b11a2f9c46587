"""Grade one response to one question. Plain values in, plain values out.

Partial-credit rule for multiple response (documented in docs/grading.md):

    score = max(0, right_ticked / right_total - wrong_ticked / wrong_total)

Each correct option ticked earns an equal share of the mark; each wrong option ticked
takes away an equal share of it, so ticking every option scores exactly 0 and guessing
is never rewarded. Single choice and true/false score 1 or 0.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    if question_type != "multiple":  # all or nothing
        return Grade(1.0, CORRECT, ordered) if selected == correct else Grade(0.0, INCORRECT, ordered)
    # right/right_total - wrong/wrong_total in whole numbers over right_total * wrong_total: exact, as
    # fractions would be, and the float of the same ratio (int / int rounds correctly)
    right_total, wrong_total = len(correct), option_count - len(correct)
    if not right_total:
        raise ValueError("a multiple-response question needs a correct option")
    right, wrong = len(selected & correct), len(selected - correct)
    numerator = right * wrong_total - wrong * right_total if wrong_total else right
    denominator = right_total * wrong_total if wrong_total else right_total
    if numerator <= 0:
        return Grade(0.0, INCORRECT, ordered)
    if numerator == denominator:
        return Grade(1.0, CORRECT, ordered)
    return Grade(numerator / denominator, PARTIAL, ordered)


def total_score(scores: list[float], points: list[int] | None = None) -> tuple[float, int]:
    """Sum of each question's score (a fraction) times its points, and the maximum possible: the
    sum of the points (one point per question when none are given)."""
    points = [1] * len(scores) if points is None else points
    if len(points) != len(scores):
        raise ValueError("one points value per score")
    return round(sum(s * p for s, p in zip(scores, points, strict=True)), 4), sum(points)
