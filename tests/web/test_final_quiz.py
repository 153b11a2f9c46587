"""End-of-lesson quiz: graded as a whole, exactly once, only by its owner."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attempt,
    Lesson,
    LessonProgress,
    Question,
    QuestionVersion,
    Response,
)

from ..support import csrf_token
from .helpers import LESSON, Slot, right, right_answer, shown_order, slots_of, start, submit, wrong


def test_opening_the_quiz_page_creates_no_attempt_and_an_open_attempt_is_continued(app, client, student):
    user_id, _ = student
    client.get(f"/lessons/{LESSON}/quiz")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == user_id)) == 0
    attempt_id = start(client)
    again = client.get(f"/lessons/{LESSON}/quiz")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/attempts/{attempt_id}")


def test_earlier_attempts_are_listed_on_the_quiz_page(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    submit(client, attempt_id, {s.number: right(s) for s in slots})
    page = client.get(f"/lessons/{LESSON}/quiz").get_data(as_text=True)
    assert "Your earlier attempts" in page and f"{len(slots)} out of {len(slots)}" in page
    assert "Take the quiz again" in page


def test_the_quiz_page_shows_questions_but_no_keys_or_feedback(app, client, student):
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    slots = slots_of(app, attempt_id)
    assert len(slots) >= 8 and "Hand in quiz" in page
    for slot in slots:
        assert slot.version.stem_html in page
        for option in slot.options:
            assert option["feedback_html"] not in page
    assert "Right answer" not in page


def test_all_right_scores_full_marks_and_completes_the_lesson(app, client, student):
    user_id, _ = student
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    response = submit(client, attempt_id, {s.number: right(s) for s in slots})
    assert response.status_code == 303
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f"You scored {len(slots)} out of {len(slots)} (100%)" in page
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", len(slots), len(slots))
        stored = {r.question_version_id for r in attempt.responses}
        assert stored == {s.version.id for s in slots}
        assert db.session.get(LessonProgress, (user_id, attempt.lesson_id)).completed_at is not None


def test_the_result_shows_the_right_answers_and_feedback(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    submit(client, attempt_id, {s.number: wrong(s) for s in slots})
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    # a multiple-response question names its right options "missed" (ticked none of them)
    marked = page.count("Right answer") + page.count("Missed: a right option you did not tick")
    assert "You scored 0 out of" in page and marked >= len(slots)
    for slot in slots:
        correct = next(o for o in slot.options if o["correct"])
        assert correct["feedback_html"] in page


def test_a_double_submission_is_graded_once(app, client, student):
    user_id, _ = student
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    first = submit(client, attempt_id, {s.number: wrong(s) for s in slots}, token=token)
    replay = submit(client, attempt_id, {s.number: right(s) for s in slots}, token=token)
    assert first.status_code == replay.status_code == 303
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 0
        count = db.session.scalar(select(db.func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        assert count == len(slots)


def test_another_students_attempt_is_404(app, client, student, other_client):
    attempt_id = start(client)
    assert other_client.get(f"/attempts/{attempt_id}").status_code == 404
    token = csrf_token(other_client, "/")
    assert other_client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"


def test_unanswered_questions_need_confirmation_and_nothing_is_stored_before(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    answers = {slots[0].number: right(slots[0])}
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not answered yet" in page and "Hand in with unanswered questions" in page
    assert f'name="q1" value="{right(slots[0])[0]}" checked' in page  # the answer given is kept
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"
    confirmed = submit(client, attempt_id, answers, extra={"confirm_unanswered": "1"})
    assert confirmed.status_code == 303
    assert f"You scored 1 out of {len(slots)}" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_the_error_summary_names_the_question_by_its_number(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    answers = {s.number: right(s) for s in slots}
    answers[slots[2].number] = ["42"]
    page = submit(client, attempt_id, answers).get_data(as_text=True)
    assert 'href="#q3-0">Question 3: Choose only from the options shown' in page


def test_bad_option_values_are_a_400_with_a_message(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    answers = {s.number: right(s) for s in slots}
    answers[slots[0].number] = ["42"]
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400 and "Choose only from the options shown" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"


def test_retaking_starts_a_new_attempt(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    submit(client, attempt_id, {s.number: right(s) for s in slots})
    token = csrf_token(client, f"/attempts/{attempt_id}")
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != attempt_id
    assert "Hand in quiz" in client.get(f"/attempts/{new_id}").get_data(as_text=True)


def test_unknown_attempt_ids_are_404(client, student):
    assert client.get("/attempts/999999").status_code == 404
    assert client.get("/attempts/abc").status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "9999999999999999999", "-1", " 1", "1" * 3000])
def test_option_values_that_are_not_plain_ascii_positions_are_a_400_and_hand_in_nothing(app, client, student, value):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    answers = {s.number: right(s) for s in slots}
    answers[slots[1].number] = [value]
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400
    assert "Question 2: Choose only from the options shown" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"
        assert db.session.scalar(select(db.func.count()).select_from(Response)
                                 .where(Response.attempt_id == attempt_id)) == 0


def test_a_huge_list_of_options_for_one_question_is_a_400(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    answers = {s.number: right(s) for s in slots}
    answers[slots[0].number] = ["0"] * 5000
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400 and "Choose only from the options shown" in response.get_data(as_text=True)


# --- shuffled options, stored per attempt and graded by identity ---

def shown_orders(page: str, slots: list[Slot], marker: str) -> list[list[int]]:
    """Per question block of the page (split at `marker`), stored option indexes in shown order."""
    blocks = page.split(marker)[1:]
    assert len(blocks) == len(slots)
    return [shown_order(block, slot.version) for block, slot in zip(blocks, slots, strict=True)]


def test_the_options_are_shown_in_the_stored_order_and_a_reload_shows_the_same_order(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    first = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    again = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert shown_orders(first, slots, '<fieldset class="quiz-question') == [s.order for s in slots]
    assert shown_orders(again, slots, '<fieldset class="quiz-question') == [s.order for s in slots]
    # nl-l1's final quiz has 10 questions of 2-4 options; all in file order would be about 1 in 10^9
    assert any(s.order != sorted(s.order) for s in slots)


def test_a_retake_draws_another_set_of_questions_with_shuffled_options(app, client, student):
    first_id = start(client)
    first = slots_of(app, first_id)
    submit(client, first_id, {s.number: right(s) for s in first})
    token = csrf_token(client, f"/lessons/{LESSON}/quiz")
    second_id = int(client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
                    .headers["Location"].rsplit("/", 1)[1])
    second = slots_of(app, second_id)
    assert {s.version.id for s in second} != {s.version.id for s in first}
    # of 10 questions with 2-4 options, all shown in file order would be about 1 in 10^5
    assert any(s.order != sorted(s.order) for s in second)


def test_the_key_at_its_shown_position_scores_and_its_stored_index_does_not(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    # a single-choice question whose key is shown somewhere else than its place in the file
    moved = next(s for s in slots if s.version.type == "single"
                 and s.order.index(int(right_answer(s.version)[0])) != int(right_answer(s.version)[0]))
    answers = {s.number: right(s) for s in slots}
    answers[moved.number] = right_answer(moved.version)  # the file position, as a naive form would post
    assert submit(client, attempt_id, answers).status_code == 303
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        scores = {r.slot.number: r.score for r in attempt.responses}
        assert scores[moved.number] == 0.0
        assert attempt.score == len(slots) - 1
        stored = next(r for r in attempt.responses if r.slot.number == moved.number)
        # what is stored is the option the student saw at that position, by its stored index
        assert stored.selected == [moved.order[int(right_answer(moved.version)[0])]]


def test_the_result_page_shows_the_options_in_the_order_the_student_saw(app, client, student):
    attempt_id = start(client)
    slots = slots_of(app, attempt_id)
    submit(client, attempt_id, {s.number: right(s) for s in slots})
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert shown_orders(page, slots, '<li class="review-item">') == [s.order for s in slots]
    assert page.count(' is-picked"') == sum(len(right_answer(s.version)) for s in slots)


def test_a_question_with_a_fixed_order_keeps_it_in_every_attempt(app, client, student):
    with app.app_context():  # nl-l2 (not used by the other quiz tests): every question keeps its order
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "nl-l2"))
        versions = db.session.scalars(select(QuestionVersion).join(
            Question, Question.current_version_id == QuestionVersion.id).where(Question.lesson_id == lesson_id)).all()
        fixed_ids = [v.id for v in versions]
        for version in versions:
            version.fixed_order = True
        db.session.commit()
    try:
        orders = []
        for _ in range(3):
            token = csrf_token(client, "/lessons/nl-l2/quiz")
            location = client.post("/lessons/nl-l2/quiz/new", data={"csrf_token": token}).headers["Location"]
            attempt_id = int(location.rsplit("/", 1)[1])
            orders += [s.order for s in slots_of(app, attempt_id)]
            submit(client, attempt_id, {}, extra={"confirm_unanswered": "1"})
        assert sum(1 for order in orders if len(order) >= 3) >= 10
        assert all(order == list(range(len(order))) for order in orders)
    finally:
        with app.app_context():
            for version_id in fixed_ids:
                db.session.get(QuestionVersion, version_id).fixed_order = False
            db.session.commit()
