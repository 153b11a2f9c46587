"""Fresh items for the final quiz (issue 10 point 1): every learning goal has at least two
questions that no checkpoint shows, so the final quiz can ask what the student has not just
seen; every question measures goals of its own lesson; every final-list question is in the bank."""

from collections import Counter

import pytest

from app.content.loader import load_content

from ..support import ROOT

CONTENT = load_content(ROOT)
LESSONS = sorted(CONTENT.lessons)


def checkpoint_ids(lesson) -> set[str]:
    return {question_id for slide in lesson.slides for question_id in slide.question_ids}


def fresh_questions(lesson_id: str):
    shown = checkpoint_ids(CONTENT.lessons[lesson_id])
    return [q for q in CONTENT.quizzes[lesson_id].questions if q.id not in shown]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_goal_has_at_least_two_questions_that_no_checkpoint_shows(lesson_id):
    fresh = Counter(goal for q in fresh_questions(lesson_id) for goal in q.goals)
    goals = [goal.id for goal in CONTENT.lessons[lesson_id].goals]
    assert {goal: fresh[goal] for goal in goals if fresh[goal] < 2} == {}


def test_the_23_goals_have_about_fifty_fresh_questions_between_them():
    fresh = [q.id for lesson_id in LESSONS for q in fresh_questions(lesson_id)]
    assert len(CONTENT.lessons) == 8 and len(fresh) >= 46  # two for each of the 23 goals at least


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_question_measures_goals_of_its_own_lesson(lesson_id):
    goals = {goal.id for goal in CONTENT.lessons[lesson_id].goals}
    assert {q.id: q.goals for q in CONTENT.quizzes[lesson_id].questions if not q.goals or set(q.goals) - goals} == {}


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_question_on_the_final_list_is_in_the_bank_once(lesson_id):
    quiz = CONTENT.quizzes[lesson_id]
    bank = {q.id for q in quiz.questions}
    assert [q for q in quiz.final if q not in bank] == []
    assert len(set(quiz.final)) == len(quiz.final)


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_the_final_list_is_about_ten_questions_mostly_unseen_and_covers_every_goal(lesson_id):
    quiz, lesson = CONTENT.quizzes[lesson_id], CONTENT.lessons[lesson_id]
    shown = checkpoint_ids(lesson)
    assert 8 <= len(quiz.final) <= 12
    assert sum(q not in shown for q in quiz.final) * 2 > len(quiz.final), "most final questions should be unseen"
    covered = {goal for q in quiz.questions if q.id in quiz.final for goal in q.goals}
    assert covered == {goal.id for goal in lesson.goals}


def test_no_fresh_question_reuses_a_checkpoint_stem():
    repeats = []
    for lesson_id in LESSONS:
        shown = checkpoint_ids(CONTENT.lessons[lesson_id])
        stems = {" ".join(q.stem.lower().split()) for q in CONTENT.quizzes[lesson_id].questions if q.id in shown}
        repeats += [q.id for q in fresh_questions(lesson_id) if " ".join(q.stem.lower().split()) in stems]
    assert repeats == []
