"""The multiple-response rule with the student's own numbers (issue 10 point 6).

`grade()` in grading.py gives the score; this module says how it came about, as plain data a
template renders in any language: "2 of 3 right options ticked, 0 of 1 wrong ones:
2/3 − 0/1 = 67 %", and for every option whether it was ticked and right, missed, ticked and
wrong, or rightly left alone (so a missed right option is named in text, not only in colour).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

TICKED_RIGHT, MISSED, TICKED_WRONG, LEFT_WRONG = "ticked_right", "missed", "ticked_wrong", "left_wrong"


@dataclass(frozen=True)
class MultipleResponseExplanation:
    right_ticked: int
    right_total: int
    wrong_ticked: int
    wrong_total: int
    unfloored: float  # right_ticked/right_total − wrong_ticked/wrong_total, may be negative
    score: float  # max(0, unfloored): the same number grade() returns
    option_marks: tuple[str, ...]  # per option index: TICKED_RIGHT | MISSED | TICKED_WRONG | LEFT_WRONG

    @property
    def floored(self) -> bool:
        """True when more wrong than right was ticked and the score was raised to 0."""
        return self.unfloored < 0

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def explain_multiple(option_count: int, correct: frozenset[int],
                     selected: frozenset[int] | set[int]) -> MultipleResponseExplanation:
    """Explain the score of a multiple-response answer by option index (the rule of grading.py).

    Indexes are option identities (the file order), never the shuffled display positions.
    """
    selected = frozenset(selected)
    if any(not 0 <= i < option_count for i in selected | correct):
        raise ValueError("option index out of range")
    if not correct:
        raise ValueError("a multiple-response question needs a right option")
    right_ticked = len(selected & correct)
    wrong_ticked = len(selected - correct)
    wrong_total = option_count - len(correct)
    fraction = Fraction(right_ticked, len(correct))
    if wrong_total:
        fraction -= Fraction(wrong_ticked, wrong_total)
    marks = tuple(
        (TICKED_RIGHT if i in selected else MISSED) if i in correct
        else (TICKED_WRONG if i in selected else LEFT_WRONG)
        for i in range(option_count))
    return MultipleResponseExplanation(
        right_ticked=right_ticked, right_total=len(correct), wrong_ticked=wrong_ticked,
        wrong_total=wrong_total, unfloored=float(fraction), score=float(max(Fraction(0), fraction)),
        option_marks=marks)
