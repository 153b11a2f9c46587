"""Moodle's answer weights and how they map onto Lesmark's partial-credit rule.

Moodle accepts only the grades of `question_bank::fraction_options_full()`: 0, ±100 % and ±
the fractions p/q (q ≤ 6), p/10, 1/q (q ≤ 10) and 1/20, stored to 7 decimals. Its importer
compares with a tolerance of 0.00001 on the fraction (`match_grade_options(..., 'error')`), so
-33.33333 is a weight and -33 is not. A multiple-response question must have positive
weights that add up to 100 %; a student scores the sum of the ticked weights, kept in [0, 1].
"""

from __future__ import annotations

from itertools import combinations

from ...learning.grading import grade
from .model import WeightMapping

_POSITIVE = (0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25,
             0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05)
ALLOWED_FRACTIONS = (1.0, *_POSITIVE, 0.0, *(-f for f in reversed(_POSITIVE)), -1.0)
TOLERANCE = 0.00001
SCORE_TOLERANCE = 0.0005  # 3 × 33.33333 % is a full mark


def format_percent(percent: float) -> str:
    """A percentage the way Moodle writes it: at most 5 decimals, no trailing zeros."""
    text = f"{percent:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_allowed(percent: float) -> bool:
    return any(abs(percent / 100 - f) < TOLERANCE for f in ALLOWED_FRACTIONS)


def nearest_allowed(percent: float) -> str:
    best = min(ALLOWED_FRACTIONS, key=lambda f: (abs(percent / 100 - f), -f))
    return format_percent(best * 100)


def equal_share(count: int) -> str:
    """The Moodle weight of one of `count` equal shares of the mark (100/count, an allowed grade)."""
    return format_percent(100 / count)


def moodle_multi_score(weights: tuple[float, ...], ticked: tuple[int, ...]) -> float:
    return min(1.0, max(0.0, sum(weights[i] for i in ticked) / 100))


def map_weights(weights: tuple[float, ...]) -> WeightMapping:
    """Compare Moodle's score with Lesmark's for every way to tick the options."""
    correct = frozenset(i for i, w in enumerate(weights) if w > 0)
    count = len(weights)
    differing, example = 0, None
    for size in range(1, count + 1):
        for ticked in combinations(range(count), size):
            moodle = moodle_multi_score(weights, ticked)
            lesmark = grade("multiple", count, correct, set(ticked)).score
            if abs(moodle - lesmark) > SCORE_TOLERANCE:
                differing += 1
                example = example or (ticked, moodle, lesmark)
    return WeightMapping(weights=weights, right=len(correct), wrong=count - len(correct),
                         answers_compared=2 ** count, answers_differing=differing, example=example)


def describe(mapping: WeightMapping) -> str:
    """One English sentence or three for the import preview and the CLI listing."""
    weights = "/".join(format_percent(w) for w in mapping.weights)
    right, wrong = mapping.right, mapping.wrong
    head = (f"Moodle weights {weights} become {right} right and {wrong} wrong option"
            f"{'s' if wrong != 1 else ''}: Lesmark gives each right option 1/{right} of the mark "
            f"and takes 1/{wrong} off for each wrong option ticked.")
    if mapping.same_everywhere:
        return f"{head} That is the same score as in Moodle for all {mapping.answers_compared} ways to answer."
    right_weights = {round(w, 4) for w in mapping.weights if w > 0}
    wrong_weights = [w for w in mapping.weights if w <= 0]
    if len(right_weights) > 1:
        when = ("It differs already when only right options are ticked, because Moodle gives them "
                "unequal weights and Lesmark equal shares.")
    else:
        taken = ", ".join(f"{format_percent(-w)} %" for w in wrong_weights)
        when = (f"It is the same score when no wrong option is ticked and differs when one is: "
                f"Moodle takes off {taken}, Lesmark {format_percent(100 / wrong)} % for each.")
    assert mapping.example is not None  # set whenever a score differs (same_everywhere is False)
    ticked, moodle, lesmark = mapping.example
    letters = ", ".join(chr(ord("A") + i) for i in ticked)
    return (f"{head} {when} {mapping.answers_differing} of {mapping.answers_compared} ways to answer "
            f"score differently; for example ticking {letters} scores {format_percent(moodle * 100)} % in "
            f"Moodle and {format_percent(lesmark * 100)} % in Lesmark.")
