"""Optional goals (issue 10 point 7): marked in the lesson file, shown as optional, never blocking
the lesson, and left out of the final-quiz draw unless the lesson includes them.

The Finnish lesson's goal 4 (palvelutarpeen arviointi) is optional: its two slides carry
`<!-- optional -->` and its checkpoint questions fi-l1-q13..q16 measure goal 4 only.
fi-l1 has 11 questions in `final:`; goals 1-3 have 7 questions each, goal 4 has 6.
"""

import random
import re

from sqlalchemy import select, update

from app.extensions import db
from app.models import LearningGoal, Lesson, Question, Screen
from app.services import attempts

OPTIONAL_GOAL = "fi-l1-g4"
OPTIONAL_QUESTIONS = {"fi-l1-q13", "fi-l1-q14", "fi-l1-q15", "fi-l1-q16", "fi-l1-q26", "fi-l1-q27"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def fi_lesson_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Lesson.id).where(Lesson.slug == "fi-l1"))


def test_the_finnish_goal_on_palvelutarpeen_arviointi_is_the_only_optional_goal(app):
    with app.app_context():
        optional = set(db.session.scalars(select(LearningGoal.slug).where(LearningGoal.optional.is_(True))))
    assert optional == {OPTIONAL_GOAL}


def test_its_two_slides_and_its_four_checkpoint_questions_are_optional_screens(app):
    with app.app_context():
        rows = db.session.execute(
            select(Screen.title, Question.slug).outerjoin(Question, Question.id == Screen.question_id)
            .join(Lesson, Lesson.id == Screen.lesson_id)
            .where(Lesson.slug == "fi-l1", Screen.optional.is_(True)).order_by(Screen.position)).all()
    assert [title or slug for title, slug in rows] == [
        "Palvelutarpeen arviointi sosiaalipalveluissa", "Milloin arviointi tehdään?",
        "fi-l1-q13", "fi-l1-q14", "fi-l1-q15", "fi-l1-q16"]


def test_an_optional_slide_says_so_and_a_required_one_does_not(app, client, student):
    with app.app_context():
        optional, required = (db.session.scalar(
            select(Screen.position).join(Lesson, Lesson.id == Screen.lesson_id)
            .where(Lesson.slug == "fi-l1", Screen.title == title)) for title in
            ("Milloin arviointi tehdään?", "Asiakaspalvelun perustehtävä"))
    page = text_of(client.get(f"/lessons/fi-l1/slides/{optional}").get_data(as_text=True))
    assert "Optional This slide belongs to an optional part of the lesson" in page
    assert "optional part" not in client.get(f"/lessons/fi-l1/slides/{required}").get_data(as_text=True)


def test_the_lesson_page_labels_the_goal_and_counts_only_the_required_goals(app, client, student):
    page = text_of(client.get("/lessons/fi-l1/").get_data(as_text=True))
    assert "0 of 3 learning goals mastered · 1 optional goal does not count here." in page
    assert "Optional Osaat kertoa, mitä palvelutarpeen arvioinnilla" in page


def drawn_slugs(app, user_id, lesson_id, seed) -> list[str]:
    with app.app_context():
        versions = attempts.drawn_questions(user_id, lesson_id, random.Random(seed))
        ids = [v.question_id for v in versions]
        return list(db.session.scalars(select(Question.slug).where(Question.id.in_(ids))))


def test_the_final_quiz_leaves_the_optional_goals_questions_out(app, student):
    user_id, _ = student
    lesson_id = fi_lesson_id(app)
    for seed in range(5):
        drawn = drawn_slugs(app, user_id, lesson_id, seed)
        # 11 questions over the 3 required goals: 4 per goal
        assert len(drawn) == 12 and not set(drawn) & OPTIONAL_QUESTIONS


def test_a_lesson_that_includes_optional_goals_draws_from_them_too(app, student):
    user_id, _ = student
    lesson_id = fi_lesson_id(app)
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(final_includes_optional=True))
        db.session.commit()
    try:
        for seed in range(5):
            drawn = drawn_slugs(app, user_id, lesson_id, seed)
            # 11 questions over 4 goals: 3 per goal, so 3 from goal 4
            assert len(drawn) == 12 and len(set(drawn) & OPTIONAL_QUESTIONS) == 3
    finally:
        with app.app_context():
            db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(final_includes_optional=False))
            db.session.commit()
