"""Mastery per learning goal (docs/grading.md)."""

from datetime import datetime, timedelta

import pytest

from app.learning.mastery import (
    ANSWERED_QUESTIONS,
    AVERAGE,
    CHECKPOINT,
    DECAYING_AVERAGE,
    DEFAULT_METHOD,
    FINAL,
    HIGHEST,
    N_CORRECT,
    Answer,
    MasteryMethod,
    ScoredResponse,
    class_mastery,
    goal_progress,
    latest_scores,
)

T0 = datetime(2026, 1, 1, 12, 0)


def r(question, score, minutes=0, seq=0):
    return ScoredResponse(question, score, T0 + timedelta(minutes=minutes), seq)


def test_only_the_latest_answer_to_a_question_counts():
    scores = latest_scores([r("q1", 0.0, 0), r("q1", 1.0, 5), r("q2", 1.0, 1), r("q2", 0.0, 9)])
    assert scores == {"q1": 1.0, "q2": 0.0}


def test_equal_timestamps_are_ordered_by_sequence():
    assert latest_scores([r("q1", 1.0, 0, seq=2), r("q1", 0.0, 0, seq=1)]) == {"q1": 1.0}


def test_a_goal_with_no_answers_is_not_started():
    (progress,) = goal_progress({"g1": ["q1", "q2"]}, {}).values()
    assert (progress.status, progress.answered, progress.mastery) == ("not_started", 0, 0.0)


def test_one_right_answer_out_of_four_questions_is_in_progress_not_mastery():
    progress = goal_progress({"g1": ["q1", "q2", "q3", "q4"]}, {"q1": 1.0})["g1"]
    assert progress.status == "in_progress"
    assert progress.fraction_correct == 1.0 and progress.percent == 25


def test_three_of_four_right_is_mastered():
    progress = goal_progress({"g1": ["q1", "q2", "q3", "q4"]}, {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 0.0})["g1"]
    assert progress.status == "mastered" and progress.percent == 75 and progress.answered == 4


def test_partial_credit_counts_proportionally():
    progress = goal_progress({"g1": ["q1", "q2"]}, {"q1": 1.0, "q2": 0.5})["g1"]
    assert progress.mastery == 0.75 and progress.status == "mastered"


def test_a_question_with_two_goals_counts_for_both():
    result = goal_progress({"g1": ["q1", "q2"], "g2": ["q2", "q3"]}, {"q2": 1.0})
    assert result["g1"].answered == 1 and result["g2"].answered == 1


def test_answers_to_questions_outside_the_goal_do_not_count():
    assert goal_progress({"g1": ["q1"]}, {"q9": 1.0})["g1"].status == "not_started"


# --- mastery methods for many students (issue 9 point 4, issue 10 point 5) ----------------------

GOAL = {"g1": ["q1", "q2", "q3", "q4"]}


def a(question, score, minutes, student="ann", kind=FINAL, key_shown=None, seq=0):
    """An answer at T0 + minutes; key_shown: minutes after T0 when its key was shown, or None."""
    shown = None if key_shown is None else T0 + timedelta(minutes=key_shown)
    return Answer(student, question, score, T0 + timedelta(minutes=minutes), seq, kind, shown)


def mastery_of(answers, method=DEFAULT_METHOD, goals=GOAL, student="ann"):
    return class_mastery(answers, goals, method)[student]["g1"]


def test_default_method_is_latest_answer_per_question_mastered_from_75_percent():
    result = mastery_of([a("q1", 0.0, 0), a("q1", 1.0, 5), a("q2", 1.0, 1), a("q3", 1.0, 2)])
    # latest per question: 1 + 1 + 1 + 0 (q4 unanswered) = 3 of 4 = 75 % -> mastered
    assert (result.explanation.sum, result.explanation.total, result.percent) == (3.0, 4, 75)
    assert result.status == "mastered" and result.answered == 3


def test_explanation_lists_each_question_with_the_students_own_numbers():
    result = mastery_of([a("q1", 1.0, 0), a("q2", 1.0, 1), a("q3", 2 / 3, 2), a("q4", 0.0, 3)])
    explanation = result.explanation
    assert [t.question_id for t in explanation.terms] == ["q1", "q2", "q3", "q4"]
    assert [round(t.value, 2) for t in explanation.terms] == [1.0, 1.0, 0.67, 0.0]
    # 1 + 1 + 0.67 + 0 = 2.67 of 4 = 66.7 % -> 67 %, below 75 %: in progress
    assert (explanation.sum, explanation.total, explanation.percent, explanation.threshold) == (2.6667, 4, 67, 0.75)
    assert result.status == "in_progress"


def test_highest_keeps_the_best_answer_to_each_question():
    answers = [a("q1", 1.0, 0), a("q1", 0.0, 5), a("q2", 0.5, 1), a("q2", 0.0, 6)]
    result = mastery_of(answers, MasteryMethod(method=HIGHEST))
    # highest: q1 = 1, q2 = 0.5 -> 1.5 of 4 = 37.5 % -> 38 %
    assert result.explanation.sum == 1.5 and result.percent == 38


def test_average_takes_the_mean_of_every_answer_to_a_question():
    answers = [a("q1", 0.0, 0), a("q1", 1.0, 5), a("q1", 1.0, 9), a("q2", 1.0, 1)]
    result = mastery_of(answers, MasteryMethod(method=AVERAGE), goals={"g1": ["q1", "q2"]})
    # q1: (0 + 1 + 1) / 3 = 0.6667; q2: 1 -> 1.6667 of 2 = 83.3 % -> mastered
    assert result.explanation.terms[0].scores == (0.0, 1.0, 1.0)
    assert result.explanation.sum == 1.6667 and result.percent == 83 and result.status == "mastered"


def test_decaying_average_weighs_the_newest_answer_at_the_configured_weight():
    answers = [a("q1", 0.0, 0), a("q1", 1.0, 5), a("q1", 1.0, 9)]
    result = mastery_of(answers, MasteryMethod(method=DECAYING_AVERAGE, decay_weight=0.65), goals={"g1": ["q1"]})
    # start 0; then 0.65*1 + 0.35*0 = 0.65; then 0.65*1 + 0.35*0.65 = 0.8775
    assert result.explanation.terms[0].value == pytest.approx(0.8775)
    assert result.percent == 88 and result.status == "mastered"


def test_decaying_average_with_weight_one_is_the_latest_answer():
    answers = [a("q1", 1.0, 0), a("q1", 0.0, 5)]
    result = mastery_of(answers, MasteryMethod(method=DECAYING_AVERAGE, decay_weight=1.0), goals={"g1": ["q1"]})
    assert result.mastery == 0.0


def test_mastered_after_n_correct_counts_questions_answered_fully_right():
    answers = [a("q1", 1.0, 0), a("q2", 1.0, 1), a("q3", 0.5, 2)]
    two = mastery_of(answers, MasteryMethod(method=N_CORRECT, n_correct=2))
    three = mastery_of(answers, MasteryMethod(method=N_CORRECT, n_correct=3))
    # q1 and q2 fully right (q3 half right does not count): 2 of 2 needed / 2 of 3 needed
    assert (two.status, two.explanation.sum, two.explanation.total, two.percent) == ("mastered", 2.0, 2, 100)
    assert (three.status, three.explanation.sum, three.explanation.total, three.percent) == ("in_progress", 2.0, 3, 67)


def test_mastered_after_n_correct_never_needs_more_questions_than_the_goal_has():
    result = mastery_of([a("q1", 1.0, 0)], MasteryMethod(method=N_CORRECT, n_correct=3), goals={"g1": ["q1"]})
    assert (result.explanation.total, result.status) == (1, "mastered")


def test_an_answer_given_after_the_key_was_shown_does_not_count():
    # Empty hand-in at minute 0 (keys shown on submission), then the same question right at minute 5.
    answers = [a("q1", 0.0, 0, key_shown=0), a("q1", 1.0, 5)]
    result = mastery_of(answers, goals={"g1": ["q1"]})
    assert result.mastery == 0.0 and result.explanation.not_counted == 1
    assert result.explanation.terms[0].scores == (0.0,)


def test_a_retake_before_the_keys_are_revealed_still_counts():
    # Keys of the first attempt are revealed after the due date (minute 60); the retake is at minute 5.
    answers = [a("q1", 0.0, 0, key_shown=60), a("q1", 1.0, 5, key_shown=60), a("q1", 0.0, 90)]
    result = mastery_of(answers, goals={"g1": ["q1"]})
    assert result.mastery == 1.0 and result.explanation.not_counted == 1


def test_checkpoint_answers_count_fully_by_default():
    result = mastery_of([a("q1", 1.0, 0, kind=CHECKPOINT, key_shown=0)], goals={"g1": ["q1"]})
    assert result.mastery == 1.0 and result.status == "mastered"


def test_checkpoint_weight_zero_makes_checkpoints_practice():
    answers = [a("q1", 1.0, 0, kind=CHECKPOINT), a("q2", 1.0, 5, kind=FINAL)]
    result = mastery_of(answers, MasteryMethod(checkpoint_weight=0.0), goals={"g1": ["q1", "q2"]})
    # q1 only answered in a checkpoint: does not count; q2: 1 -> 1 of 2 = 50 %
    assert result.mastery == 0.5 and result.answered == 1 and result.status == "in_progress"


def test_checkpoint_weight_half_makes_a_checkpoint_question_weigh_half_as_much():
    answers = [a("q1", 1.0, 0, kind=CHECKPOINT), a("q2", 0.0, 5), a("q3", 1.0, 6)]
    result = mastery_of(answers, MasteryMethod(checkpoint_weight=0.5), goals={"g1": ["q1", "q2", "q3", "q4"]})
    # weighted: 0.5 x 1 + 1 x 0 + 1 x 1 + 1 x 0 (q4 unanswered) = 1.5 of 0.5 + 1 + 1 + 1 = 3.5 -> 42.9 %
    assert [t.weight for t in result.explanation.terms] == [0.5, 1.0, 1.0, 1.0]
    assert (result.explanation.sum, result.explanation.total, result.percent) == (1.5, 3.5, 43)


def test_a_question_answered_in_the_final_quiz_weighs_fully_even_after_a_checkpoint():
    # checkpoint try at minute 0 without the key shown (a second try remained), final at minute 9
    answers = [a("q1", 0.0, 0, kind=CHECKPOINT), a("q1", 1.0, 9, kind=FINAL)]
    result = mastery_of(answers, MasteryMethod(checkpoint_weight=0.5), goals={"g1": ["q1"]})
    assert result.explanation.terms[0].weight == 1.0 and result.mastery == 1.0


def test_answered_questions_denominator_leaves_unanswered_questions_out():
    answers = [a("q1", 1.0, 0), a("q2", 0.0, 1)]
    per_goal = mastery_of(answers)
    per_answered = mastery_of(answers, MasteryMethod(denominator=ANSWERED_QUESTIONS))
    at_least_three = mastery_of(answers, MasteryMethod(denominator=ANSWERED_QUESTIONS, min_questions=3))
    # 1 + 0 of 4 questions = 25 %; of the 2 answered = 50 %; at least 3 needed: 1 of 3 = 33 %
    assert (per_goal.percent, per_answered.percent, at_least_three.percent) == (25, 50, 33)
    assert [t.question_id for t in per_answered.explanation.terms] == ["q1", "q2"]


def test_many_students_are_computed_in_one_call_and_silent_students_are_not_started():
    answers = [a("q1", 1.0, 0, student="ann"), a("q1", 0.0, 0, student="bob"), a("q2", 1.0, 1, student="bob")]
    result = class_mastery(answers, {"g1": ["q1", "q2"], "g2": ["q3"]}, student_ids=["cy"])
    assert set(result) == {"ann", "bob", "cy"}
    assert (result["ann"]["g1"].percent, result["bob"]["g1"].percent) == (50, 50)
    assert result["cy"]["g1"].status == "not_started" and result["ann"]["g2"].status == "not_started"


def test_a_goal_without_questions_is_not_started_with_zero_mastery():
    result = class_mastery([a("q1", 1.0, 0)], {"g1": []})["ann"]["g1"]
    assert (result.mastery, result.status, result.explanation.total) == (0.0, "not_started", 0)


@pytest.mark.parametrize("bad", [
    {"method": "median"}, {"threshold": 0}, {"decay_weight": 1.5}, {"n_correct": 0}, {"checkpoint_weight": -0.1},
    {"denominator": "some"}, {"min_questions": 0}])
def test_impossible_method_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        MasteryMethod(**bad)


def test_the_default_method_gives_the_same_result_as_the_original_rule_without_key_reveals():
    answers = [a("q1", 0.0, 0), a("q1", 1.0, 5), a("q2", 0.5, 1), a("q3", 1.0, 2)]
    old = goal_progress(GOAL, latest_scores(r(x.question_id, x.score, (x.answered_at - T0).seconds // 60) for x in answers))["g1"]
    new = mastery_of(answers)
    assert (new.mastery, new.status, new.answered) == (old.mastery, old.status, old.answered)


def test_an_empty_hand_in_then_a_retake_of_the_same_questions_does_not_pump_mastery():
    # Issue 10: hand in empty (all 0, keys shown at minute 1), retake the same two questions right.
    goals = {"g1": ["q1", "q2"]}
    answers = [a("q1", 0.0, 0, key_shown=1), a("q2", 0.0, 0, key_shown=1), a("q1", 1.0, 3), a("q2", 1.0, 3)]
    result = mastery_of(answers, goals=goals)
    assert (result.mastery, result.status, result.explanation.not_counted) == (0.0, "in_progress", 2)


def test_a_wrong_checkpoint_answer_is_not_undone_by_the_same_question_in_the_final_quiz():
    # checkpoint wrong at minute 0, key shown right away; same question in the final at minute 20
    answers = [a("q1", 0.0, 0, kind=CHECKPOINT, key_shown=0), a("q1", 1.0, 20), a("q2", 1.0, 21)]
    result = mastery_of(answers, goals={"g1": ["q1", "q2"]})
    # q1 keeps its checkpoint 0, q2 (not seen before) counts: 0 + 1 = 1 of 2 = 50 %
    assert [t.value for t in result.explanation.terms] == [0.0, 1.0] and result.percent == 50
