"""Class pages in real Chromium (issue 9 point 12, part): axe-core finds no violation on the class
page, the gradebook, the mastery heat map, a student's record, the teacher's view of an attempt, the
assignment form and the student's dashboard, in light and dark mode; the gradebook sorts by a
column button without JavaScript."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, ClassStudent, Lesson, User
from app.services import classes as class_service

from .test_journey import PASSWORD, assert_no_axe_violations, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def class_world(e2e_app):
    """A teacher's class with three students (two with a submitted final quiz) and nl-l2 assigned."""
    from app.services import accounts

    stamp = datetime.now().strftime("%H%M%S%f")
    with e2e_app.app_context():
        teacher = accounts.register(f"e2e-teacher-{stamp}", "E2E Teacher", PASSWORD, "teacher")
        group = class_service.create_class(teacher.id, "E2E 3C")
        class_service.assign_lesson(group, class_service.Policy("nl-l2", datetime(2030, 1, 1), 2, "highest", 60,
                                                                "after_due"))
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "nl-l2"))
        students, attempt_id = [], None
        for n, (name, score) in enumerate((("Anna Aho", 3), ("Bela Bartók", 1), ("Cor Cools", None))):
            user = accounts.register(f"e2e-student-{stamp}-{n}", name, PASSWORD)
            db.session.add(ClassStudent(class_id=group.id, user_id=user.id))
            students.append(user.username)
            if score is not None:
                start = datetime(2029, 12, 1, 10)
                attempt = Attempt(user_id=user.id, lesson_id=lesson_id, kind="final", status="submitted",
                                  score=score, max_score=4, started_at=start, submitted_at=start + timedelta(minutes=8))
                db.session.add(attempt)
                db.session.flush()
                attempt_id = attempt_id or attempt.id
        db.session.commit()
        student_id = db.session.scalar(select(User.id).where(User.username == students[0]))
        return {"teacher": teacher.username, "student": students[0], "class": group.id, "student_id": student_id,
                "attempt": attempt_id}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_class_pages_have_no_axe_violations(new_context, class_world, scheme):
    page = new_context(color_scheme=scheme).new_page()
    log_in(page, class_world["teacher"])
    class_id = class_world["class"]
    for url, what in [("/classes/", "class list"), (f"/classes/{class_id}/", "class page"),
                      (f"/classes/{class_id}/gradebook", "gradebook"), (f"/classes/{class_id}/mastery", "heat map"),
                      (f"/classes/{class_id}/students/{class_world['student_id']}", "a student's record"),
                      (f"/classes/{class_id}/attempts/{class_world['attempt']}", "an attempt"),
                      (f"/classes/{class_id}/assignments/new", "assignment form")]:
        page.goto(url)
        assert_no_axe_violations(page, f"{what} ({scheme})")
    student_page = new_context(color_scheme=scheme).new_page()
    log_in(student_page, class_world["student"])
    student_page.goto("/dashboard")
    expect(student_page.get_by_text("Your assignments")).to_be_visible()
    assert_no_axe_violations(student_page, f"student dashboard ({scheme})")


def test_the_gradebook_sorts_by_a_column_button_without_javascript(new_context, class_world):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, class_world["teacher"])
    page.goto(f"/classes/{class_world['class']}/gradebook")
    page.locator("thead th").nth(1).get_by_role("button").click()
    rows = page.locator("tbody th[scope=row]")
    expect(rows).to_have_text(["Bela Bartók", "Anna Aho", "Cor Cools"])  # 25 %, 75 %, nothing
    expect(page.locator("thead th").nth(1)).to_have_attribute("aria-sort", "ascending")


@pytest.fixture(scope="module")
def large_class(e2e_app, class_world):
    """A second class of the same teacher with 120 students (no attempts) and nl-l2 and fi-l1 assigned."""
    from sqlalchemy import insert

    stamp = datetime.now().strftime("%H%M%S%f")
    with e2e_app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.username == class_world["teacher"]))
        group = class_service.create_class(teacher_id, "E2E big class")
        for slug in ("nl-l2", "fi-l1"):
            class_service.assign_lesson(group, class_service.Policy(slug, None, None, "highest", 60, "immediately"))
        db.session.execute(insert(User), [{"username": f"e2e-big-{stamp}-{n}", "display_name": f"Pupil {n:03d}",
                                           "password_hash": "!", "role": "student"} for n in range(120)])
        ids = db.session.scalars(select(User.id).where(User.username.like(f"e2e-big-{stamp}-%")))
        db.session.execute(insert(ClassStudent), [{"class_id": group.id, "user_id": i} for i in ids])
        db.session.commit()
        return group.id


@pytest.mark.parametrize("what", ["gradebook", "mastery"])
def test_pages_of_students_are_reached_by_keyboard_without_javascript(new_context, class_world, large_class, what):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, class_world["teacher"])
    page.goto(f"/classes/{large_class}/{what}?sort=-name")
    nav = page.get_by_role("navigation", name="Pages of the " + ("gradebook" if what == "gradebook" else "heat map"))
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_accessible_name("Page 1")
    # not by colour alone: the current page is bold and boxed by a thick border
    assert current.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert float(current.evaluate("e => getComputedStyle(e).borderTopWidth")[:-2]) >= 2
    next_link = nav.get_by_role("link", name="Next page")
    next_link.focus()
    # A key press does not wait for the page it opens; waiting for that very address (not for any
    # navigation) keeps a slow machine from typing into the page that is being replaced.
    with page.expect_navigation(url=re.compile(r"[?&]page=2\b")):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Students 51–100 of 120")).to_be_visible()
    expect(nav.locator("[aria-current=page]")).to_have_accessible_name("Page 2")
    first_row = page.locator("tbody th[scope=row]").first
    expect(first_row).to_have_text("Pupil 069" if what == "gradebook" else "Pupil 050")  # the sort stays
    search = page.get_by_label("Find a student")
    search.fill("pupil 11")
    expect(search).to_have_value("pupil 11")
    with page.expect_navigation(url=re.compile(r"[?&]q=pupil\+11\b")):
        page.get_by_role("button", name="Show students").click()
    expect(page.locator("tbody th[scope=row]")).to_have_count(11)  # every word matches: 011 and 110-119
    expect(page.get_by_text("Students 1–11 of 11 matching “pupil 11” (class of 120)")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_paged_class_pages_have_no_axe_violations_and_a_short_heat_map_header(new_context, class_world,
                                                                               large_class, scheme):
    page = new_context(color_scheme=scheme, viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, class_world["teacher"])
    page.goto(f"/classes/{large_class}/gradebook?page=2")
    assert_no_axe_violations(page, f"gradebook page 2 ({scheme})")
    page.goto(f"/classes/{large_class}/mastery?page=3")
    assert_no_axe_violations(page, f"heat map page 3 ({scheme})")
    header = page.locator("table.heat-map thead tr")
    assert header.bounding_box()["height"] < 60  # short labels G1, G2...: one line, however long the goals
    first_goal = page.locator("table.heat-map thead th").nth(1)
    assert first_goal.text_content().startswith("G1: ")
    legend_text = page.locator(".goal-legend dd").first.inner_text()
    assert legend_text in first_goal.text_content()  # the full goal in the header, for screen readers
