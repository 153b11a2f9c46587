"""The reading position of a lesson: stored by the slide page in the same request, written only
when it moves (a reload of the same slide writes nothing)."""

from sqlalchemy import select

from app import database
from app.extensions import db
from app.models import Lesson, LessonProgress

from .helpers import LESSON


def stored_position(app, student) -> tuple[int, int] | None:
    user_id, _name = student
    with app.app_context():
        row = db.session.execute(
            select(LessonProgress.last_position, LessonProgress.furthest_position)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(Lesson.slug == LESSON, LessonProgress.user_id == user_id)).first()
        return tuple(row) if row else None


def writes_during(app, action) -> list[str]:
    with app.app_context():
        engine = db.engine
    with database.count_statements(engine) as statements:
        action()
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_first_visit_of_a_slide_stores_the_position(app, client, student):
    assert stored_position(app, student) is None
    assert client.get(f"/lessons/{LESSON}/slides/4").status_code == 200
    assert stored_position(app, student) == (4, 4)


def test_reloading_the_same_slide_writes_nothing(app, client, student):
    client.get(f"/lessons/{LESSON}/slides/4")
    writes = writes_during(app, lambda: client.get(f"/lessons/{LESSON}/slides/4"))
    assert writes == []
    assert stored_position(app, student) == (4, 4)


def test_going_back_moves_the_last_position_and_keeps_the_furthest(app, client, student):
    client.get(f"/lessons/{LESSON}/slides/6")
    writes = writes_during(app, lambda: client.get(f"/lessons/{LESSON}/slides/2"))
    assert len(writes) == 1 and "lesson_progress" in writes[0]
    assert stored_position(app, student) == (2, 6)
    client.get(f"/lessons/{LESSON}/slides/6")  # forward again to where the student had been
    assert stored_position(app, student) == (6, 6)


def test_resume_follows_a_move_back_to_an_earlier_slide(client, app, student):
    client.get(f"/lessons/{LESSON}/slides/5")
    client.get(f"/lessons/{LESSON}/slides/3")
    response = client.get(f"/lessons/{LESSON}/resume")
    assert response.headers["Location"].endswith(f"/lessons/{LESSON}/slides/3")
