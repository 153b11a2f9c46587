"""Item analysis against hand-computed examples (issue 9 point 5). Arithmetic in the comments."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.learning.statistics import (
    BORDERLINE,
    DISTRACTOR_NEVER_CHOSEN,
    DISTRACTOR_RARELY_CHOSEN,
    DOUBTFUL,
    EVERYONE_CORRECT,
    INDICATIVE,
    MOST_CHOSE_SAME_WRONG,
    NEGATIVE_DISCRIMINATION,
    NOBODY_CORRECT,
    TOO_FEW,
    TRUSTWORTHY,
    UNSATISFACTORY,
    OptionInfo,
    analyse_items,
    coefficient_alpha,
    trust_level,
)

QUESTIONS = {
    "q1": [OptionInfo("a", "A", True), OptionInfo("b", "B", False), OptionInfo("c", "C", False), OptionInfo("d", "D", False)],
    "q2": [OptionInfo("x", "X", True), OptionInfo("y", "Y", False), OptionInfo("z", "Z", False)],
    "q3": [OptionInfo("m1", "M1", True), OptionInfo("m2", "M2", True), OptionInfo("m3", "M3", False)],
}
# Five attempts: scores (q1, q2, q3) and totals
#   A1: 1 (a)  1 (x)  1   ({m1, m2})  total 3
#   A2: 1 (a)  0 (y)  0.5 ({m1})      total 1.5
#   A3: 0 (b)  1 (x)  0.5 ({m2})      total 1.5
#   A4: 0 (b)  0 (y)  0   (nothing)   total 0
#   A5: 1 (a)  0 (y)  0   ({m3})      total 1
ATTEMPTS = [
    {"q1": (1.0, ["a"]), "q2": (1.0, ["x"]), "q3": (1.0, ["m1", "m2"])},
    {"q1": (1.0, ["a"]), "q2": (0.0, ["y"]), "q3": (0.5, ["m1"])},
    {"q1": (0.0, ["b"]), "q2": (1.0, ["x"]), "q3": (0.5, ["m2"])},
    {"q1": (0.0, ["b"]), "q2": (0.0, ["y"]), "q3": (0.0, [])},
    {"q1": (1.0, ["a"]), "q2": (0.0, ["y"]), "q3": (0.0, ["m3"])},
]


@pytest.fixture(scope="module")
def analysis():
    return analyse_items(ATTEMPTS, QUESTIONS)


def test_facility_is_the_mean_score(analysis):
    # q1: 3/5 = 0.6; q2: 2/5 = 0.4; q3: (1 + 0.5 + 0.5 + 0 + 0)/5 = 0.4
    assert [q.facility for q in analysis.questions] == [0.6, 0.4, 0.4]
    assert [q.n for q in analysis.questions] == [5, 5, 5]


def test_discrimination_correlates_the_score_with_the_rest_of_the_attempt(analysis):
    # q1: item 1,1,0,0,1 (mean 0.6); rest 2,0.5,1.5,0,0 (mean 0.8)
    #   Sxy = .4*1.2 + .4*-.3 + -.6*.7 + -.6*-.8 + .4*-.8 = 0.10; Sxx = 1.2; Syy = 3.3
    #   r = 0.10 / sqrt(1.2 * 3.3) = 0.0503
    # q2: item 1,0,1,0,0; rest 2,1.5,0.5,0,1: Sxy = 0.5, Sxx = 1.2, Syy = 2.5 -> 0.5/sqrt(3) = 0.2887
    # q3: item 1,.5,.5,0,0; rest 2,1,1,0,1: Sxy = 1.0, Sxx = 0.7, Syy = 2 -> 1/sqrt(1.4) = 0.8452
    assert [round(q.discrimination, 4) for q in analysis.questions] == [0.0503, 0.2887, 0.8452]


def test_discriminative_efficiency_compares_with_the_best_possible_pairing(analysis):
    # q1: sorted item 0,0,1,1,1 and sorted rest 0,0,0.5,1.5,2 give Sxy_max = 1.6 -> 0.10/1.6 = 0.0625
    # q2: sorted 0,0,0,1,1 with 0,0.5,1,1.5,2 -> 1.5; 0.5/1.5 = 0.3333
    # q3: sorted 0,0,.5,.5,1 with 0,1,1,1,2 -> 1.0; 1.0/1.0 = 1
    assert [round(q.discriminative_efficiency, 4) for q in analysis.questions] == [0.0625, 0.3333, 1.0]
    # below 15 % is doubtful, as in Moodle's statistics report
    assert [q.doubtful for q in analysis.questions] == [True, False, False]
    assert DOUBTFUL in analysis.questions[0].flags


def test_upper_lower_index_uses_the_top_and_bottom_27_percent(analysis):
    # 27 % of 5 = 1.35 -> groups of 1: best attempt A1 (total 3), weakest A4 (total 0)
    # q1: 1 - 0 = 1; q2: 1 - 0 = 1; q3: 1 - 0 = 1
    assert [(q.upper_lower, q.group_size) for q in analysis.questions] == [(1.0, 1)] * 3


def test_every_option_is_counted_including_options_nobody_chose(analysis):
    q1, q2, q3 = analysis.questions
    assert [(o.id, o.chosen, o.share) for o in q1.options] == [("a", 3, 0.6), ("b", 2, 0.4), ("c", 0, 0.0), ("d", 0, 0.0)]
    assert [(o.id, o.chosen) for o in q3.options] == [("m1", 2), ("m2", 2), ("m3", 1)]
    # distractors chosen by at least 5 %: q1 only b of b, c, d -> 1/3; q3 m3 (20 %) of m3 -> 1
    assert (q1.distractor_efficiency, q3.distractor_efficiency) == (pytest.approx(1 / 3), 1.0)
    assert [o.functional for o in q1.options] == [None, True, False, False]


def test_flags_name_what_a_teacher_can_act_on(analysis):
    q1, q2, q3 = analysis.questions
    assert q1.flags == (DOUBTFUL, DISTRACTOR_NEVER_CHOSEN)
    # y chosen by 3 of 5 = 60 % > half
    assert q2.flags == (MOST_CHOSE_SAME_WRONG, DISTRACTOR_NEVER_CHOSEN)
    assert q3.flags == ()


def test_random_guess_score_is_one_over_the_options_for_single_choice(analysis):
    assert [q.random_guess_score for q in analysis.questions] == [0.25, pytest.approx(1 / 3), None]


def test_reliability_is_coefficient_alpha_with_its_label(analysis):
    # item sums of squares 1.2 + 1.2 + 0.7 = 3.1; totals 3,1.5,1.5,0,1 (mean 1.4):
    # 2.56 + .01 + .01 + 1.96 + .16 = 4.7; alpha = 3/2 * (1 - 3.1/4.7) = 0.5106 -> below 0.64
    assert round(analysis.reliability.alpha, 4) == 0.5106
    assert (analysis.reliability.n, analysis.reliability.label) == (5, UNSATISFACTORY)


def test_alpha_of_right_or_wrong_questions_is_kr20():
    # rows 11, 10, 00, 11: p = .75 and .5, sum pq = .1875 + .25 = .4375; totals 2,1,0,2 have
    # variance 2.75/4 = .6875; KR-20 = 2/1 * (1 - .4375/.6875) = 0.7273 -> borderline
    rows = [[1, 1], [1, 0], [0, 0], [1, 1]]
    assert round(coefficient_alpha(rows), 4) == 0.7273
    attempts = [{"q1": (float(a), []), "q2": (float(b), [])} for a, b in rows]
    result = analyse_items(attempts, {"q1": [], "q2": []})
    assert result.reliability.label == BORDERLINE


def test_a_key_that_the_weakest_students_choose_gives_negative_discrimination():
    options = {"q1": [OptionInfo("a", "A", True), OptionInfo("b", "B", False)],
               "q2": [OptionInfo("c", "C", True), OptionInfo("d", "D", False)]}
    # q1 right exactly when q2 is wrong: the rest score of q1 is q2, correlation -1
    attempts = [{"q1": (1.0, ["a"]), "q2": (0.0, ["d"])}, {"q1": (1.0, ["a"]), "q2": (0.0, ["d"])},
                {"q1": (0.0, ["b"]), "q2": (1.0, ["c"])}, {"q1": (0.0, ["b"]), "q2": (1.0, ["c"])}]
    q1 = analyse_items(attempts, options).questions[0]
    assert q1.discrimination == pytest.approx(-1.0)
    assert NEGATIVE_DISCRIMINATION in q1.flags


def test_equal_scores_leave_correlations_undefined_and_say_everyone_was_right():
    options = {"q1": [OptionInfo("a", "A", True), OptionInfo("b", "B", False)],
               "q2": [OptionInfo("c", "C", True), OptionInfo("d", "D", False)]}
    attempts = [{"q1": (1.0, ["a"]), "q2": (1.0, ["c"])}, {"q1": (1.0, ["a"]), "q2": (0.0, ["d"])}]
    q1 = analyse_items(attempts, options).questions[0]
    assert (q1.discrimination, q1.discriminative_efficiency, q1.doubtful) == (None, None, False)
    assert q1.flags == (EVERYONE_CORRECT, DISTRACTOR_NEVER_CHOSEN)


def test_nobody_right_is_flagged():
    result = analyse_items([{"q1": (0.0, ["b"])}, {"q1": (0.0, ["b"])}],
                           {"q1": [OptionInfo("a", "A", True), OptionInfo("b", "B", False)]})
    assert NOBODY_CORRECT in result.questions[0].flags


def test_no_attempts_gives_counts_of_zero_and_no_figures():
    result = analyse_items([], QUESTIONS)
    q1 = result.questions[0]
    assert (result.attempts, q1.n, q1.facility, q1.discrimination, q1.upper_lower) == (0, 0, None, None, None)
    assert [(o.chosen, o.share) for o in q1.options] == [(0, None)] * 4 and q1.flags == ()
    assert (result.reliability.alpha, result.reliability.n, result.trust) == (None, 0, TOO_FEW)


def test_one_attempt_has_a_facility_but_no_correlation_or_reliability():
    result = analyse_items(ATTEMPTS[:1], QUESTIONS)
    q1 = result.questions[0]
    assert (q1.facility, q1.discrimination, q1.upper_lower, result.reliability.alpha) == (1.0, None, None, None)


def test_drawn_quizzes_analyse_each_question_over_the_attempts_that_hold_it():
    attempts = [ATTEMPTS[0], ATTEMPTS[1], {"q1": (0.0, ["c"]), "q2": (1.0, ["x"])}]
    result = analyse_items(attempts, QUESTIONS)
    assert [q.n for q in result.questions] == [3, 3, 2]
    # reliability only over the 2 attempts holding all three questions
    assert result.reliability.n == 2


def test_a_distractor_chosen_by_fewer_than_5_percent_is_not_functional():
    options = {"q1": [OptionInfo("a", "A", True), OptionInfo("b", "B", False), OptionInfo("c", "C", False)]}
    # 21 attempts: b once (1/21 = 4.8 % < 5 %), c 10 times (47.6 %), a 10 times
    attempts = ([{"q1": (0.0, ["b"])}] + [{"q1": (0.0, ["c"])}] * 10 + [{"q1": (1.0, ["a"])}] * 10)
    q1 = analyse_items(attempts, options).questions[0]
    assert [o.functional for o in q1.options] == [None, False, True]
    assert q1.distractor_efficiency == 0.5 and DISTRACTOR_RARELY_CHOSEN in q1.flags


@pytest.mark.parametrize(("attempts", "trust"), [(0, TOO_FEW), (9, TOO_FEW), (10, INDICATIVE), (49, INDICATIVE), (50, TRUSTWORTHY)])
def test_trust_level_follows_the_number_of_attempts(attempts, trust):
    assert trust_level(attempts) == trust


def test_json_has_the_shape_of_the_report_command(analysis):
    data = json.loads(json.dumps(analysis.as_json()))
    assert data["attempts"] == 5 and data["warning"] == TOO_FEW
    assert data["reliability"]["kr20"] == 0.5106
    q1 = data["questions"][0]
    assert (q1["id"], q1["facility"], q1["discrimination"], q1["upper_lower"]) == ("q1", 0.6, 0.0503, 1.0)
    assert q1["options"][2] == {"id": "c", "text": "C", "chosen": 0, "share": 0.0, "correct": False, "functional": False}
    assert q1["flags"] == ["doubtful", "distractor_never_chosen"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=3, max_size=3), max_size=40))
def test_every_figure_stays_within_its_range(rows):
    options = {f"q{i}": [OptionInfo("r", "R", True), OptionInfo("w", "W", False)] for i in range(3)}
    attempts = [{f"q{i}": (score, ["r"] if score == 1 else ["w"]) for i, score in enumerate(row)} for row in rows]
    result = analyse_items(attempts, options)
    eps = 1e-9
    for q in result.questions:
        assert q.n == len(rows)
        assert q.facility is None or 0 <= q.facility <= 1
        assert q.discrimination is None or -1 - eps <= q.discrimination <= 1 + eps
        assert q.discriminative_efficiency is None or q.discriminative_efficiency <= 1 + eps
        assert q.upper_lower is None or -1 <= q.upper_lower <= 1
        assert sum(o.chosen for o in q.options) == len(rows)
    assert result.reliability.alpha is None or result.reliability.alpha <= 1 + eps
