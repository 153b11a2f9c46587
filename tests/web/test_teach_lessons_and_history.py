"""The lesson editor (preview of a chosen slide, save with every problem and its line, hostile
input refused fast) and the history of a lesson or quiz bank (list, diff, restore)."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Lesson
from app.services import content_store
from tests.support import csrf_token

from . import test_teach_quiz_editor as editor
from .test_teach_quiz_editor import LESSON_PATH, QUIZ_PATH, new_question, post, revision_count

world = editor.world  # the same two courses and five users, on SQLite and PostgreSQL

EDIT = "/teach/lessons/demo-l1/edit"


def lesson_source(app) -> str:
    with app.app_context():
        return editor.authoring.current_source(LESSON_PATH)


def screen_count(app) -> int:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(Lesson.screen_count).where(Lesson.slug == "demo-l1"))


def front_matter(title="Les 1") -> str:
    return ("---\nid: demo-l1\ncourse: demo\ntitle: " + title + "\nlanguage: nl\nminutes: 5\n"
            "goals:\n  - id: demo-l1-g1\n    text: Doel.\n---\n\n")


def test_the_editor_shows_the_stored_markdown_and_a_preview_of_the_chosen_slide(world):
    owner = world.clients["owner"]
    page = owner.get(EDIT).get_data(as_text=True)
    assert "id: demo-l1\ncourse: demo\ntitle: Les 1" in page  # the textarea holds the source
    assert "<h1>Les 1</h1>" in page and 'href="/courses/demo/glossary#term-retentie"' in page
    checkpoint = owner.get(EDIT + "?slide=2").get_data(as_text=True)
    assert "Checkpoint with these questions:" in checkpoint and ">demo-l1-q01</a>" in checkpoint
    assert "No slide to show." in owner.get(EDIT + "?slide=9").get_data(as_text=True)


def test_preview_of_posted_text_is_sanitised_and_saves_nothing(world):
    before, source = revision_count(world), lesson_source(world)
    text = (front_matter() + "# Nieuw\n\n<script>alert(1)</script> [klik](javascript:alert(1)) "
            "<img src=x onerror=alert(1)> <span class=\"badge-correct\">Juist</span>\n")
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": "preview"})
    page = response.get_data(as_text=True)
    preview = page[page.index('class="lesson-preview"'):]
    assert response.status_code == 200 and "<h1>Nieuw</h1>" in preview
    assert "<script>alert" not in preview and "javascript:" not in preview and "onerror" not in preview
    assert 'class="badge-correct"' not in preview
    assert revision_count(world) == before and lesson_source(world) == source


def test_saving_adds_a_checkpoint_that_places_a_new_question_in_the_lesson(world):
    question_id = new_question(world, stem="Op een dia geplaatst.")
    screens = screen_count(world)
    text = lesson_source(world) + f"\n---\n\nCheckpoint: {question_id}\n"
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": "save",
                                                   "message": "checkpoint erbij"})
    assert response.status_code == 303
    assert lesson_source(world) == text
    assert screen_count(world) == screens + 1
    with world.app_context():
        newest = content_store.revisions(LESSON_PATH)[0]
        assert (newest.message, newest.author_id) == ("checkpoint erbij", world.user_ids["owner"])


def test_a_broken_lesson_is_not_saved_and_every_problem_is_listed_with_its_line(world):
    """As `flask content check` reports them: minutes out of range and a checkpoint slide with text."""
    before, source = revision_count(world), lesson_source(world)
    text = ("---\nid: demo-l1\ncourse: demo\ntitle: Les 1\nlanguage: nl\nminutes: 0\n"
            "goals:\n  - id: demo-l1-g1\n    text: Doel.\n---\n\n# Les\n\n---\n\nCheckpoint: demo-l1-q01\n\nMeer tekst.\n")
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not saved: fix these problems first" in page
    assert re.search(r"Line 6</a>.*minutes", page)
    assert re.search(r"Line 16</a>.*a checkpoint slide may hold only the", page)
    assert revision_count(world) == before and lesson_source(world) == source


HOSTILE = {
    "thousands of brackets": "[" * 20_000,
    "a list nested 500 deep": "".join("  " * depth + "- x\n" for depth in range(500)),
    "block quotes 500 deep": ">" * 500 + " x\n",
    "a very long line": "word " * 40_000,
}


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize("action", ["preview", "save"])
def test_pathological_markdown_is_refused_with_a_message_within_a_second(world, case, action):
    before = revision_count(world)
    text = front_matter() + "# Boos\n\n" + HOSTILE[case] + "\n"
    started = time.perf_counter()
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": action})
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert elapsed < 1.0, f"{case}: {elapsed:.2f} s"
    assert "Not saved: fix these problems first" in page and "Line " in page
    assert revision_count(world) == before


def test_a_checkpoint_naming_an_unknown_question_is_not_saved(world):
    before = revision_count(world)
    text = lesson_source(world) + "\n---\n\nCheckpoint: demo-l1-q99\n"
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": "save"})
    assert response.status_code == 400
    assert "checkpoint names unknown question &#39;demo-l1-q99&#39;" in response.get_data(as_text=True)
    assert revision_count(world) == before


@pytest.mark.parametrize(("old", "new"), [("id: demo-l1", "id: demo-l1-copy"), ("course: demo", "course: other")])
def test_the_lesson_id_and_course_cannot_change_in_the_editor(world, old, new):
    before = revision_count(world)
    text = lesson_source(world).replace(old, new)
    response = post(world.clients["owner"], EDIT, {"source": text, "slide": "1", "action": "save"})
    assert response.status_code == 400
    assert "the lesson keeps its id &#39;demo-l1&#39; and course &#39;demo&#39;" in response.get_data(as_text=True)
    assert revision_count(world) == before


def test_a_bad_slide_number_or_an_empty_lesson_is_a_400(world):
    owner = world.clients["owner"]
    assert post(owner, EDIT, {"source": "", "slide": "1", "action": "save"}).status_code == 400
    assert post(owner, EDIT, {"source": "x", "slide": "zero", "action": "preview"}).status_code == 400
    assert owner.get(EDIT + "?slide=abc").status_code == 200  # a link with a bad number shows slide 1


# --- history -----------------------------------------------------------------------------------

def test_the_history_lists_every_revision_with_author_and_message_newest_first(world):
    question_id = new_question(world, stem="Voor de geschiedenis.", message="geschiedenis")
    page = world.clients["owner"].get("/teach/lessons/demo-l1/history/quiz").get_data(as_text=True)
    with world.app_context():
        numbers = [r.number for r in content_store.revisions(QUIZ_PATH)]
    rows = re.findall(r'<th scope="row">(\d+)', page)
    assert [int(n) for n in rows] == numbers and numbers == sorted(numbers, reverse=True)
    assert "t-owner" in page and "geschiedenis" in page and "from a file" in page  # revision 1 came from sync
    assert question_id  # written by the owner just now


def test_the_diff_marks_added_and_removed_lines_with_a_sign_not_only_colour(world):
    owner = world.clients["owner"]
    with world.app_context():
        old = content_store.revisions(LESSON_PATH)[0].number
    text = lesson_source(world).replace("Tekst [[retentie]]", "Andere tekst [[retentie]]")
    assert post(owner, EDIT, {"source": text, "slide": "1", "action": "save"}).status_code == 303
    page = owner.get(f"/teach/lessons/demo-l1/history/lesson/diff?a={old}&b={old + 1}").get_data(as_text=True)
    assert '<del><code>Tekst [[retentie]]</code></del>' in page
    assert '<ins><code>Andere tekst [[retentie]]</code></ins>' in page
    assert '<span class="visually-hidden">removed</span>' in page and '<span class="visually-hidden">added</span>' in page
    # the order of a and b does not matter
    swapped = owner.get(f"/teach/lessons/demo-l1/history/lesson/diff?a={old + 1}&b={old}").get_data(as_text=True)
    assert '<ins><code>Andere tekst [[retentie]]</code></ins>' in swapped


def test_a_diff_needs_two_existing_revisions(world):
    owner = world.clients["owner"]
    assert owner.get("/teach/lessons/demo-l1/history/lesson/diff?a=1").status_code == 400
    assert owner.get("/teach/lessons/demo-l1/history/lesson/diff?a=1&b=x").status_code == 400
    assert owner.get("/teach/lessons/demo-l1/history/lesson/diff?a=1&b=9999").status_code == 404
    assert owner.get("/teach/lessons/demo-l1/history/glossary").status_code == 404


def test_restore_saves_the_old_text_as_a_new_revision(world):
    owner = world.clients["owner"]
    with world.app_context():
        first = content_store.revision(LESSON_PATH, 1).source
        newest = content_store.revisions(LESSON_PATH)[0].number
    if lesson_source(world) == first:  # make sure there is something to restore
        text = first.replace("# Les 1", "# Les een")
        assert post(owner, EDIT, {"source": text, "slide": "1", "action": "save"}).status_code == 303
        newest += 1
    response = post(owner, "/teach/lessons/demo-l1/history/lesson/1/restore")
    assert response.status_code == 303
    with world.app_context():
        restored = content_store.revisions(LESSON_PATH)[0]
        assert (restored.number, restored.origin, restored.message) == (newest + 1, "restore", "restored revision 1")
        assert restored.author_id == world.user_ids["owner"]
    assert lesson_source(world) == first


def test_restore_of_an_unknown_revision_is_a_404_and_writes_nothing(world):
    before = revision_count(world)
    owner = world.clients["owner"]
    assert post(owner, "/teach/lessons/demo-l1/history/quiz/9999/restore").status_code == 404
    assert owner.post("/teach/lessons/demo-l1/history/quiz/1/restore").status_code == 400  # no CSRF token
    assert revision_count(world) == before


def test_a_restore_that_would_break_the_lesson_is_refused_with_the_reason(world):
    """Quiz revision 1 lacks a question a later lesson revision places in a checkpoint."""
    owner = world.clients["owner"]
    question_id = new_question(world, stem="Nodig in de les.")
    text = lesson_source(world) + f"\n---\n\nCheckpoint: {question_id}\n"
    assert post(owner, EDIT, {"source": text, "slide": "1", "action": "save"}).status_code == 303
    before = revision_count(world)
    response = post(owner, "/teach/lessons/demo-l1/history/quiz/1/restore")
    assert response.status_code == 409
    assert f"checkpoint names unknown question &#39;{question_id}&#39;" in response.get_data(as_text=True)
    assert revision_count(world) == before


def test_history_pages_are_not_for_students_or_other_teachers(world):
    path = "/teach/lessons/demo-l1/history/lesson"
    assert world.clients["student"].get(path).status_code == 403
    assert world.clients["stranger"].get(path).status_code == 404
    token = csrf_token(world.clients["student"], "/")
    assert world.clients["student"].post("/teach/lessons/demo-l1/history/lesson/1/restore",
                                         data={"csrf_token": token}).status_code == 403


# --- the history of one question ---------------------------------------------------------------

def question_block(app, question_id: str) -> str | None:
    from app.content.editing import question_block as block_of

    return block_of(editor.quiz_source(app), question_id)


def test_a_question_has_its_own_history_of_the_revisions_that_changed_it(world):
    owner = world.clients["owner"]
    question_id = new_question(world, stem="Versie een.", message="eerste")
    first = question_block(world, question_id)
    other = new_question(world, stem="Een andere vraag.")  # a bank revision that leaves ours alone
    edit = f"/teach/lessons/demo-l1/questions/{question_id}/edit"
    assert post(owner, edit, editor.question_form(stem="Versie twee.", message="tweede")).status_code == 303
    page = owner.get(f"/teach/lessons/demo-l1/questions/{question_id}/history").get_data(as_text=True)
    assert page.count('<li class="card">') == 2  # created, edited; not the revision that added `other`
    assert page.index("tweede") < page.index("eerste")  # newest first
    assert "<del><code>Versie een.</code></del>" in page and "<ins><code>Versie twee.</code></ins>" in page
    assert other != question_id
    with world.app_context():
        created = [r for r in content_store.revisions(QUIZ_PATH) if r.message == "eerste"][0].number
    before = revision_count(world)
    restored = post(owner, f"/teach/lessons/demo-l1/questions/{question_id}/history/{created}/restore")
    assert restored.status_code == 303
    assert revision_count(world) == before + 1
    assert question_block(world, question_id) == first
    with world.app_context():
        newest = content_store.revisions(QUIZ_PATH)[0]
        assert (newest.origin, newest.message) == ("restore", f"restored {question_id} from revision {created}")


def test_a_retired_question_can_be_brought_back_from_its_history(world):
    owner = world.clients["owner"]
    question_id = new_question(world, stem="Terug van weggeweest.")
    block = question_block(world, question_id)
    with world.app_context():
        written = content_store.revisions(QUIZ_PATH)[0].number
    assert post(owner, f"/teach/lessons/demo-l1/questions/{question_id}/retire").status_code == 303
    assert question_block(world, question_id) is None
    page = owner.get(f"/teach/lessons/demo-l1/questions/{question_id}/history").get_data(as_text=True)
    assert "Removed from the questions in this revision." in page and "This question is retired" in page
    assert post(owner, f"/teach/lessons/demo-l1/questions/{question_id}/history/{written}/restore").status_code == 303
    assert question_block(world, question_id) == block
    assert editor.order_in(editor.quiz_source(world))[-1] == question_id


def test_question_history_of_unknown_questions_or_revisions_is_a_404(world):
    owner = world.clients["owner"]
    before = revision_count(world)
    assert owner.get("/teach/lessons/demo-l1/questions/never-written/history").status_code == 404
    assert owner.get("/teach/lessons/demo-l1/questions/demo-l2-q01/history").status_code == 404  # another lesson
    assert post(owner, "/teach/lessons/demo-l1/questions/demo-l1-q01/history/9999/restore").status_code == 404
    assert post(owner, "/teach/lessons/demo-l1/questions/never-written/history/1/restore").status_code == 404
    assert world.clients["stranger"].get("/teach/lessons/demo-l1/questions/demo-l1-q01/history").status_code == 404
    assert world.clients["student"].get("/teach/lessons/demo-l1/questions/demo-l1-q01/history").status_code == 403
    assert revision_count(world) == before


# --- a new lesson ------------------------------------------------------------------------------

NEW_LESSON = "/teach/courses/demo/lessons/new"


def test_a_teacher_adds_a_lesson_at_the_end_of_the_course_and_students_can_open_it(world):
    response = post(world.clients["owner"], NEW_LESSON, {"title": 'Klanten: "trouw" en #1', "lesson_id": "demo-l7",
                                                         "minutes": "20", "goal": "Je kunt trouw: uitleggen."})
    assert response.status_code == 303 and response.headers["Location"].endswith("/teach/lessons/demo-l7/edit")
    with world.app_context():
        created = db.session.scalar(select(Lesson).where(Lesson.slug == "demo-l7"))
        assert (created.title, created.minutes, created.source_path) == ('Klanten: "trouw" en #1', 20,
                                                                         "lessons/demo/03-demo-l7.md")
        assert [g.text for g in created.goals] == ["Je kunt trouw: uitleggen."]
    student = world.clients["student"].get("/lessons/demo-l7/")
    assert student.status_code == 200 and "Klanten: &#34;trouw&#34; en #1" in student.get_data(as_text=True)
    assert world.clients["owner"].get("/teach/lessons/demo-l7/edit").status_code == 200


@pytest.mark.parametrize(("fields", "message"), [
    ({"lesson_id": "demo-l1"}, "the id &#39;demo-l1&#39; is taken"),
    ({"lesson_id": "Demo L3"}, "Use lowercase letters, digits and single hyphens only"),
    ({"minutes": "0"}, "Enter a number from 1 to 600"),
    ({"minutes": "lots"}, "Not a valid integer value"),
    ({"title": ""}, "Enter a title"),
    ({"goal": "x" * 501}, "A goal can be at most 500 characters long"),
])
def test_a_bad_new_lesson_is_refused_with_the_reason_and_nothing_is_written(world, fields, message):
    before = revision_count(world)
    data = {"title": "Nieuw", "lesson_id": "demo-l8", "minutes": "10", "goal": "Doel.", **fields}
    response = post(world.clients["owner"], NEW_LESSON, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert revision_count(world) == before


def test_only_the_course_editors_add_lessons(world):
    before = revision_count(world)
    data = {"title": "Nieuw", "lesson_id": "demo-l9", "minutes": "10", "goal": "Doel."}
    assert post(world.clients["stranger"], NEW_LESSON, data).status_code == 404
    assert world.clients["student"].get(NEW_LESSON).status_code == 403
    assert revision_count(world) == before


# --- the preview that follows the cursor (the editor's script asks for one slide) ---------------

def test_the_slide_preview_alone_renders_the_posted_text_and_writes_nothing(world):
    before = revision_count(world)
    owner = world.clients["owner"]
    text = front_matter() + "# Een\n\n---\n\n## Twee *nieuw*\n\n<script>x()</script>\n"
    response = post(owner, "/teach/lessons/demo-l1/edit/preview", {"source": text, "slide": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert "Preview of slide 2 of 2" in page and "<h2>Twee <em>nieuw</em></h2>" in page and "<script>x" not in page
    broken = post(owner, "/teach/lessons/demo-l1/edit/preview", {"source": "no front matter", "slide": "1"})
    assert broken.status_code == 200 and "front matter missing" in broken.get_data(as_text=True)
    assert post(owner, "/teach/lessons/demo-l1/edit/preview", {"source": text, "slide": "x"}).status_code == 400
    assert post(world.clients["stranger"], "/teach/lessons/demo-l1/edit/preview",
                {"source": text, "slide": "1"}).status_code == 404
    assert revision_count(world) == before
