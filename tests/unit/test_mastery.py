"""Mastery per learning goal (docs/grading.md)."""

from datetime import datetime, timedelta

from app.learning.mastery import ScoredResponse, goal_progress, latest_scores

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
