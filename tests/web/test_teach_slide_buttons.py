"""The lesson editor's slide buttons (add after, move up, move down, delete): CSRF POST forms that
change the saved lesson and save it as a revision through the same checks as the Save button."""

from __future__ import annotations

from tests.support import csrf_token

from . import test_teach_quiz_editor as editor
from .test_teach_quiz_editor import LESSON_PATH, post, revision_count

world = editor.world  # the same two courses and five users, on SQLite and PostgreSQL

SLIDES = "/teach/lessons/demo-l1/slides"


def lesson_source(app, path: str = LESSON_PATH) -> str:
    with app.app_context():
        return editor.authoring.current_source(path)


def body(app) -> str:
    return lesson_source(app).split("---\n", 2)[2]


def test_the_editor_lists_each_saved_slide_with_its_buttons(world):
    page = world.clients["owner"].get("/teach/lessons/demo-l1/edit").get_data(as_text=True)
    slides = page[page.index('id="slides"'):page.index('id="media"')]
    assert "Les 1" in slides and "Checkpoint: demo-l1-q01" in slides
    assert slides.count('action="/teach/lessons/demo-l1/slides/1/') == 3  # no "Move up" on the first
    assert slides.count('action="/teach/lessons/demo-l1/slides/2/') == 3  # no "Move down" on the last
    assert 'name="csrf_token"' in slides


def test_move_down_then_up_swaps_and_restores_the_slides_with_a_revision_each(world):
    owner, before, source = world.clients["owner"], revision_count(world), lesson_source(world)
    response = post(owner, f"{SLIDES}/1/down")
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit?slide=2#slides")
    assert body(world) == "\nCheckpoint: demo-l1-q01\n\n---\n\n# Les 1\n\nTekst [[retentie]]\n"
    assert post(owner, f"{SLIDES}/2/up").status_code == 303
    assert lesson_source(world) == source and revision_count(world) == before + 2


def test_add_after_a_slide_saves_a_new_titled_slide_there(world):
    owner = world.clients["owner"]
    assert post(owner, f"{SLIDES}/1/add").status_code == 303
    assert body(world) == ("\n# Les 1\n\nTekst [[retentie]]\n\n---\n\n## New slide\n\n---\n\n"
                           "Checkpoint: demo-l1-q01\n")
    assert post(owner, f"{SLIDES}/2/delete").status_code == 303
    assert body(world) == "\n# Les 1\n\nTekst [[retentie]]\n\n---\n\nCheckpoint: demo-l1-q01\n"


def test_deleting_the_only_slide_is_refused_with_the_problem_and_saves_nothing(world):
    owner, before = world.clients["owner"], revision_count(world)
    source = lesson_source(world, "lessons/demo/02-b.md")
    response = post(owner, "/teach/lessons/demo-l2/slides/1/delete")
    assert response.status_code == 409
    assert "lesson has no slides" in response.get_data(as_text=True)
    assert revision_count(world) == before and lesson_source(world, "lessons/demo/02-b.md") == source


def test_a_slide_that_does_not_exist_or_a_missing_token_changes_nothing(world):
    owner, before = world.clients["owner"], revision_count(world)
    assert post(owner, f"{SLIDES}/9/delete").status_code == 404
    assert post(owner, f"{SLIDES}/2/down").status_code == 400
    assert owner.post(f"{SLIDES}/1/down").status_code == 400  # no CSRF token
    assert revision_count(world) == before


def test_only_editors_of_the_course_may_use_the_buttons(world):
    before = revision_count(world)
    stranger, student = world.clients["stranger"], world.clients["student"]
    assert stranger.post(f"{SLIDES}/1/down", data={"csrf_token": csrf_token(stranger, "/teach/")}).status_code == 404
    assert student.post(f"{SLIDES}/1/down", data={"csrf_token": csrf_token(student, "/")}).status_code == 403
    assert revision_count(world) == before
