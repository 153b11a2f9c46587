"""Checkpoints are for learning: a second try before the key is shown (issue 10 point 5).

A lesson allows `tries: 1|2` (default 2). After a wrong first try the page says it was not
right and gives the feedback of the options the student chose, never which option is right;
the second try (or the first with tries: 1, or any right try) reveals the key. Each try is
stored once; the mastery rule counts both tries and nothing answered after the key.
"""

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Attempt, Lesson, Response

from ..support import csrf_token
from .helpers import LESSON, first_question_screen, response_count, right_answer, shown_positions


def slide(client, position, slug=LESSON) -> str:
    return client.get(f"/lessons/{slug}/slides/{position}").get_data(as_text=True)


def try_answer(client, position, version, stored, try_number, slug=LESSON, token=None):
    """Post one try with the options given as stored indexes (mapped to what the page shows)."""
    page = slide(client, position, slug)
    token = token or csrf_token(client, f"/lessons/{slug}/slides/{position}")
    return client.post(f"/lessons/{slug}/slides/{position}/answer",
                       data={"csrf_token": token, "version": str(version.id), "try": str(try_number),
                             "option": shown_positions(page, version, stored)})


def wrong_options(version) -> list[int]:
    return [i for i, o in enumerate(version.options) if not o["correct"]]


def tries_of(app, user_id) -> list[tuple[int, float, bool]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Response.try_number, Response.score, Response.reveals_key).join(Attempt)
            .where(Attempt.user_id == user_id).order_by(Response.try_number))]


@pytest.fixture()
def one_try_lesson(app):
    """nl-l1 with `tries: 1` for one test (restored afterwards: the app is shared)."""
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == LESSON).values(checkpoint_tries=1))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.slug == LESSON).values(checkpoint_tries=2))
        db.session.commit()


def test_the_shipped_lessons_allow_two_tries_by_default(app):
    with app.app_context():
        assert set(db.session.scalars(select(Lesson.checkpoint_tries))) == {2}


def test_a_wrong_first_try_says_so_and_shows_only_the_chosen_options_feedback(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    wrong = wrong_options(version)[0]
    response = try_answer(client, position, version, [str(wrong)], 1)
    assert response.status_code == 303 and response.headers["Location"].endswith("#feedback")
    page = slide(client, position)
    assert "Not right yet" in page and "try once more" in page
    assert version.options[wrong]["feedback_html"] in page
    # no key in the page: no right option's feedback, no "right" marker, no outcome badge
    for option in version.options:
        if option["correct"] or option is not version.options[wrong]:
            assert option["feedback_html"] not in page
    assert "is-correct" not in page and "Right answer" not in page and "✓" not in page
    # the form is offered again, as the second try
    assert 'name="try" value="2"' in page and "Check my second try" in page
    assert tries_of(app, user_id) == [(1, 0.0, False)]


def test_a_right_second_try_reveals_the_key_and_both_tries_are_stored(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    try_answer(client, position, version, [str(wrong_options(version)[0])], 1)
    assert try_answer(client, position, version, right_answer(version), 2).status_code == 303
    page = slide(client, position)
    assert "✓</span> Correct" in page and "Second try" in page and "Right answer" in page
    for option in version.options:
        assert option["feedback_html"] in page
    assert 'name="try"' not in page  # no third try
    assert tries_of(app, user_id) == [(1, 0.0, False), (2, 1.0, True)]


def test_a_wrong_second_try_reveals_the_key_too(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    wrong = str(wrong_options(version)[0])
    try_answer(client, position, version, [wrong], 1)
    try_answer(client, position, version, [wrong], 2)
    page = slide(client, position)
    assert "✗</span> Incorrect" in page and "Right answer" in page
    assert tries_of(app, user_id) == [(1, 0.0, False), (2, 0.0, True)]


def test_a_right_first_try_reveals_the_key_at_once(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    try_answer(client, position, version, right_answer(version), 1)
    assert "✓</span> Correct" in slide(client, position)
    assert tries_of(app, user_id) == [(1, 1.0, True)]


def test_with_one_try_a_wrong_answer_reveals_the_key(app, client, student, one_try_lesson):
    user_id, _ = student
    position, version = first_question_screen(app)
    try_answer(client, position, version, [str(wrong_options(version)[0])], 1)
    page = slide(client, position)
    assert "✗</span> Incorrect" in page and "Right answer" in page and "Not right yet" not in page
    assert tries_of(app, user_id) == [(1, 0.0, True)]


def test_a_double_click_is_one_try(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    wrong = str(wrong_options(version)[0])
    first = try_answer(client, position, version, [wrong], 1, token=token)
    again = try_answer(client, position, version, right_answer(version), 1, token=token)
    assert first.status_code == again.status_code == 303
    assert tries_of(app, user_id) == [(1, 0.0, False)]
    try_answer(client, position, version, right_answer(version), 2, token=token)
    try_answer(client, position, version, [wrong], 2, token=token)
    assert tries_of(app, user_id) == [(1, 0.0, False), (2, 1.0, True)]


@pytest.mark.parametrize("try_value", ["0", "3", "x", ""])
def test_a_try_the_form_never_offers_is_a_400_and_writes_nothing(app, client, student, try_value):
    user_id, _ = student
    position, version = first_question_screen(app)
    token = csrf_token(client, f"/lessons/{LESSON}/slides/{position}")
    response = client.post(f"/lessons/{LESSON}/slides/{position}/answer",
                           data={"csrf_token": token, "version": str(version.id), "try": try_value,
                                 "option": "0"})
    assert response.status_code == 400 and "This form is incomplete" in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0


def test_a_second_try_without_a_first_is_a_400_and_writes_nothing(app, client, student):
    user_id, _ = student
    position, version = first_question_screen(app)
    response = try_answer(client, position, version, right_answer(version), 2)
    assert response.status_code == 400 and "This form is incomplete" in response.get_data(as_text=True)
    assert response_count(app, user_id) == 0
    with app.app_context():
        assert db.session.scalar(select(Attempt.id).where(Attempt.user_id == user_id)) is None
