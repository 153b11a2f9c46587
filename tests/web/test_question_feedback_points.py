"""General feedback and points end to end: the quiz editor writes them, the student sees the
general feedback only once a question is graded, and the final quiz weighs questions by points."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt
from tests.support import csrf_token

from . import test_teach_quiz_editor as editor
from .helpers import right_answer, slots_of, submit, wrong_answer
from .test_teach_quiz_editor import post, question_form, quiz_source, revision_count

world = editor.world  # the same two courses and five users, on SQLite and PostgreSQL

TRUE_FALSE = (("Waar", True, "Juist."), ("Niet waar", False, "Nee."))
FEEDBACK = "Retentie **kost** minder dan werven."


@pytest.fixture(scope="module")
def weighted(world):
    """demo-l1-q01 (checkpoint, final quiz, 1 point) gets general feedback; a new demo-l1-q02 of
    3 points joins the final quiz. Both saved through the quiz editor."""
    owner = world.clients["owner"]
    response = post(owner, "/teach/lessons/demo-l1/questions/demo-l1-q01/edit",
                    question_form(stem="Klopt dit?", kind="truefalse", options=TRUE_FALSE,
                                  general_feedback=FEEDBACK, in_final="y"))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    response = post(owner, "/teach/lessons/demo-l1/questions/new",
                    question_form(stem="Is behouden goedkoper?", kind="truefalse", options=TRUE_FALSE,
                                  points="3", in_final="y"))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return world


def test_the_editor_writes_feedback_and_points_into_the_quiz_file(weighted):
    text = quiz_source(weighted)
    assert f"## demo-l1-q01\ntype: truefalse\ngoals: demo-l1-g1\nfeedback: {FEEDBACK}\n\nKlopt dit?" in text
    assert "## demo-l1-q02\ntype: truefalse\ngoals: demo-l1-g1\npoints: 3\n\nIs behouden goedkoper?" in text
    assert "final: [demo-l1-q01, demo-l1-q02]" in text
    page = weighted.clients["owner"].get("/teach/lessons/demo-l1/questions/demo-l1-q02/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="points"[^>]*value="3"', page)


@pytest.mark.parametrize("points", ["0", "101", "drie"])
def test_points_outside_one_to_a_hundred_are_refused_and_save_nothing(weighted, points):
    before, source = revision_count(weighted), quiz_source(weighted)
    response = post(weighted.clients["owner"], "/teach/lessons/demo-l1/questions/new",
                    question_form(stem="Te zwaar?", kind="truefalse", options=TRUE_FALSE, points=points))
    assert response.status_code == 400
    assert revision_count(weighted) == before and quiz_source(weighted) == source


def test_general_feedback_is_shown_only_after_the_checkpoint_is_graded(weighted):
    student = weighted.clients["student"]
    slide = "/lessons/demo-l1/slides/2"
    before = student.get(slide).get_data(as_text=True)
    assert "Klopt dit?" in before and "kost" not in before
    response = student.post(slide + "/answer", data={"csrf_token": csrf_token(student, slide), "version": re.search(
        r'name="version" value="(\d+)"', before).group(1), "try": "1", "option": "0"})
    assert response.status_code == 303
    after = student.get(slide).get_data(as_text=True)
    assert 'class="general-feedback"' in after and "Retentie <strong>kost</strong> minder dan werven." in after


def test_the_final_quiz_weighs_each_question_by_its_points(weighted):
    student = weighted.clients["student"]
    token = csrf_token(student, "/lessons/demo-l1/quiz")
    response = student.post("/lessons/demo-l1/quiz/new", data={"csrf_token": token})
    attempt_id = int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))
    page = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "kost" not in page  # no general feedback before handing in
    slots = slots_of(weighted, attempt_id)
    assert sorted(s.version.points for s in slots) == [1, 3]
    # the 1-point question wrong, the 3-point question right: 3 out of 4
    answers = {s.number: s.shown(right_answer(s.version) if s.version.points == 3 else wrong_answer(s.version))
               for s in slots}
    assert submit(student, attempt_id, answers).status_code in (302, 303)
    with weighted.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.score, attempt.max_score) == (3.0, 4)
    result = student.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "You scored 3 out of 4 (75%)." in result
    assert "3 points" in result and "Retentie <strong>kost</strong> minder dan werven." in result
    with weighted.app_context():
        assert db.session.scalar(select(Attempt.max_score).where(Attempt.id == attempt_id)) == 4


def test_the_teachers_preview_shows_the_general_feedback_only_after_an_answer(weighted):
    owner = weighted.clients["owner"]
    preview = "/teach/lessons/demo-l1/questions/demo-l1-q01/preview"
    assert "kost" not in owner.get(preview).get_data(as_text=True)
    answered = post(owner, preview, {"option": "0"}).get_data(as_text=True)
    assert "Retentie <strong>kost</strong> minder dan werven." in answered
