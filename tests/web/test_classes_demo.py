"""`flask demo` seeds the demo class "Demo — 2A" (development only), in an app of its own so its
synthetic attempts stay out of the other tests' database."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attempt,
    ClassGroup,
    ClassStudent,
    FinalQuizItem,
    Lesson,
    QuestionVersion,
    Response,
)
from app.services.demo_class import DEMO_CLASS, TEMPTING

from ..conftest import make_app
from ..support import login


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = make_app(tmp_path_factory, None)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    app.demo_output = result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_flask_demo_makes_the_demo_class_once(demo_app):
    assert f"Demo class '{DEMO_CLASS}' of docent: 26 synthetic students" in demo_app.demo_output
    again = demo_app.test_cli_runner().invoke(args=["demo"])
    assert "already there" in again.output
    with demo_app.app_context():
        groups = db.session.scalars(select(ClassGroup).where(ClassGroup.name == DEMO_CLASS)).all()
        assert len(groups) == 1 and groups[0].is_demo
        assert len(db.session.scalars(select(ClassStudent).where(ClassStudent.class_id == groups[0].id)).all()) == 26


def test_docent_sees_the_demo_class_marked_as_demo_with_every_student(demo_app):
    client = demo_app.test_client()
    assert login(client, "docent", "lesmark-docent-2026").status_code == 303
    with demo_app.app_context():
        class_id = db.session.scalar(select(ClassGroup.id).where(ClassGroup.name == DEMO_CLASS))
    book = client.get(f"/classes/{class_id}/gradebook").get_data(as_text=True)
    assert "Demo class: synthetic students and made-up attempts." in book
    assert book.count("(demo)</a></th>") == 26
    assert "✓</span> Passed" in book and "⚠</span> Late" in book  # strong and weak students
    assert client.get(f"/classes/{class_id}/mastery").status_code == 200


def final_choices(app, slug: str, position: int):
    with app.app_context():
        version = db.session.scalar(
            select(QuestionVersion).join(FinalQuizItem, FinalQuizItem.question_id == QuestionVersion.question_id)
            .join(Lesson, Lesson.id == FinalQuizItem.lesson_id)
            .where(Lesson.slug == slug, FinalQuizItem.position == position))
        selections = db.session.scalars(
            select(Response.selected).join(Attempt, Attempt.id == Response.attempt_id)
            .where(Response.question_version_id == version.id, Attempt.kind == "final")).all()
        return version, selections


def test_most_students_get_the_tempting_question_wrong_with_the_same_option(demo_app):
    version, selections = final_choices(demo_app, *TEMPTING)
    wrong = [tuple(s) for s in selections if set(s) != set(version.correct_indexes)]
    assert len(wrong) > len(selections) / 2
    (_most_common, count), = Counter(wrong).most_common(1)
    assert count == len(wrong)


def test_a_distractor_nobody_picks(demo_app):
    version, selections = final_choices(demo_app, "nl-l2", 1)
    chosen = {index for s in selections for index in s}
    distractors = set(range(len(version.options))) - set(version.correct_indexes)
    assert len(selections) >= 20
    assert distractors - chosen  # at least one distractor never chosen


def test_demo_students_cannot_log_in(demo_app):
    client = demo_app.test_client()
    assert login(client, "demo-2a-01", "").status_code != 303
    assert login(client, "demo-2a-01", "!demo-student-no-login").status_code != 303
