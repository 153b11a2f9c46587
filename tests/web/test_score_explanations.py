"""Scores a student understands (issue 10 point 6) and no pumping mastery with keys just seen
(point 5): the multiple-response rule with the student's own numbers, missed and wrong options
in words, the goal formula with its sum, and answers given after the key left out."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    Lesson,
    Question,
    QuestionVersion,
    Screen,
)
from app.services import progress as progress_service

from ..support import csrf_token
from .helpers import LESSON, shown_positions

Q03 = "nl-l1-q03"  # multiple response, goal nl-l1-g1: options 1, 3, 4 right, option 2 wrong
G1_QUESTIONS = 6  # nl-l1-g1 is measured by q01, q02, q03, q20, q21, q22


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def checkpoint(app, slug: str):
    with app.app_context():
        position, version = db.session.execute(
            select(Screen.position, QuestionVersion).join(Question, Question.id == Screen.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.slug == slug)).one()
        db.session.expunge_all()
        return position, version


def try_answer(client, position, version, stored: list[int], try_number: int):
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    return client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                       data={"csrf_token": token, "version": str(version.id), "try": str(try_number),
                             "option": shown_positions(page, version, [str(i) for i in stored])})


def test_a_partly_right_checkpoint_states_the_rule_with_the_students_numbers(app, client, student):
    position, version = checkpoint(app, Q03)
    assert try_answer(client, position, version, [0, 2], 1).status_code == 303
    assert try_answer(client, position, version, [0, 2], 2).status_code == 303
    page = text_of(client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True))
    assert "◐ Partly correct" in page
    assert "2 of 3 right options ticked, 0 of 1 wrong ones: 2/3 − 0/1 = 67%" in page
    # the right option not ticked is named as missed, in words
    assert page.count("Missed: a right option you did not tick") == 1
    assert page.count("✓ Right answer") == 2 and page.count("Rightly left alone") == 1


def test_ticking_more_wrong_than_right_says_the_score_was_raised_to_zero(app, client, student):
    position, version = checkpoint(app, Q03)
    try_answer(client, position, version, [0, 1], 1)
    try_answer(client, position, version, [0, 1], 2)
    page = text_of(client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True))
    # 1/3 − 1/1 = −0.67, floored
    assert "1 of 3 right options ticked, 1 of 1 wrong ones: 1/3 − 1/1 = -0.67 → raised to 0" in page
    assert page.count("✗ Wrong") == 1 and page.count("Missed: a right option you did not tick") == 2


def test_the_progress_page_shows_the_goal_sum_with_both_tries_counted(app, client, student):
    position, version = checkpoint(app, Q03)
    try_answer(client, position, version, [0, 2], 1)
    try_answer(client, position, version, [0, 2], 2)
    page = text_of(client.get("/progress").get_data(as_text=True))
    # latest answer 2/3 on one of the goal's six questions: 0.67 of 6 = 11 %
    assert f"Your answers to the {G1_QUESTIONS} questions of this goal:" in page
    assert f"= 0.67 of {G1_QUESTIONS} = 11%; mastered from 75%." in page


def test_the_explanations_speak_the_interface_language(app, client, student):
    position, version = checkpoint(app, Q03)
    try_answer(client, position, version, [0, 2], 1)
    try_answer(client, position, version, [0, 2], 2)
    page = text_of(client.get(f"/lessons/{LESSON}/slides/{position}?lang=nl",
                              headers={"Accept-Language": "nl"}).get_data(as_text=True))
    assert "2 van de 3 juiste opties aangevinkt, 0 van de 1 foute:" in page


def hand_in(client, attempt_id: int, answers: dict[str, list[str]]):
    token = csrf_token(client, f"/attempts/{attempt_id}")
    return client.post(f"/attempts/{attempt_id}/submit",
                       data={"csrf_token": token, "confirm_unanswered": "1", **answers})


def test_a_retake_cannot_pump_mastery_with_answers_just_revealed(app, client, student):
    user_id, _ = student
    token = csrf_token(client, f"/lessons/{LESSON}/quiz")
    started = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
    first_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert hand_in(client, first_id, {}).status_code == 303  # empty: every answer 0, keys shown
    # the retake asks the very same questions (as a small pool would) and is answered all right
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == LESSON))
        retake = Attempt(user_id=user_id, lesson_id=lesson_id, kind=AttemptKind.FINAL, status=AttemptStatus.OPEN)
        db.session.add(retake)
        db.session.flush()
        first_slots = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == first_id)).all()
        right = {}
        for slot in first_slots:
            db.session.add(AttemptSlot(attempt_id=retake.id, number=slot.number, question_id=slot.question_id,
                                       question_version_id=slot.question_version_id,
                                       option_order=list(slot.option_order)))
            right[f"q{slot.number}"] = [str(slot.option_order.index(i)) for i in slot.version.correct_indexes]
        asked = len(first_slots)
        retake_id = retake.id
        db.session.commit()
    assert hand_in(client, retake_id, right).status_code == 303
    result = text_of(client.get(f"/attempts/{retake_id}").get_data(as_text=True))
    assert f"You scored {asked} out of {asked} (100%)" in result
    with app.app_context():
        rows = progress_service.goals_progress(user_id, [lesson_id])[lesson_id]
        # every right answer came after its key: none counts, so no goal moves from 0 %
        assert [row.progress.percent for row in rows] == [0] * len(rows)
        assert sum(row.explanation.not_counted for row in rows) >= asked
    # the result page says why, per goal
    assert "answers given after you had seen the right answer do not count" in result
    assert "of this goal:" in result and "mastered from 75%" in result
