"""Teacher pages: who may open them, and the quiz editor (write, edit, copy, move, retire, preview).

A world of its own (SQLite and PostgreSQL): course `demo` (lessons demo-l1 with a checkpoint on
demo-l1-q01, and demo-l2) owned by OWNER with EDITOR as co-editor, and course `other` owned by
STRANGER. Tests write real revisions, so each reads the state it starts from."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, ContentRevision, Question, QuestionVersion, Response, User
from app.services import accounts, authoring
from tests.support import csrf_token, login
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree

from ..conftest import PASSWORD, make_app
from .test_content_sync import answer_first_checkpoint

_databases = itertools.count(1)
OTHER_COURSE = "---\nid: other\ntitle: Ander\nlanguage: nl\n---\n"
OTHER_LESSON = ("---\nid: other-l1\ncourse: other\ntitle: Andere les\nlanguage: nl\nminutes: 5\n"
                "goals:\n  - id: other-l1-g1\n    text: Doel.\n---\n\n# Andere les\n\nTekst\n")
OTHER_QUIZ = ("---\nlesson: other-l1\nfinal: [other-l1-q01]\n---\n\n## other-l1-q01\ntype: truefalse\n"
              "goals: other-l1-g1\n\nKlopt dit?\n\n- [x] Waar\n  > Juist.\n- [ ] Niet waar\n  > Nee.\n")
QUIZ_PATH = "quizzes/demo/01-a.md"
LESSON_PATH = "lessons/demo/01-a.md"
ROLES = ("owner", "editor", "stranger", "student", "admin")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The app with both courses, and a logged-in client per role (`world.clients[role]`)."""
    root = write_tree(tmp_path_factory.mktemp("content"), {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01", "[[retentie]]"), "quizzes/demo/01-a.md": quiz(1),
        "lessons/demo/02-b.md": lesson(2), "quizzes/demo/02-b.md": quiz(2),
        "lessons/other/course.md": OTHER_COURSE, "lessons/other/01-x.md": OTHER_LESSON,
        "quizzes/other/01-x.md": OTHER_QUIZ})
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"teach_{next(_databases)}")
    app = make_app(tmp_path_factory, url, CONTENT_ROOT=root)
    kinds = {"owner": "teacher", "editor": "teacher", "stranger": "teacher", "student": "student", "admin": "admin"}
    app.user_ids, app.clients = {}, {}
    with app.app_context():
        for role, kind in kinds.items():
            app.user_ids[role] = accounts.register(f"t-{role}", f"The {role}", PASSWORD, kind).id
        authoring.add_member("demo", "t-owner", "owner")
        authoring.add_member("demo", "t-editor", "editor")
        authoring.add_member("other", "t-stranger", "owner")
    for role in ROLES:
        client = app.test_client()
        assert login(client, f"t-{role}", PASSWORD).status_code == 303
        app.clients[role] = client
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def token(client) -> str:
    return csrf_token(client, "/teach/" if client is not None else "/")


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ContentRevision))


def quiz_source(app, path: str = QUIZ_PATH) -> str:
    with app.app_context():
        return authoring.current_source(path)


def question_form(stem="Wat is retentie?", kind="single", goals=("demo-l1-g1",),
                  options=(("Klanten behouden", True, "Juist."), ("Klanten werven", False, "Nee, dat is acquisitie.")),
                  **extra) -> dict:
    data = {"type": kind, "stem": stem, "goals": list(goals), **extra}
    for index, (text, correct, feedback) in enumerate(options):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-feedback"] = feedback
        if correct:
            data[f"options-{index}-correct"] = "y" if correct is True else correct
    return data


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/teach/")})


def new_question(app, role="owner", **form) -> str:
    response = post(app.clients[role], "/teach/lessons/demo-l1/questions/new", question_form(**form))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return re.search(r"/questions/([a-z0-9-]+)/preview$", response.headers["Location"]).group(1)


def order_in(source: str) -> list[str]:
    return re.findall(r"^## (\S+)$", source, re.M)


# --- who may open what -------------------------------------------------------------------------

TEACHER_PAGES = (
    "/teach/courses/demo/",
    "/teach/lessons/demo-l1/questions",
    "/teach/lessons/demo-l1/questions/new",
    "/teach/lessons/demo-l1/questions/demo-l1-q01/edit",
    "/teach/lessons/demo-l1/questions/demo-l1-q01/preview",
    "/teach/lessons/demo-l1/edit",
    "/teach/lessons/demo-l1/edit?slide=2",
    "/teach/lessons/demo-l1/history/lesson",
    "/teach/lessons/demo-l1/history/quiz",
    "/teach/lessons/demo-l1/history/quiz/diff?a=1&b=1",
)


@pytest.mark.parametrize("path", TEACHER_PAGES)
def test_every_teacher_page_is_for_the_course_editors_and_admins_only(world, path):
    anonymous = world.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    expected = {"owner": 200, "editor": 200, "admin": 200, "student": 403, "stranger": 404}
    got = {role: world.clients[role].get(path).status_code for role in expected}
    assert got == expected


def test_the_dashboard_lists_only_the_courses_a_teacher_holds(world):
    owner = world.clients["owner"].get("/teach/").get_data(as_text=True)
    stranger = world.clients["stranger"].get("/teach/").get_data(as_text=True)
    admin = world.clients["admin"].get("/teach/").get_data(as_text=True)
    assert "/teach/courses/demo/" in owner and "/teach/courses/other/" not in owner
    assert "/teach/courses/other/" in stranger and "/teach/courses/demo/" not in stranger
    assert "/teach/courses/demo/" in admin and "/teach/courses/other/" in admin
    assert world.clients["student"].get("/teach/").status_code == 403


def test_a_teacher_of_another_course_cannot_change_this_one_and_nothing_is_written(world):
    before, source = revision_count(world), quiz_source(world)
    stranger = world.clients["stranger"]
    posts = [("/teach/lessons/demo-l1/questions/new", question_form()),
             ("/teach/lessons/demo-l1/questions/demo-l1-q01/edit", question_form()),
             ("/teach/lessons/demo-l1/questions/demo-l1-q01/duplicate", {}),
             ("/teach/lessons/demo-l1/questions/demo-l1-q01/move", {"direction": "down"}),
             ("/teach/lessons/demo-l1/questions/demo-l1-q01/retire", {}),
             ("/teach/lessons/demo-l1/edit", {"source": "x", "slide": "1", "action": "save"}),
             ("/teach/lessons/demo-l1/history/quiz/1/restore", {})]
    assert [post(stranger, path, data).status_code for path, data in posts] == [404] * len(posts)
    assert revision_count(world) == before and quiz_source(world) == source


def test_a_question_of_another_lesson_or_course_is_not_found_through_this_lesson(world):
    owner = world.clients["owner"]
    assert owner.get("/teach/lessons/demo-l1/questions/demo-l2-q01/edit").status_code == 404
    assert owner.get("/teach/lessons/demo-l1/questions/other-l1-q01/preview").status_code == 404
    assert owner.get("/teach/lessons/other-l1/questions").status_code == 404
    assert owner.get("/teach/lessons/no-such-lesson/edit").status_code == 404
    assert post(owner, "/teach/lessons/demo-l1/questions/other-l1-q01/retire").status_code == 404


def test_posts_without_a_csrf_token_are_refused_and_write_nothing(world):
    before = revision_count(world)
    owner = world.clients["owner"]
    for path, data in (("/teach/lessons/demo-l1/questions/new", question_form()),
                       ("/teach/lessons/demo-l1/questions/demo-l1-q01/duplicate", {}),
                       ("/teach/lessons/demo-l1/history/quiz/1/restore", {})):
        response = owner.post(path, data=data)
        assert response.status_code == 400
        assert "form has expired" in response.get_data(as_text=True) or "CSRF" in response.get_data(as_text=True)
    assert revision_count(world) == before


# --- writing questions -------------------------------------------------------------------------

def test_a_new_question_becomes_a_revision_by_its_author_and_a_question_of_the_lesson(world):
    before = revision_count(world)
    question_id = new_question(world, stem="Wat betekent **retentie**?", message="eerste vraag", in_final="y")
    assert question_id.startswith("demo-l1-q")
    assert revision_count(world) == before + 1
    source = quiz_source(world)
    assert f"## {question_id}\ntype: single\ngoals: demo-l1-g1\n\nWat betekent **retentie**?\n\n" \
           "- [x] Klanten behouden\n  > Juist.\n- [ ] Klanten werven\n  > Nee, dat is acquisitie.\n" in source
    assert re.search(r"^final: \[(.*)\]$", source, re.M).group(1) == f"demo-l1-q01, {question_id}"
    with world.app_context():
        revision = authoring.content_store.revisions(QUIZ_PATH)[0]
        assert (revision.author_id, revision.origin, revision.message) == (world.user_ids["owner"], "editor",
                                                                          "eerste vraag")
        version = db.session.scalar(select(QuestionVersion).join(Question, Question.current_version_id
                                                                  == QuestionVersion.id)
                                    .where(Question.slug == question_id))
        assert version.type == "single" and version.correct_indexes == frozenset({0})
        assert "<strong>retentie</strong>" in version.stem_html


def test_a_co_editor_may_write_questions_too(world):
    question_id = new_question(world, role="editor", stem="Door de co-editor geschreven.")
    assert f"## {question_id}" in quiz_source(world)


def test_editing_keeps_every_other_question_byte_for_byte(world):
    question_id = new_question(world, stem="Eerst zo.")
    before = quiz_source(world)
    response = post(world.clients["owner"], f"/teach/lessons/demo-l1/questions/{question_id}/edit",
                    question_form(stem="Nu anders.", kind="multiple", options=(
                        ("Een", True, "Ja."), ("Twee", True, "Ja."), ("Drie", False, "Nee.")), fixed_order="y"))
    assert response.status_code == 303
    after = quiz_source(world)
    old_blocks = re.split(r"(?m)^(?=## )", before)
    new_blocks = re.split(r"(?m)^(?=## )", after)
    changed = [(a, b) for a, b in zip(old_blocks[1:], new_blocks[1:], strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1].startswith(f"## {question_id}\ntype: multiple\ngoals: demo-l1-g1\norder: fixed\n\nNu anders.")


def test_editing_an_answered_question_makes_a_new_version_and_the_answer_keeps_the_old(world):
    question_pk, old_version = answer_first_checkpoint(world)  # demo-l1-q01, answered 'Waar'
    response = post(world.clients["owner"], "/teach/lessons/demo-l1/questions/demo-l1-q01/edit",
                    question_form(stem="Klopt dit echt?", kind="truefalse",
                                  options=(("Waar", True, "Juist."), ("Niet waar", False, "Nee."))))
    assert response.status_code == 303
    with world.app_context():
        question = db.session.get(Question, question_pk)
        assert question.current_version_id != old_version
        assert db.session.get(QuestionVersion, old_version).stem_html == "<p>Klopt dit?</p>"
        assert question.current_version.stem_html == "<p>Klopt dit echt?</p>"
        versions = set(db.session.scalars(select(Response.question_version_id)
                                          .where(Response.question_id == question_pk)))
        assert versions == {old_version}
    page = world.clients["owner"].get("/teach/lessons/demo-l1/questions/demo-l1-q01/edit").get_data(as_text=True)
    assert "Students have answered this question" in page


BAD_FORMS = {
    "no correct option": (question_form(options=(("A", False, "x"), ("B", False, "y"))), "Mark the correct option"),
    "single choice with two keys": (question_form(options=(("A", True, "x"), ("B", True, "y"), ("C", False, "z"))),
                                    "exactly one correct option"),
    "true/false with three options": (question_form(kind="truefalse", options=(
        ("Waar", True, "x"), ("Niet waar", False, "y"), ("Misschien", False, "z"))), "exactly two options"),
    "multiple with one key": (question_form(kind="multiple"), "at least two correct options"),
    "multiple with every option right": (question_form(kind="multiple", options=(("A", True, "x"), ("B", True, "y"))),
                                         "at least one wrong option"),
    "one option only": (question_form(options=(("A", True, "x"),)), "Enter at least 2 options"),
    "duplicate options": (question_form(options=(("Klant", True, "x"), ("klant", False, "y"))),
                          "the same as option 1"),
    "option without feedback": (question_form(options=(("A", True, "x"), ("B", False, ""))),
                                "Enter feedback for this option"),
    "feedback without option": (question_form(options=(("A", True, "x"), ("B", False, "y"), ("", False, "z"))),
                                "Enter the option text, or clear this row"),
    "empty stem": (question_form(stem="   "), "Enter the question"),
    "stem too long": (question_form(stem="x" * 5001), "at most 5000 characters"),
    "option too long": (question_form(options=(("A" * 1001, True, "x"), ("B", False, "y"))),
                        "at most 1000 characters"),
    "no goal": (question_form(goals=()), "Choose at least one learning goal"),
    "goal of another lesson": (question_form(goals=("demo-l2-g1",)), "Choose goals of this lesson only"),
    "unknown type": (question_form(kind="essay"), "Not a valid choice"),
    "control characters": (question_form(stem="Wat\x07is dit?"), "invisible control characters"),
}


@pytest.mark.parametrize("case", BAD_FORMS)
def test_a_bad_question_is_refused_with_the_error_next_to_the_field_and_nothing_is_written(world, case):
    data, message = BAD_FORMS[case]
    before, source = revision_count(world), quiz_source(world)
    response = post(world.clients["owner"], "/teach/lessons/demo-l1/questions/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and page.count(message) >= 2  # in the summary and next to the field
    assert revision_count(world) == before and quiz_source(world) == source


def test_wrong_field_types_and_odd_values_are_a_400_not_a_crash(world):
    before = revision_count(world)
    owner = world.clients["owner"]
    odd = {"lists for single values": ({"type": ["single", "multiple"], "stem": ["a", "b"]}, "Enter at least 2 options"),
           "a row beyond the eighth": ({**question_form(), "options-999-text": "extra"}, "Enter feedback for this option"),
           "a path as goal": ({**question_form(), "goals": ["../../etc/passwd"]}, "Choose goals of this lesson only"),
           "nothing but a type": ({"type": "single"}, "Enter the question")}
    for case, (data, message) in odd.items():
        response = post(owner, "/teach/lessons/demo-l1/questions/new", data)
        assert response.status_code == 400, case
        assert message in response.get_data(as_text=True), case
    assert revision_count(world) == before


def test_any_value_of_a_tick_box_means_ticked(world):
    question_id = new_question(world, stem="Aangevinkt?", options=(("A", "maybe", "Ja."), ("B", False, "Nee.")))
    assert f"## {question_id}\ntype: single\ngoals: demo-l1-g1\n\nAangevinkt?\n\n- [x] A" in quiz_source(world)


def test_a_huge_request_is_refused_before_anything_is_read(world):
    before = revision_count(world)
    response = post(world.clients["owner"], "/teach/lessons/demo-l1/questions/new",
                    question_form(stem="x" * 200_000))
    assert response.status_code == 413
    assert revision_count(world) == before


def test_odd_unicode_is_kept_exactly(world):
    stem = "Ügyfél? Mäkinen \u202eRTL\u202c, e\u0301, 🙂 en \u200bzero-width"
    question_id = new_question(world, stem=stem, options=(("Kovács 🙂", True, "Helyes."), ("Ääkköset", False, "Ei.")))
    assert f"\n{stem}\n" in quiz_source(world)
    page = world.clients["owner"].get(f"/teach/lessons/demo-l1/questions/{question_id}/preview").get_data(as_text=True)
    assert "Kovács 🙂" in page


# --- copy, move, retire ------------------------------------------------------------------------

def test_duplicate_puts_a_copy_with_a_new_id_right_after_the_question(world):
    question_id = new_question(world, stem="Kopieer mij.")
    response = post(world.clients["owner"], f"/teach/lessons/demo-l1/questions/{question_id}/duplicate")
    assert response.status_code == 303
    order = order_in(quiz_source(world))
    copy_id = order[order.index(question_id) + 1]
    assert copy_id != question_id and copy_id.startswith("demo-l1-q")
    blocks = {b.split("\n", 1)[0][3:]: b.split("\n", 1)[1] for b in re.split(r"(?m)^(?=## )", quiz_source(world))[1:]}
    assert blocks[copy_id].strip() == blocks[question_id].strip()


def test_move_up_and_down_swap_neighbours_and_the_ends_stay_put(world):
    first = new_question(world, stem="Eerste.")
    second = new_question(world, stem="Tweede.")
    owner = world.clients["owner"]
    order = order_in(quiz_source(world))
    assert order[-2:] == [first, second]
    assert post(owner, f"/teach/lessons/demo-l1/questions/{second}/move", {"direction": "up"}).status_code == 303
    assert order_in(quiz_source(world))[-2:] == [second, first]
    before = revision_count(world)
    assert post(owner, f"/teach/lessons/demo-l1/questions/{first}/move", {"direction": "down"}).status_code == 303
    assert revision_count(world) == before  # already last: no empty revision
    assert post(owner, f"/teach/lessons/demo-l1/questions/{first}/move", {"direction": "sideways"}).status_code == 400


def test_retiring_takes_the_question_out_of_the_lesson(world):
    question_id = new_question(world, stem="Weg ermee.")
    assert post(world.clients["owner"], f"/teach/lessons/demo-l1/questions/{question_id}/retire").status_code == 303
    source = quiz_source(world)
    assert f"## {question_id}" not in source and question_id not in source
    with world.app_context():
        assert db.session.scalar(select(Question.retired).where(Question.slug == question_id)) is True


def test_retiring_a_question_a_checkpoint_shows_is_refused_with_the_line(world):
    before, source = revision_count(world), quiz_source(world)
    response = post(world.clients["owner"], "/teach/lessons/demo-l1/questions/demo-l1-q01/retire")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 18" in page and "checkpoint names unknown question" in page
    assert revision_count(world) == before and quiz_source(world) == source


# --- preview -----------------------------------------------------------------------------------

def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Response)),
                db.session.scalar(select(func.count()).select_from(Attempt)))


def test_the_preview_grades_an_answer_in_memory_and_stores_nothing(world):
    question_id = new_question(world, stem="Preview mij.")
    owner = world.clients["owner"]
    path = f"/teach/lessons/demo-l1/questions/{question_id}/preview"
    page = owner.get(path).get_data(as_text=True)
    assert 'name="option" value="0"' in page and 'name="option" value="1"' in page
    assert "Juist." not in page  # no feedback or key before answering
    before = counts(world)
    right = owner.post(path, data={"option": "0", "csrf_token": csrf_token(owner, path)})
    wrong = owner.post(path, data={"option": "1", "csrf_token": csrf_token(owner, path)})
    assert right.status_code == 200 and wrong.status_code == 200
    assert "✓</span> Correct" in right.get_data(as_text=True)
    assert "✗</span> Incorrect" in wrong.get_data(as_text=True)
    assert "Nee, dat is acquisitie." in wrong.get_data(as_text=True)
    assert counts(world) == before


@pytest.mark.parametrize("answer", [{}, {"option": "7"}, {"option": "x"}, {"option": ["0", "1"]}])
def test_a_bad_preview_answer_is_a_400_and_stores_nothing(world, answer):
    owner = world.clients["owner"]
    path = "/teach/lessons/demo-l1/questions/demo-l1-q01/preview"
    before = counts(world)
    response = owner.post(path, data={**answer, "csrf_token": csrf_token(owner, path)})
    assert response.status_code == 400 and "Choose an answer." in response.get_data(as_text=True)
    assert counts(world) == before


def test_the_admin_sees_every_course_without_being_a_member(world):
    with world.app_context():
        admin = db.session.get(User, world.user_ids["admin"])
        assert authoring.course_role(admin, authoring.editable_course(admin, "other")) == "admin"
    assert world.clients["admin"].get("/teach/lessons/other-l1/questions").status_code == 200
