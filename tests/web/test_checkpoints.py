"""Checkpoint questions: graded on the server once, with feedback per option."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, Response

from ..support import csrf_token
from .helpers import (
    LESSON,
    first_question_screen,
    question_screens,
    response_count,
    right_answer,
    shown_order,
    shown_positions,
    wrong_answer,
)


def shown(client, position, version, stored: list[str]) -> list[str]:
    """The form values for stored option indexes, read from the (shuffled) page."""
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    return shown_positions(page, version, stored)


def answer(client, position, version_id, options, token=None):
    token = token or csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    return client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                       data={"csrf_token": token, "version": str(version_id), "option": options})


def test_a_right_answer_shows_feedback_for_every_option(app, client, student):
    position, version = first_question_screen(app)
    response = answer(client, position, version.id, shown(client, position, version, right_answer(version)))
    assert response.status_code == 303 and response.headers["Location"].endswith("#feedback")
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "✓</span> Correct" in page and "Your answer" in page
    for option in version.options:
        assert option["feedback_html"] in page


def test_a_wrong_answer_is_marked_wrong_and_shows_the_right_one(app, client, student):
    position, version = first_question_screen(app)
    answer(client, position, version.id, shown(client, position, version, wrong_answer(version)))
    # the lesson allows a second try (tests/web/test_checkpoint_tries.py); the key follows the last one
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                data={"csrf_token": token, "version": str(version.id), "try": "2",
                      "option": shown(client, position, version, wrong_answer(version))})
    page = client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)
    assert "✗</span> Incorrect" in page and "Right answer" in page


def test_the_response_is_stored_with_the_question_version_it_answered(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    answer(client, position, version.id, shown(client, position, version, right_answer(version)))
    with app.app_context():
        stored = db.session.scalar(select(Response).join(Attempt).where(Attempt.user_id == user_id))
        assert (stored.question_version_id, stored.score, stored.outcome) == (version.id, 1.0, "correct")


def test_answering_twice_grades_once(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    first = answer(client, position, version.id, shown(client, position, version, wrong_answer(version)), token)
    replay = answer(client, position, version.id, shown(client, position, version, right_answer(version)), token)
    assert first.status_code == replay.status_code == 303
    assert response_count(app, user_id) == 1
    with app.app_context():
        assert db.session.scalar(select(Response.outcome).join(Attempt).where(Attempt.user_id == user_id)) == "incorrect"


def test_another_student_does_not_see_my_answer(app, client, student, other_client):
    position, version = first_question_screen(app)
    answer(client, position, version.id, shown(client, position, version, right_answer(version)))
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


# --- shuffled options: one order per student, question and lesson run; graded by identity ---

def page_of(client, position) -> str:
    return client.get(f"/lessons/{LESSON}/slides/{position}").get_data(as_text=True)


def test_a_reload_shows_the_same_order_and_the_answered_slide_keeps_it(app, client, student):
    position, version = first_question_screen(app)
    before = shown_order(page_of(client, position), version)
    assert shown_order(page_of(client, position), version) == before
    answer(client, position, version.id, shown(client, position, version, right_answer(version)))
    assert shown_order(page_of(client, position), version) == before


def test_students_see_the_options_of_a_checkpoint_in_different_orders(app, client, student, other_client):
    many = [(p, v) for p, v, _goals in question_screens(app) if len(v.options) > 2]
    assert len(many) >= 8
    mine = [shown_order(page_of(client, p), v) for p, v in many]
    theirs = [shown_order(page_of(other_client, p), v) for p, v in many]
    assert mine != theirs  # 8+ questions with 6 or more orders each: equal by chance below 1 in 10^6
    assert any(order != sorted(order) for order in mine)


def test_a_true_false_checkpoint_keeps_its_order(app, client, student, other_client):
    true_false = [(p, v) for p, v, _goals in question_screens(app) if v.type == "truefalse"]
    assert true_false
    for c in (client, other_client):
        for p, v in true_false:
            assert shown_order(page_of(c, p), v) == [0, 1]


def test_the_right_option_at_its_shown_position_is_graded_right_and_stored_by_identity(app, client, student):
    user_id, _ = student
    moved = None
    for position, version, _goals in question_screens(app):
        key = int(right_answer(version)[0])
        order = shown_order(page_of(client, position), version)
        if version.type == "single" and order.index(key) != key:
            moved = position, version, order, key
            break
    assert moved is not None
    position, version, order, key = moved
    response = answer(client, position, version.id, [str(order.index(key))])
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Response).join(Attempt).where(Attempt.user_id == user_id))
        assert (stored.selected, stored.score, stored.outcome) == ([key], 1.0, "correct")
        assert stored.slot.option_order == order and stored.slot.number == position


def test_a_refused_answer_leaves_no_empty_attempt_behind(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    for options in (["99"], [], ["0", "1"]):
        assert answer(client, position, version.id, options).status_code == 400
    assert answer(client, position, version.id + 100000, ["0"]).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == user_id)) == 0


# --- starting the lesson again ---

def restart(client):
    token = csrf_token(client, f"/lessons/{LESSON}/slides/1")
    return client.post(f"/lessons/{LESSON}/restart", data={"csrf_token": token})


def test_starting_the_lesson_again_gives_fresh_checkpoints_and_keeps_the_earlier_answers(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    answer(client, position, version.id, shown(client, position, version, wrong_answer(version)))
    assert "Check answer" not in page_of(client, position)
    response = restart(client)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/lessons/{LESSON}/slides/1")
    page = page_of(client, position)
    assert "Check answer" in page and "Your answer" not in page
    assert answer(client, position, version.id, shown(client, position, version, right_answer(version))).status_code == 303
    with app.app_context():
        runs = db.session.execute(select(Attempt.status, Response.outcome).join(Response)
                                  .where(Attempt.user_id == user_id).order_by(Response.id)).all()
        assert runs == [("closed", "incorrect"), ("open", "correct")]


def test_a_new_run_shuffles_the_checkpoints_again(app, client, student):
    screens = [(p, v) for p, v, _goals in question_screens(app) if len(v.options) > 2][:8]
    first = [shown_order(page_of(client, p), v) for p, v in screens]
    position, version = screens[0]
    answer(client, position, version.id, ["0"])  # a run exists once something is answered
    restart(client)
    second = [shown_order(page_of(client, p), v) for p, v in screens]
    assert first != second  # 8 questions with 6 or more orders each: equal by chance below 1 in 10^6


def test_starting_again_with_nothing_answered_changes_nothing(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    before = shown_order(page_of(client, position), version)
    assert restart(client).status_code == 303
    assert shown_order(page_of(client, position), version) == before
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == user_id)) == 0
