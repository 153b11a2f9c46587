"""Server-side grading rules (docs/grading.md)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.learning.grading import InvalidResponse, grade, total_score


def test_single_choice_scores_one_for_the_key_and_zero_otherwise():
    assert grade("single", 4, frozenset({1}), {1}).score == 1.0
    assert grade("single", 4, frozenset({1}), {1}).outcome == "correct"
    assert grade("single", 4, frozenset({1}), {2}).score == 0.0
    assert grade("single", 4, frozenset({1}), {2}).outcome == "incorrect"


def test_true_false_is_graded_like_single_choice():
    assert grade("truefalse", 2, frozenset({1}), {1}).score == 1.0
    assert grade("truefalse", 2, frozenset({1}), {0}).score == 0.0


def test_single_choice_refuses_two_answers():
    with pytest.raises(InvalidResponse):
        grade("single", 4, frozenset({1}), {1, 2})


def test_unknown_option_is_refused():
    with pytest.raises(InvalidResponse):
        grade("multiple", 4, frozenset({0, 1}), {4})
    with pytest.raises(InvalidResponse):
        grade("single", 4, frozenset({0}), {-1})


def test_no_answer_scores_zero_and_is_marked_unanswered():
    result = grade("multiple", 4, frozenset({0, 1, 2}), set())
    assert (result.score, result.outcome) == (0.0, "unanswered")


def test_multiple_response_all_keys_and_nothing_else_scores_one():
    assert grade("multiple", 4, frozenset({0, 1, 2}), {0, 1, 2}).score == 1.0


def test_multiple_response_selecting_every_option_scores_zero():
    assert grade("multiple", 4, frozenset({0, 1, 2}), {0, 1, 2, 3}).score == 0.0
    assert grade("multiple", 5, frozenset({0, 1}), {0, 1, 2, 3, 4}).score == 0.0


def test_multiple_response_partial_credit_follows_the_documented_rule():
    # 2 of 3 keys, no wrong option: 2/3
    assert grade("multiple", 4, frozenset({0, 1, 2}), {0, 1}).score == pytest.approx(2 / 3)
    assert grade("multiple", 4, frozenset({0, 1, 2}), {0, 1}).outcome == "partial"
    # 1 of 2 keys and 1 of 2 wrong options: 1/2 - 1/2 = 0
    assert grade("multiple", 4, frozenset({0, 1}), {0, 2}).score == 0.0
    # 2 of 2 keys and 1 of 3 wrong: 1 - 1/3
    assert grade("multiple", 5, frozenset({0, 1}), {0, 1, 2}).score == pytest.approx(2 / 3)
    # only a wrong option: never negative
    assert grade("multiple", 4, frozenset({0, 1, 2}), {3}).score == 0.0


@given(st.integers(3, 8).flatmap(lambda n: st.tuples(
    st.just(n),
    st.sets(st.integers(0, n - 1), min_size=2, max_size=n - 1),
    st.sets(st.integers(0, n - 1)))))
def test_multiple_response_score_is_always_between_zero_and_one_and_all_ticked_is_zero(case):
    n, keys, chosen = case
    result = grade("multiple", n, frozenset(keys), chosen)
    assert 0.0 <= result.score <= 1.0
    assert grade("multiple", n, frozenset(keys), set(range(n))).score == 0.0
    assert (result.score == 1.0) == (chosen == keys)


@given(st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.sets(st.integers(0, n - 1), min_size=1, max_size=n),
    st.sets(st.integers(0, n - 1), min_size=1))))
def test_multiple_response_score_is_the_documented_fraction_to_the_last_bit(case):
    """Whole-number grading gives the float of the exact fraction of docs/grading.md, and its outcome."""
    n, keys, chosen = case
    right, wrong = len(chosen & keys), len(chosen - keys)
    exact = Fraction(right, len(keys)) - (Fraction(wrong, n - len(keys)) if n > len(keys) else 0)
    exact = max(Fraction(0), exact)
    result = grade("multiple", n, frozenset(keys), chosen)
    assert result.score == float(exact)
    assert result.outcome == ("correct" if exact == 1 else "incorrect" if exact == 0 else "partial")


def test_multiple_response_without_a_key_is_an_error_not_a_score():
    with pytest.raises(ValueError, match="correct option"):
        grade("multiple", 3, frozenset(), {0})


def test_total_score_counts_one_mark_per_question():
    assert total_score([1.0, 0.5, 0.0]) == (1.5, 3)
