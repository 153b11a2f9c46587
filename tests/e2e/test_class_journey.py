"""A class from creation to review in real Chromium (issue 9 point 12): a teacher creates a class and
assigns a lesson with a policy (one attempt, keys right after handing in); a student registers, joins
with the code read from the teacher's page, works through the assigned lesson by keyboard, answers
every checkpoint and hands in the final quiz; the teacher sees the score and status (icon and word)
in the gradebook, the heat map and the item analysis, and runs the projector review with the key
revealed, where no student name appears. axe-core checks the four review pages, light and dark."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from app.services import accounts

from .test_journey import (
    PASSWORD,
    answer_checkpoint_by_keyboard,
    as_shown,
    assert_no_axe_violations,
    attempt_keys,
    lesson_facts,
    log_in,
)

pytestmark = pytest.mark.e2e

LESSON = "hu-l1"  # a lesson no other browser test takes, so its class figures are this journey's alone
STUDENT_NAME = "Zsófia Journeyvári"
CODE = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")  # no look-alikes: 0/O, 1/I/L


def expect_slide(page: Page, base_url: str, n: int, total: int) -> None:
    expect(page).to_have_url(f"{base_url}/lessons/{LESSON}/slides/{n}")
    expect(page.locator(".slide-counter p")).to_have_text(f"Slide {n} of {total}")


def assert_no_student_named(page: Page, *names: str) -> None:
    text = page.locator("body").inner_text()
    for name in names:
        assert name not in text, f"{name!r} appears on {page.url}"


def test_a_class_from_creation_to_gradebook_and_projector_review(e2e_app, base_url, new_context):
    facts = lesson_facts(e2e_app, LESSON)
    total, questions = facts["total"], facts["questions"]
    assert len(questions) >= 2, "the journey expects more than one checkpoint question"
    stamp = datetime.now().strftime("%H%M%S%f")
    class_name = f"Journey 4B {stamp}"
    student_username = f"zsofia.{stamp}"
    with e2e_app.app_context():
        teacher_username = accounts.register(f"journey-teacher-{stamp}", "Journey Teacher", PASSWORD,
                                             "teacher").username

    # --- the teacher creates a class and reads its join code from the page ---
    teacher = new_context().new_page()
    log_in(teacher, teacher_username)
    teacher.get_by_role("navigation").get_by_role("link", name="Classes", exact=True).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Your classes")
    teacher.get_by_label("Name of the class").fill(class_name)
    teacher.get_by_role("button", name="Create class").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(class_name)
    expect(teacher.locator(".notice-success")).to_contain_text("Give your students the join code.")
    expect(teacher.locator(".join-code .badge")).to_have_text(re.compile(r"Open$"))
    code = teacher.locator(".join-code code").inner_text().strip()
    assert CODE.match(code), code
    class_url = teacher.url

    # --- assigns the lesson: one attempt, the keys right after handing in ---
    teacher.get_by_role("link", name="Assign a lesson").click()
    teacher.get_by_label("Lesson", exact=True).select_option(label=facts["title"])
    teacher.get_by_label("One attempt").check()
    teacher.get_by_label("Right after handing in").check()
    teacher.get_by_role("button", name="Assign lesson").click()
    expect(teacher).to_have_url(class_url)
    row = teacher.locator("#assignments-title + table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text(facts["title"])
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(row.locator("td").nth(4)).to_have_text("Right after handing in")

    # --- a student registers and joins with the code from the dashboard ---
    student = new_context().new_page()
    student.goto("/register")
    student.get_by_label("Your name").fill(STUDENT_NAME)
    student.get_by_label("Username").fill(student_username)
    student.get_by_label("Password", exact=True).fill(PASSWORD)
    student.get_by_label("Repeat password").fill(PASSWORD)
    student.get_by_role("button", name="Create account").click()
    expect(student.locator(".user-name")).to_have_text(STUDENT_NAME)
    student.get_by_role("link", name="Dashboard", exact=True).click()
    expect(student.get_by_text("No assignments yet.")).to_be_visible()
    student.get_by_label("Join code").fill(code.lower().replace("-", " "))  # as a student may type it
    student.get_by_role("button", name="Join class").click()
    expect(student.locator(".notice-success")).to_have_text(f"You are in the class {class_name}.")
    assignment = student.locator("#assignments-title + table tbody tr")
    expect(assignment).to_have_count(1)
    expect(assignment.locator("td").first).to_have_text(class_name)
    expect(assignment.locator("td").nth(3)).to_have_text("○ Not started")

    # --- works through the lesson: → to move on, Tab/arrows/Space/Enter at every checkpoint ---
    assignment.get_by_role("link", name=facts["title"]).click()
    student.get_by_role("link", name="Start the lesson").click()
    expect_slide(student, base_url, 1, total)
    for n in range(1, total + 1):
        if n > 1:
            student.keyboard.press("ArrowRight")
            expect_slide(student, base_url, n, total)
        if n in questions:
            answer_checkpoint_by_keyboard(student, as_shown(student, questions[n]))
            expect(student.locator("#feedback")).to_be_focused()
            expect(student.locator("#feedback .badge-correct")).to_have_text(re.compile("Correct"))
    student.keyboard.press("ArrowRight")  # the last slide's next step is the final quiz
    expect(student).to_have_url(f"{base_url}/lessons/{LESSON}/quiz")
    expect(student.locator(".attempts-left")).to_have_text("1 attempt left.")
    expect(student.locator(".lead")).to_contain_text("You see your score and the right answers after you hand in.")

    # --- the final quiz: two single-choice questions wrong, every other one right ---
    student.get_by_role("button", name="Start the quiz").click()
    student.wait_for_url(re.compile(r".*/attempts/\d+$"))
    keys = attempt_keys(e2e_app, int(student.url.rsplit("/", 1)[1]))
    assert len(keys) == 8, "hu-l1's final: list has eight questions"
    wrong = [number for number, answer in sorted(keys.items()) if answer["type"] == "single"][:2]
    for number, answer in keys.items():
        picks = answer["correct"]
        if number in wrong:
            picks = [next(i for i in range(answer["count"]) if i not in answer["correct"])]
        for i in picks:
            student.locator(f"#q{number}-{i}").check()
    student.get_by_role("button", name="Hand in quiz").click()
    expect(student).to_have_url(re.compile(r"/attempts/\d+#result$"))
    expect(student.locator("[data-score]")).to_have_text("You scored 6 out of 8 (75%).")
    # the policy shows the keys right after handing in
    expect(student.locator(".review-head .badge-correct")).to_have_count(6)
    expect(student.locator(".review-head .badge-incorrect")).to_have_count(2)
    student.goto(f"/lessons/{LESSON}/quiz")
    expect(student.locator(".attempts-left")).to_have_text(
        re.compile("You have used every attempt your class allows at this quiz."))
    expect(student.get_by_role("button", name="Start the quiz")).to_have_count(0)
    student.goto("/dashboard")
    expect(assignment.locator("td").nth(2)).to_have_text("75%")
    expect(assignment.locator("td").nth(3)).to_have_text("✓ Passed")

    # --- the teacher's gradebook: the counting score, and the status as icon and word ---
    teacher.goto(class_url)
    teacher.locator(".class-nav").get_by_role("link", name="Gradebook", exact=True).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Gradebook: {class_name}")
    grade_row = teacher.locator("table.gradebook tbody tr")
    expect(grade_row).to_have_count(1)
    expect(grade_row.locator("th")).to_have_text(STUDENT_NAME)
    cell = grade_row.locator("td")
    expect(cell.get_by_role("link")).to_have_text(re.compile(r"^75%"))
    badge = cell.locator(".badge")
    expect(badge).to_have_count(1)
    expect(badge).to_have_text("✓ Passed")
    expect(badge.locator("[aria-hidden=true]")).to_have_text("✓")

    # --- the heat map: every goal of the lesson with a percentage and a status word ---
    teacher.locator(".class-nav").get_by_role("link", name="Mastery heat map").click()
    heat_row = teacher.locator("table.heat-map tbody tr")
    expect(heat_row).to_have_count(1)
    expect(heat_row.locator("th")).to_have_text(STUDENT_NAME)
    goal_cells = heat_row.locator("td")
    expect(goal_cells).to_have_count(2)  # hu-l1 has two goals
    for i in range(2):
        expect(goal_cells.nth(i)).to_have_text(re.compile(r"^\d+% (✓ Mastered|◐ In progress)$"))

    # --- the item analysis of this class: one attempt, one student, the class named ---
    teacher.goto(class_url)
    teacher.locator("#assignments-title + table tbody tr").get_by_role(
        "link", name=re.compile(r"^Item analysis")).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Item analysis: {facts['title']}")
    expect(teacher.locator(".lead")).to_have_text(
        f"1 attempt · 1 student · each student's first attempt · class {class_name}")
    expect(teacher.locator("#glance-caption + thead + tbody tr")).to_have_count(8)
    items_url = teacher.url

    # --- the projector review: every question, the key revealed by a click, no student's name ---
    teacher.get_by_role("link", name="Go through the quiz on the projector").click()
    present_url = teacher.url
    for number in range(1, 9):
        expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Question {number} of 8")
        expect(teacher.get_by_role("img", name=f"How the class answered question {number}")).to_be_visible()
        expect(teacher.get_by_text("Right answer")).to_have_count(0)
        assert_no_student_named(teacher, STUDENT_NAME, student_username)
        teacher.get_by_role("link", name="Show the answer").click()
        expect(teacher.get_by_role("heading", name="Feedback")).to_be_visible()
        expect(teacher.locator("svg .bar-label").filter(has_text="✓ right")).not_to_have_count(0)
        expect(teacher.locator(".review-table .badge-correct").first).to_have_text("✓ Right answer")
        assert_no_student_named(teacher, STUDENT_NAME, student_username)
        if number < 8:
            teacher.get_by_role("link", name="Next question").click()
    revealed_url = teacher.url

    # --- axe-core on the gradebook, heat map, item analysis and review, light and dark ---
    class_id = class_url.rstrip("/").rsplit("/", 1)[1]
    pages = [(f"/classes/{class_id}/gradebook", "gradebook"), (f"/classes/{class_id}/mastery", "heat map"),
             (items_url, "item analysis"), (present_url, "projector review"),
             (revealed_url, "projector review, key revealed")]
    for scheme in ("light", "dark"):
        page = teacher if scheme == "light" else new_context(color_scheme="dark").new_page()
        if scheme == "dark":
            log_in(page, teacher_username)
        for url, what in pages:
            page.goto(url)
            assert_no_axe_violations(page, f"the {what} ({scheme})")
