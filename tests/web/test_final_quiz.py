"""End-of-lesson quiz: graded as a whole, exactly once, only by its owner."""

import re

import pytest

from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, LessonProgress, QuestionVersion, Response

from ..support import csrf_token
from .helpers import LESSON, right_answer, wrong_answer


def start(client) -> int:
    front = client.get(f"/lessons/{LESSON}/quiz")
    assert front.status_code == 200 and "Start the quiz" in front.get_data(as_text=True)
    token = csrf_token(client, f"/lessons/{LESSON}/quiz")
    response = client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})
    assert response.status_code == 303
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


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
    versions = versions_of(app, attempt_id)
    submit(client, attempt_id, {v.id: right_answer(v) for v in versions})
    page = client.get(f"/lessons/{LESSON}/quiz").get_data(as_text=True)
    assert "Your earlier attempts" in page and f"{len(versions)} out of {len(versions)}" in page
    assert "Take the quiz again" in page


def versions_of(app, attempt_id) -> list[QuestionVersion]:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        by_id = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(attempt.version_ids)))}
        db.session.expunge_all()
        return [by_id[i] for i in attempt.version_ids]


def submit(client, attempt_id, answers: dict, extra=None, token=None):
    token = token or csrf_token(client, f"/attempts/{attempt_id}")
    data = {"csrf_token": token, **{f"q{vid}": opts for vid, opts in answers.items()}, **(extra or {})}
    return client.post(f"/attempts/{attempt_id}/submit", data=data)


def test_the_quiz_page_shows_questions_but_no_keys_or_feedback(app, client, student):
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    versions = versions_of(app, attempt_id)
    assert len(versions) >= 8 and "Hand in quiz" in page
    for version in versions:
        assert version.stem_html in page
        for option in version.options:
            assert option["feedback_html"] not in page
    assert "Right answer" not in page


def test_all_right_scores_full_marks_and_completes_the_lesson(app, client, student):
    user_id, _ = student
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    response = submit(client, attempt_id, {v.id: right_answer(v) for v in versions})
    assert response.status_code == 303
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f"You scored {len(versions)} out of {len(versions)} (100%)" in page
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.status, attempt.score, attempt.max_score) == ("submitted", len(versions), len(versions))
        stored = {r.question_version_id for r in attempt.responses}
        assert stored == {v.id for v in versions}
        assert db.session.get(LessonProgress, (user_id, attempt.lesson_id)).completed_at is not None


def test_the_result_shows_the_right_answers_and_feedback(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    submit(client, attempt_id, {v.id: wrong_answer(v) for v in versions})
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "You scored 0 out of" in page and page.count("Right answer") >= len(versions)
    for version in versions:
        correct = next(o for o in version.options if o["correct"])
        assert correct["feedback_html"] in page


def test_a_double_submission_is_graded_once(app, client, student):
    user_id, _ = student
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    first = submit(client, attempt_id, {v.id: wrong_answer(v) for v in versions}, token=token)
    replay = submit(client, attempt_id, {v.id: right_answer(v) for v in versions}, token=token)
    assert first.status_code == replay.status_code == 303
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 0
        count = db.session.scalar(select(db.func.count()).select_from(Response).where(Response.attempt_id == attempt_id))
        assert count == len(versions)


def test_another_students_attempt_is_404(app, client, student, other_client):
    attempt_id = start(client)
    assert other_client.get(f"/attempts/{attempt_id}").status_code == 404
    token = csrf_token(other_client, "/")
    assert other_client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"


def test_unanswered_questions_need_confirmation_and_nothing_is_stored_before(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    answers = {versions[0].id: right_answer(versions[0])}
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not answered yet" in page and "Hand in with unanswered questions" in page
    assert f'value="{right_answer(versions[0])[0]}" checked' in page  # the answer given is kept
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"
    confirmed = submit(client, attempt_id, answers, extra={"confirm_unanswered": "1"})
    assert confirmed.status_code == 303
    assert f"You scored 1 out of {len(versions)}" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_the_error_summary_names_the_question_by_its_number(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    answers = {v.id: right_answer(v) for v in versions}
    answers[versions[2].id] = ["42"]
    page = submit(client, attempt_id, answers).get_data(as_text=True)
    assert f'href="#q{versions[2].id}-0">Question 3: Choose only from the options shown' in page


def test_bad_option_values_are_a_400_with_a_message(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    answers = {v.id: right_answer(v) for v in versions}
    answers[versions[0].id] = ["42"]
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400 and "Choose only from the options shown" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"


def test_retaking_starts_a_new_attempt(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    submit(client, attempt_id, {v.id: right_answer(v) for v in versions})
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
    versions = versions_of(app, attempt_id)
    answers = {v.id: right_answer(v) for v in versions}
    answers[versions[1].id] = [value]
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400
    assert "Question 2: Choose only from the options shown" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "open"
        assert db.session.scalar(select(db.func.count()).select_from(Response)
                                 .where(Response.attempt_id == attempt_id)) == 0


def test_a_huge_list_of_options_for_one_question_is_a_400(app, client, student):
    attempt_id = start(client)
    versions = versions_of(app, attempt_id)
    answers = {v.id: right_answer(v) for v in versions}
    answers[versions[0].id] = ["0"] * 5000
    response = submit(client, attempt_id, answers)
    assert response.status_code == 400 and "Choose only from the options shown" in response.get_data(as_text=True)
