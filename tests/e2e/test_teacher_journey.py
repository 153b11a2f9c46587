"""A teacher's path in real headless Chromium: write a question, preview it, place it in the lesson
with a checkpoint line, a student answers it, the teacher restores an earlier revision; axe-core
on every editor page. Its own app and content (course `demo`), so the shipped courses stay as
they are for the other browser tests."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Lesson, Response
from app.services import accounts, authoring
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree

from ..conftest import PASSWORD, make_app
from .conftest import TIMEOUT_MS
from .test_journey import assert_no_axe_violations, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def teach_server(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("content"), {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01", "[[retentie]]"), "quizzes/demo/01-a.md": quiz(1)})
    app = make_app(tmp_path_factory, None, CONTENT_ROOT=root)
    with app.app_context():
        accounts.register("juf-anna", "Juf Anna", PASSWORD, "teacher")
        accounts.register("leerling-bo", "Bo", PASSWORD, "student")
        accounts.register("beheer", "Beheer", PASSWORD, "admin")
        authoring.add_member("demo", "juf-anna", "owner")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="teach-e2e-server", daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def screens(app) -> int:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(Lesson.screen_count).where(Lesson.slug == "demo-l1"))


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_a_teacher_writes_previews_and_places_a_question_a_student_answers_it_and_the_teacher_restores(
        teach_server, browser):
    app, base_url = teach_server
    teacher = browser.new_context(base_url=base_url, locale="en-US", color_scheme="light")
    student = browser.new_context(base_url=base_url, locale="en-US", color_scheme="light")
    try:
        for context in (teacher, student):
            context.set_default_timeout(TIMEOUT_MS)
        page = teacher.new_page()
        log_in(page, "juf-anna")
        page.get_by_role("link", name="Teach").click()
        assert_no_axe_violations(page, "the teacher dashboard")
        page.get_by_role("link", name="Questions Les 1").first.click()
        assert_no_axe_violations(page, "the question list")
        page.get_by_role("link", name="Write a new question").click()

        # a mistake first: no correct option -> an error summary that links to the field
        page.get_by_label("Question", exact=True).fill("Wat betekent **retentie**?")
        page.get_by_label("Option 1: text").fill("Klanten behouden")
        page.get_by_label("Option 1: feedback").fill("Juist: klanten blijven.")
        page.get_by_label("Option 2: text").fill("Klanten werven")
        page.get_by_label("Option 2: feedback").fill("Nee, dat is acquisitie.")
        page.get_by_label("Doel.").check()
        page.get_by_role("button", name="Save question").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("Mark the correct option")
        assert_no_axe_violations(page, "the question form with errors")
        page.get_by_label("Option 1 is correct").check()
        page.get_by_label("What did you change? (optional)").fill("vraag over retentie")
        page.get_by_role("button", name="Save question").click()

        # the preview: as a student sees it, answered, nothing stored
        expect(page.locator("h1")).to_contain_text("Preview of demo-l1-q02")
        assert_no_axe_violations(page, "the question preview")
        stored = responses(app)
        page.get_by_label("Klanten werven").check()
        page.get_by_role("button", name="Check answer").click()
        expect(page.locator(".feedback-summary")).to_contain_text("Incorrect")
        expect(page.locator(".options-answered")).to_contain_text("Nee, dat is acquisitie.")
        assert responses(app) == stored

        # place it in the lesson with a checkpoint line
        page.goto("/teach/lessons/demo-l1/edit")
        assert_no_axe_violations(page, "the lesson editor")
        source = page.get_by_label("Lesson (Markdown)")
        source.fill(source.input_value() + "\n---\n\nCheckpoint: demo-l1-q02\n")
        source.press("Control+End")  # the script shows the slide under the cursor: the new checkpoint
        expect(page.locator(".lesson-preview h2")).to_have_text("Preview of slide 3 of 3")
        expect(page.locator(".lesson-preview")).to_contain_text("demo-l1-q02")
        source.press("Control+Home")
        expect(page.locator(".lesson-preview h2")).to_have_text("Preview of slide 1 of 3")
        page.get_by_role("button", name="Save lesson").click()
        expect(page.locator(".notice-success")).to_contain_text("Lesson saved.")
        assert screens(app) == 3

        # the student answers it on slide 3
        student_page = student.new_page()
        log_in(student_page, "leerling-bo")
        student_page.goto("/lessons/demo-l1/slides/3")
        expect(student_page.locator(".question-stem")).to_contain_text("Wat betekent retentie?")
        student_page.get_by_label("Klanten behouden").check()
        student_page.get_by_role("button", name="Check answer").click()
        expect(student_page.locator(".feedback-summary")).to_contain_text("Correct")
        assert responses(app) == stored + 1

        # the teacher compares and restores the lesson's first revision
        page.goto("/teach/lessons/demo-l1/history/lesson")
        assert_no_axe_violations(page, "the lesson history")
        page.get_by_role("button", name="Compare the chosen revisions").click()
        expect(page.locator("tr.diff-added ins", has_text="Checkpoint: demo-l1-q02")).to_have_count(1)
        expect(page.locator("tr.diff-removed")).to_have_count(0)
        assert_no_axe_violations(page, "the diff of two revisions")
        page.go_back()
        page.get_by_role("button", name="Restore revision 1").click()
        expect(page.locator(".notice-success")).to_contain_text("Revision 1 restored as a new revision.")
        expect(page.locator("tbody tr")).to_have_count(3)
        assert screens(app) == 2
        assert responses(app) == stored + 1  # the student's answer is kept
    finally:
        teacher.close()
        student.close()


GIFT = """::Retentie::Wat is retentie?{=Klanten behouden#Juist. ~Klanten werven#Nee.}

::Essay::Beschrijf loyaliteit.{}
"""


def test_a_teacher_imports_a_gift_bank_through_the_preview_and_the_import_pages_pass_axe(teach_server, browser):
    app, base_url = teach_server
    context = browser.new_context(base_url=base_url, locale="en-US", color_scheme="dark")
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, "juf-anna")
        page.goto("/teach/courses/demo/")
        assert_no_axe_violations(page, "the course page with its members")
        page.goto("/teach/lessons/demo-l1/questions")
        page.get_by_role("link", name="Import questions").click()
        assert_no_axe_violations(page, "the import page")
        page.get_by_label("Or paste the questions here").fill(GIFT)
        page.get_by_label("Moodle GIFT").check()
        page.get_by_role("button", name="Show what the file holds").click()
        expect(page.get_by_role("heading", name="1 question will be added")).to_be_visible()
        expect(page.get_by_role("heading", name="1 question skipped")).to_be_visible()
        assert_no_axe_violations(page, "the import preview")
        page.get_by_role("button", name="Import 1 question").click()
        expect(page.locator(".notice-success")).to_contain_text("1 question imported.")
        expect(page.locator("#q-demo-l1-retentie-1")).to_contain_text("Wat is retentie?")

        page.get_by_role("button", name="Log out").click()
        admin = context.new_page()
        log_in(admin, "beheer")
        admin.goto("/admin/users")
        assert_no_axe_violations(admin, "the account list")
    finally:
        context.close()
