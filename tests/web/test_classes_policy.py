"""An assignment's policy in the quiz flow: attempts allowed when starting a final quiz, and when the
result page may show the correct answers (never in the page before the policy allows). On SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, Lesson, utcnow
from app.services import classes as class_service
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

LESSON = "nl-l2"


def logged_in(app, role="student"):
    user_id, name = new_user(app, role)
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    return client, user_id


def class_with(app, student_id: int, **policy) -> int:
    """A class of a fresh teacher with this student on the roster and LESSON assigned with `policy`."""
    teacher_id, _ = new_user(app, "teacher")
    settings = {"due_at": None, "attempts_allowed": None, "counting": "highest", "pass_mark": 60,
                "key_reveal": "immediately", **policy}
    with app.app_context():
        group = class_service.create_class(teacher_id, "Policy class")
        assert class_service.join_class(student_id, group.join_code, "192.0.2.9").outcome == "joined"
        class_service.assign_lesson(group, class_service.Policy(LESSON, **settings))
        return group.id


def begin(client):
    token = csrf_token(client, "/dashboard")  # the quiz front page redirects to an open attempt
    return client.post(f"/lessons/{LESSON}/quiz/new", data={"csrf_token": token})


def hand_in_blank(client) -> int:
    """Start a quiz and hand it in with nothing answered (confirmed): returns the attempt id."""
    started = begin(client)
    assert started.status_code == 303
    attempt_id = int(re.search(r"/attempts/(\d+)", started.headers["Location"]).group(1))
    token = csrf_token(client, f"/attempts/{attempt_id}")
    handed_in = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "confirm_unanswered": "1"})
    assert handed_in.status_code == 303
    return attempt_id


def finals_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt).join(Lesson).where(
            Attempt.user_id == user_id, Lesson.slug == LESSON, Attempt.kind == "final"))


# --- attempts allowed ------------------------------------------------------------------------------

def test_one_attempt_allowed_refuses_a_second_quiz_and_writes_nothing(app):
    client, student_id = logged_in(app)
    class_with(app, student_id, attempts_allowed=1)
    hand_in_blank(client)
    refused = begin(client)
    assert refused.status_code == 409
    assert "You have used every attempt your class allows" in refused.get_data(as_text=True)
    assert finals_of(app, student_id) == 1
    front = client.get(f"/lessons/{LESSON}/quiz").get_data(as_text=True)
    assert "You have used every attempt your class allows" in front
    assert f'action="/lessons/{LESSON}/quiz/new"' not in front


def test_an_open_quiz_can_be_continued_whatever_the_limit(app):
    client, student_id = logged_in(app)
    class_with(app, student_id, attempts_allowed=1)
    first, again = begin(client), begin(client)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert finals_of(app, student_id) == 1


def test_n_attempts_allowed_are_counted_down_and_a_reset_gives_one_back(app):
    client, student_id = logged_in(app)
    class_id = class_with(app, student_id, attempts_allowed=2)
    first = hand_in_blank(client)
    assert "1 attempt left" in client.get(f"/lessons/{LESSON}/quiz").get_data(as_text=True)
    hand_in_blank(client)
    assert begin(client).status_code == 409
    with app.app_context():
        group = db.session.get(class_service.ClassGroup, class_id)
        teacher_id = db.session.scalar(select(class_service.ClassTeacher.user_id).where(
            class_service.ClassTeacher.class_id == class_id))
        class_service.reset_attempt(group, student_id, first, teacher_id)
    assert hand_in_blank(client)
    assert finals_of(app, student_id) == 3


def test_without_an_assignment_a_student_may_take_the_quiz_again_and_again(app):
    client, student_id = logged_in(app)
    for _ in range(3):
        hand_in_blank(client)
    assert finals_of(app, student_id) == 3


def test_the_strictest_of_two_classes_counts_and_an_archived_class_no_longer_does(app):
    client, student_id = logged_in(app)
    class_with(app, student_id, attempts_allowed=3)
    strict = class_with(app, student_id, attempts_allowed=1)
    hand_in_blank(client)
    assert begin(client).status_code == 409
    with app.app_context():
        class_service.set_archived(db.session.get(class_service.ClassGroup, strict), True)
    assert begin(client).status_code == 303


# --- when the correct answers are shown ------------------------------------------------------------

def keys_of(app, attempt_id: int, correct_only: bool = False) -> list[str]:
    """The feedback of every option (or every correct option) of the attempt's questions."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return [option["feedback_html"] for slot in attempt.slots for option in slot.version.options
                if option["feedback_html"] and (option["correct"] or not correct_only)]


def result_page(client, attempt_id: int) -> str:
    return client.get(f"/attempts/{attempt_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)


def assert_no_key(app, page: str, attempt_id: int) -> None:
    assert "Right answer" not in page
    assert "is-correct" not in page and "is-wrong" not in page
    assert "badge-correct" not in page and "badge-incorrect" not in page and "badge-partial" not in page
    for text in keys_of(app, attempt_id):
        assert text not in page


@pytest.mark.parametrize("reveal", ["never", "after_due"])
def test_answers_stay_hidden_on_the_result_page_until_the_policy_allows(app, reveal):
    client, student_id = logged_in(app)
    class_with(app, student_id, key_reveal=reveal, due_at=utcnow() + timedelta(days=3))
    attempt_id = hand_in_blank(client)
    page = result_page(client, attempt_id)
    assert "You scored 0 out of" in page
    assert_no_key(app, page, attempt_id)
    expected = ("Your teacher does not show the correct answers of this quiz" if reveal == "never"
                else "The correct answers are shown after the due date")
    assert expected in page


def test_answers_appear_once_the_due_date_has_passed(app):
    client, student_id = logged_in(app)
    class_id = class_with(app, student_id, key_reveal="after_due", due_at=utcnow() + timedelta(days=3))
    attempt_id = hand_in_blank(client)
    assert "Right answer" not in result_page(client, attempt_id)
    with app.app_context():
        group = db.session.get(class_service.ClassGroup, class_id)
        assignment = class_service.assignments(group)[0]
        class_service.update_assignment(group, assignment, class_service.Policy(
            LESSON, utcnow() - timedelta(minutes=1), None, "highest", 60, "after_due"))
    page = result_page(client, attempt_id)
    assert "Right answer" in page
    correct_feedback = keys_of(app, attempt_id, correct_only=True)
    assert correct_feedback and all(text in page for text in correct_feedback)


def test_answers_are_shown_right_after_handing_in_when_the_policy_says_so(app):
    client, student_id = logged_in(app)
    class_with(app, student_id, key_reveal="immediately")
    attempt_id = hand_in_blank(client)
    assert "Right answer" in result_page(client, attempt_id)


def test_a_never_policy_of_one_class_hides_the_answers_even_if_another_class_shows_them(app):
    client, student_id = logged_in(app)
    class_with(app, student_id, key_reveal="immediately")
    class_with(app, student_id, key_reveal="never")
    attempt_id = hand_in_blank(client)
    assert_no_key(app, result_page(client, attempt_id), attempt_id)
