"""The multiple-response score explained with the student's own numbers (issue 10 point 6)."""

import pytest

from app.learning.explain import LEFT_WRONG, MISSED, TICKED_RIGHT, TICKED_WRONG, explain_multiple
from app.learning.grading import grade


def test_two_of_three_right_and_none_of_one_wrong_is_two_thirds():
    # options 0, 1, 2 right, 3 wrong; ticked 0 and 2: 2/3 - 0/1 = 0.667 -> 67 %
    explanation = explain_multiple(4, frozenset({0, 1, 2}), {0, 2})
    assert (explanation.right_ticked, explanation.right_total) == (2, 3)
    assert (explanation.wrong_ticked, explanation.wrong_total) == (0, 1)
    assert explanation.percent == 67 and not explanation.floored
    assert explanation.option_marks == (TICKED_RIGHT, MISSED, TICKED_RIGHT, LEFT_WRONG)


def test_more_wrong_than_right_is_floored_at_zero_and_says_so():
    # 2 right of 4 ticked = 0.5, 2 wrong of 2 ticked = 1: 0.5 - 1 = -0.5 -> 0
    explanation = explain_multiple(6, frozenset({0, 1, 2, 3}), {0, 1, 4, 5})
    assert explanation.unfloored == -0.5 and explanation.score == 0.0 and explanation.floored
    assert explanation.option_marks[4:] == (TICKED_WRONG, TICKED_WRONG)


@pytest.mark.parametrize("selected", [set(), {0}, {1, 3}, {0, 1, 2, 3, 4}, {2, 4}])
def test_the_explained_score_is_the_graded_score(selected):
    correct = frozenset({0, 2, 3})
    assert explain_multiple(5, correct, selected).score == grade("multiple", 5, correct, selected).score


def test_an_unknown_option_index_is_refused():
    with pytest.raises(ValueError):
        explain_multiple(3, frozenset({0}), {3})
