"""Checkpoint questions: graded on the server once, with feedback per option."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Response

from ..support import csrf_token
from .helpers import LESSON, first_question_screen, response_count, right_answer, wrong_answer


def answer(client, position, version_id, options, token=None):
    token = token or csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    return client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                       data={"csrf_token": token, "version": str(version_id), "option": options})


def test_a_right_answer_shows_feedback_for_every_option(app, client, student):
    position, version = first_question_screen(app)
    response = answer(client, position, version.id, right_answer(version))
    assert response.status_code == 303 and response.headers["Location"].endswith("#feedback")
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "✓</span> Correct" in page and "Your answer" in page
    for option in version.options:
        assert option["feedback_html"] in page


def test_a_wrong_answer_is_marked_wrong_and_shows_the_right_one(app, client, student):
    position, version = first_question_screen(app)
    answer(client, position, version.id, wrong_answer(version))
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "✗</span> Incorrect" in page and "Right answer" in page


def test_the_response_is_stored_with_the_question_version_it_answered(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    answer(client, position, version.id, right_answer(version))
    with app.app_context():
        stored = db.session.scalar(select(Response).join(Attempt).where(Attempt.user_id == user_id))
        assert (stored.question_version_id, stored.score, stored.outcome) == (version.id, 1.0, "correct")


def test_answering_twice_grades_once(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    first = answer(client, position, version.id, wrong_answer(version), token)
    replay = answer(client, position, version.id, right_answer(version), token)
    assert first.status_code == replay.status_code == 303
    assert response_count(app, user_id) == 1
    with app.app_context():
        assert db.session.scalar(select(Response.outcome).join(Attempt).where(Attempt.user_id == user_id)) == "incorrect"


def test_another_student_does_not_see_my_answer(app, client, student, other_client):
    position, version = first_question_screen(app)
    answer(client, position, version.id, right_answer(version))
    page = other_client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "Check answer" in page and "Your answer" not in page


@pytest.mark.parametrize(("options", "message"), [
    ([], "Choose an answer"),
    (["99"], "Choose only from the options shown"),
    (["abc"], "Choose only from the options shown"),
    (["-1"], "Choose only from the options shown"),
    (["0", "1"], "Choose one answer"),
    (["0"] * 50, "Choose only from the options shown"),
])
def test_bad_answers_get_a_400_with_a_message_and_store_nothing(app, client, student, options, message):
    user_id, _ = student
    position, version = first_question_screen(app)
    assert version.type != "multiple"
    response = answer(client, position, version.id, options)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0


@pytest.mark.parametrize("options", [["²"], ["¹"], ["٣"], ["0²"], ["1" * 30], [" 0"], ["0x1"], [str(i) for i in range(5000)]])
def test_option_values_that_are_not_plain_ascii_positions_are_a_400_with_a_message(app, client, student, options):
    user_id, _ = student
    position, version = first_question_screen(app)
    response = answer(client, position, version.id, options)
    assert response.status_code == 400
    assert "Choose only from the options shown" in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0


@pytest.mark.parametrize("version", ["²", "٣", "9999999999999999999", "2147483648", "-1", "0", "", "1.0", "1e3"])
def test_version_values_that_cannot_be_an_id_are_a_400_with_a_message_and_store_nothing(app, client, student, version):
    user_id, _ = student
    position, _version = first_question_screen(app)
    response = answer(client, position, version, ["0"])
    assert response.status_code == 400
    assert "This form is incomplete. Reload the page and answer again." in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0
    with app.app_context():  # not even an empty attempt is left behind
        assert db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == user_id)) == 0


def test_the_largest_possible_id_that_names_no_version_is_a_409_not_a_500(app, client, student):
    user_id, _ = student
    position, _version = first_question_screen(app)
    response = answer(client, position, "2147483647", ["0"])
    assert response.status_code == 409 and "This question was updated" in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0


def test_missing_or_foreign_version_is_refused(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    missing = client.post(f"/lessons/{LESSON}/slides/{position}/answer", data={"csrf_token": token, "option": "0"})
    assert missing.status_code == 400
    stale = answer(client, position, version.id + 100000, ["0"], token)
    assert stale.status_code == 409 and "This question was updated" in stale.get_data(as_text=True)
    assert response_count(app, user_id) == 0


def test_answer_without_csrf_token_is_refused(app, client, student):
    position, version = first_question_screen(app)
    response = client.post(f"/lessons/{LESSON}/slides/{position}/answer", data={"version": version.id, "option": "0"})
    assert response.status_code == 400


def test_answering_a_content_slide_is_404(client, student):
    token = csrf_token(client, f"/lessons/{LESSON}/slides/1")
    response = client.post(f"/lessons/{LESSON}/slides/1/answer", data={"csrf_token": token, "option": "0"})
    assert response.status_code == 404


def test_a_huge_request_body_is_refused_with_413(app, client, student):
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    response = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                           data={"csrf_token": token, "version": version.id, "option": "0", "junk": "x" * 200_000})
    assert response.status_code == 413


def test_anonymous_answers_are_sent_to_login(app, client):
    position, _version = first_question_screen(app)
    token = csrf_token(client, "/login")
    response = client.post(f"/lessons/{LESSON}/slides/{position}/answer", data={"csrf_token": token, "option": "0"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
