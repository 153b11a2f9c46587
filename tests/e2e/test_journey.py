"""A student's whole path in real headless Chromium: register, slides by keyboard, a checkpoint,
the final quiz, progress; axe-core on every kind of page; no-JavaScript use; small screens."""

from __future__ import annotations

import itertools
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptSlot, Course, Lesson, Question, QuestionVersion, Screen
from app.services import accounts

from ..conftest import PASSWORD

pytestmark = pytest.mark.e2e

LESSON = "nl-l1"
_names = itertools.count(1)
axe = Axe()


# --- facts from the database: the test knows the answer keys, the browser never sees them ---

def lesson_facts(app, slug: str = LESSON) -> dict:
    """Slide count, lesson title, lesson count of its course, and each question screen's key."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
        rows = db.session.execute(
            select(Screen.position, QuestionVersion)
            .join(Question, Question.id == Screen.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Screen.lesson_id == lesson.id, Screen.kind == "question").order_by(Screen.position)).all()
        course_lessons = db.session.scalar(select(func.count()).select_from(Lesson).where(
            Lesson.course_id == lesson.course_id, Lesson.retired.is_(False)))
        course_title = db.session.get(Course, lesson.course_id).title
        return {"total": lesson.screen_count, "title": lesson.title, "course_title": course_title,
                "course_lessons": course_lessons,
                "questions": {position: key(version) for position, version in rows}}


def key(version: QuestionVersion) -> dict:
    return {"type": version.type, "count": len(version.options), "html": [o["html"] for o in version.options],
            "correct": sorted(i for i, option in enumerate(version.options) if option["correct"])}


def as_shown(page: Page, answer: dict) -> dict:
    """The key in the positions this page shows (options are shuffled per student), read from the page."""
    shown = page.locator(".options .option-text").evaluate_all("els => els.map(e => e.innerHTML.trim())")
    order = [answer["html"].index(html) for html in shown]
    return {**answer, "correct": sorted(order.index(i) for i in answer["correct"])}


def attempt_keys(app, attempt_id: int) -> dict[int, dict]:
    """Slot number -> the key in displayed positions, from the order stored with the attempt."""
    with app.app_context():
        slots = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id))
        return {s.number: {**key(s.version), "correct": sorted(s.option_order.index(i)
                                                               for i in s.version.correct_indexes)}
                for s in slots}


def create_student(app) -> str:
    username = f"e2e-student{next(_names)}"
    with app.app_context():
        accounts.register(username, f"E2E {username}", PASSWORD)
    return username


# --- browser helpers ---

def assert_no_axe_violations(page: Page, what: str) -> None:
    violations = axe.run(page).response["violations"]
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:3])
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"  - {v['id']} [{v['impact']}]: {v['help']} -> {targets}{more}")
    assert not violations, f"axe: {len(violations)} violation(s) on {what} ({page.url}):\n" + "\n".join(lines)


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def expect_slide(page: Page, base_url: str, n: int, total: int) -> None:
    expect(page).to_have_url(f"{base_url}/lessons/{LESSON}/slides/{n}")
    expect(page.locator(".slide-counter p")).to_have_text(f"Slide {n} of {total}")
    expect(page.locator(".slide-counter progress")).to_have_attribute("value", str(n))


def press_and_wait(page: Page, key_name: str, base_url: str, n: int, total: int) -> None:
    page.keyboard.press(key_name)
    page.wait_for_url(f"{base_url}/lessons/{LESSON}/slides/{n}")
    expect_slide(page, base_url, n, total)


def answer_checkpoint_by_keyboard(page: Page, answer: dict) -> None:
    """Tab into the options, choose with arrows/Space, Tab to "Check answer", press Enter."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "option":
            break
    else:
        raise AssertionError("Tab never reached the answer options")
    expect(page.locator("#option-0")).to_be_focused()
    if answer["type"] == "multiple":  # every checkbox is a tab stop; Space ticks it
        for i in range(answer["count"]):
            if i:
                page.keyboard.press("Tab")
            expect(page.locator(f"#option-{i}")).to_be_focused()
            if i in answer["correct"]:
                page.keyboard.press("Space")
    else:  # one radio group is one tab stop; arrows move and select, Space selects the first
        (right,) = answer["correct"]
        if right == 0:
            page.keyboard.press("Space")
        for _ in range(right):
            page.keyboard.press("ArrowDown")
    for i in range(answer["count"]):
        locator = page.locator(f"#option-{i}")
        if i in answer["correct"]:
            expect(locator).to_be_checked()
        else:
            expect(locator).not_to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check answer")).to_be_focused()
    page.keyboard.press("Enter")


# --- tests ---

def test_a_student_registers_learns_by_keyboard_passes_the_quiz_and_sees_mastery(e2e_app, base_url, new_context):
    facts = lesson_facts(e2e_app)
    total = facts["total"]
    first_q = min(facts["questions"])
    assert first_q > 3, "the journey expects a few content slides before the first checkpoint"
    page = new_context().new_page()

    # Register through the form.
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert_no_axe_violations(page, "the registration form")
    page.get_by_label("Your name").fill("Sanne de Vries")
    page.get_by_label("Username").fill("sanne.journey")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator(".notice-success")).to_have_text("Welcome, Sanne de Vries! Your account is ready.")
    expect(page.locator(".user-name")).to_have_text("Sanne de Vries")

    # Lesson overview, then start.
    page.goto(f"/lessons/{LESSON}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(facts["title"])
    expect(page.locator(".goal-summary")).to_have_text(re.compile(r"^0 of \d+ learning goals mastered$"))
    assert_no_axe_violations(page, "the lesson overview")
    page.get_by_role("link", name="Start the lesson").click()
    expect_slide(page, base_url, 1, total)
    expect(page.locator("a[rel=prev]")).to_have_count(0)

    # Slides by keyboard: → forward, ← back.
    press_and_wait(page, "ArrowRight", base_url, 2, total)
    press_and_wait(page, "ArrowRight", base_url, 3, total)
    expect(page.locator(".slide-stage")).to_be_visible()
    expect(page.locator(".slide-stage")).to_have_attribute("lang", "nl")
    assert_no_axe_violations(page, "a content slide")
    press_and_wait(page, "ArrowLeft", base_url, 2, total)
    for n in range(3, first_q + 1):
        expect(page.get_by_role("button", name="Check answer")).to_have_count(0)
        press_and_wait(page, "ArrowRight", base_url, n, total)

    # The first checkpoint question: answered with the keyboard only.
    check = page.get_by_role("button", name="Check answer")
    expect(check).to_be_visible()
    expect(page.locator(".checkpoint-label")).to_contain_text("Checkpoint A · question 1 of")
    expect(page.locator(".option-feedback")).to_have_count(0)  # no feedback (or key) before answering
    assert_no_axe_violations(page, "an unanswered checkpoint question")
    answer = as_shown(page, facts["questions"][first_q])
    answer_checkpoint_by_keyboard(page, answer)
    expect(page).to_have_url(f"{base_url}/lessons/{LESSON}/slides/{first_q}#feedback")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Correct")
    expect(feedback.locator(".badge-correct")).to_be_visible()
    expect(feedback).to_be_focused()  # the script moves focus to the result
    expect(check).to_have_count(0)
    options = page.locator(".option-result")
    expect(options).to_have_count(answer["count"])
    for i in range(answer["count"]):
        option = options.nth(i)
        expect(option.locator(".option-feedback")).not_to_have_text("")
        if i in answer["correct"]:
            expect(option.locator(".option-mark")).to_have_text("Your answer")
            expect(option.locator(".badge-correct")).to_have_text(re.compile("Right answer"))
        else:
            expect(option.locator(".option-mark")).to_have_text("")
    assert_no_axe_violations(page, "an answered checkpoint question")
    # The keys still work after answering (focus is on the feedback, not on a form field).
    press_and_wait(page, "ArrowRight", base_url, first_q + 1, total)
    # The rest of checkpoint A, by keyboard too: a goal counts all its questions (unanswered ones as 0),
    # so mastering its first goal takes its checkpoint questions and its final-quiz questions.
    n = first_q + 1
    while n in facts["questions"]:
        answer_checkpoint_by_keyboard(page, as_shown(page, facts["questions"][n]))
        expect(page.locator("#feedback .badge-correct")).to_have_text(re.compile("Correct"))
        n += 1
        press_and_wait(page, "ArrowRight", base_url, n, total)

    # The final quiz: every question right.
    page.goto(f"/lessons/{LESSON}/quiz")
    assert_no_axe_violations(page, "the final quiz's front page")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Final quiz")
    names = page.locator(".quiz-form input[name^=q]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]")
    keys = attempt_keys(e2e_app, int(page.url.rsplit("/", 1)[1]))
    assert sorted(f"q{number}" for number in keys) == sorted(names) and keys
    expect(page.locator("fieldset.quiz-question")).to_have_count(len(keys))
    assert_no_axe_violations(page, "the final quiz form")
    for number, answer in keys.items():
        for i in answer["correct"]:
            page.locator(f"#q{number}-{i}").check()
    page.get_by_role("button", name="Hand in quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+#result$"))
    n = len(keys)
    expect(page.locator("[data-score]")).to_have_text(f"You scored {n} out of {n} (100%).")
    expect(page.locator(".review-item")).to_have_count(n)
    expect(page.locator(".review-head .badge-correct")).to_have_count(n)
    expect(page.locator(".review-head .badge-incorrect, .review-head .badge-partial")).to_have_count(0)
    right = sum(len(answer["correct"]) for answer in keys.values())
    right_markers = page.locator(".option-result .badge-correct")
    expect(right_markers).to_have_count(right)
    expect(right_markers.first).to_have_text(re.compile(r"Right answer"))
    expect(page.locator(".option-result.is-picked.is-correct")).to_have_count(right)
    expect(page.locator(".option-result.is-picked.is-wrong")).to_have_count(0)
    assert_no_axe_violations(page, "the quiz result")

    # Progress: the lesson is completed and at least one goal is mastered.
    page.get_by_role("link", name="See all my progress").click()
    expect(page).to_have_url(f"{base_url}/progress")
    section = page.locator("section.course-progress").filter(
        has=page.get_by_role("heading", level=2, name=facts["course_title"]))
    expect(section).to_contain_text(f"1 of {facts['course_lessons']} lessons completed")
    heading = section.locator("h3").filter(has_text=facts["title"])
    expect(heading.locator(".badge-mastered")).to_have_text(re.compile("Completed"))
    goals = section.locator(f"h3:has(a[href='/lessons/{LESSON}/']) + .goal-summary + .goal-list")
    mastered = goals.locator(".badge-mastered")
    expect(mastered.first).to_have_text(re.compile("Mastered"))
    count = mastered.count()
    expect(section.locator(f"h3:has(a[href='/lessons/{LESSON}/']) + .goal-summary")).to_have_text(
        re.compile(rf"^{count} of \d+ learning goals mastered$"))
    assert_no_axe_violations(page, "the progress page")


def test_the_site_works_without_javascript(e2e_app, new_context):
    facts = lesson_facts(e2e_app)
    first_q = min(facts["questions"])
    username = create_student(e2e_app)
    page = new_context(java_script_enabled=False).new_page()

    log_in(page, username)
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bjs\b"))  # the page's script did not run
    expect(page.get_by_role("button", name="Change")).to_be_visible()  # the no-JS language button

    page.goto(f"/lessons/{LESSON}/slides/1")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(rf"/lessons/{LESSON}/slides/2$"))
    expect(page.locator(".slide-counter p")).to_have_text(f"Slide 2 of {facts['total']}")
    page.get_by_role("link", name="Previous").click()
    expect(page).to_have_url(re.compile(rf"/lessons/{LESSON}/slides/1$"))

    # A checkpoint through the plain form: first handed in empty, then with a wrong answer.
    page.goto(f"/lessons/{LESSON}/slides/{first_q}")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose")
    answer = as_shown(page, facts["questions"][first_q])
    wrong = next(i for i in range(answer["count"]) if i not in answer["correct"])
    page.locator(f"label[for=option-{wrong}]").click()  # the whole label is the target
    expect(page.locator(f"#option-{wrong}")).to_be_checked()
    page.get_by_role("button", name="Check answer").click()
    expect(page).to_have_url(re.compile(rf"/lessons/{LESSON}/slides/{first_q}#feedback$"))
    # a wrong first try: the chosen option's feedback, a second try, and never the key yet
    expect(page.locator("#feedback .badge-incorrect")).to_have_text(re.compile("Not right yet"))
    first_try = page.locator(".option-result.is-picked")
    expect(first_try).to_have_count(1)
    expect(first_try.locator(".option-feedback")).not_to_have_text("")
    expect(page.locator(".badge-correct")).to_have_count(0)
    page.locator(f"label[for=option-{wrong}]").click()
    page.get_by_role("button", name="Check my second try").click()
    expect(page).to_have_url(re.compile(rf"/lessons/{LESSON}/slides/{first_q}#feedback$"))
    expect(page.locator("#feedback .badge-incorrect")).to_have_text(re.compile("Incorrect"))
    picked = page.locator(".option-result.is-picked")
    expect(picked).to_have_count(1)
    expect(picked.locator(".badge-incorrect")).to_have_text(re.compile("Wrong"))
    expect(picked.locator(".option-feedback")).not_to_have_text("")
    expect(page.locator(".option-result.is-correct .badge-correct")).to_have_count(len(answer["correct"]))


@pytest.mark.parametrize(("device", "viewport", "mobile"), [
    ("desktop", {"width": 1280, "height": 800}, False),
    ("mobile", {"width": 390, "height": 844}, True),
])
def test_slides_fit_desktop_and_mobile_screens(e2e_app, new_context, tmp_path, device, viewport, mobile):
    facts = lesson_facts(e2e_app)
    username = create_student(e2e_app)
    page = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
    log_in(page, username)
    # A short content slide, the longest content slide and a checkpoint question.
    content = next(n for n in range(2, facts["total"] + 1) if n not in facts["questions"])
    for n in sorted({content, longest_slide(e2e_app), min(facts["questions"])}):
        page.goto(f"/lessons/{LESSON}/slides/{n}")
        stage = page.locator(".slide-stage")
        expect(stage).to_be_visible()
        box = stage.bounding_box()
        assert box and box["width"] > 0.8 * viewport["width"] - 64 and box["height"] > 100
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        expect(page.locator(".slide-nav a[rel=next]")).to_be_visible()
        shot = tmp_path / f"slide-{n}-{device}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"slide {n} scrolls sideways on {device}: {widths}"


def longest_slide(app) -> int:
    """The content slide with the most text: the likeliest to overflow a phone screen."""
    with app.app_context():
        return db.session.scalar(
            select(Screen.position).join(Lesson, Lesson.id == Screen.lesson_id)
            .where(Lesson.slug == LESSON, Screen.kind == "content")
            .order_by(func.length(Screen.body_html).desc()).limit(1))


# Typed from the translators' catalogues: found on the page only if the compiled catalogue was used.
INTERFACE_WORDS = {"nl-NL": ("Mijn voortgang", "Uitloggen"), "hu-HU": ("Haladásom", "Kijelentkezés"),
                   "fi-FI": ("Edistymiseni", "Kirjaudu ulos")}


@pytest.mark.parametrize("locale", ["nl-NL", "hu-HU", "fi-FI"])
def test_pages_pass_axe_in_dark_mode_and_in_every_interface_language(e2e_app, new_context, locale):
    page = new_context(color_scheme="dark", locale=locale).new_page()
    my_progress, log_out = INTERFACE_WORDS[locale]
    page.goto("/login")  # the labels are translated: find the fields by id
    page.locator("#username").fill(create_student(e2e_app))
    page.locator("#password").fill(PASSWORD)
    page.locator("form button.button[type=submit]").click()
    expect(page.locator("form[action='/logout']")).to_be_visible()
    for path, what in (("/", "catalogue"), (f"/lessons/{LESSON}/", "lesson overview"),
                       (f"/lessons/{LESSON}/slides/3", "content slide"), ("/progress", "progress page"),
                       (f"/lessons/{LESSON}/handout", "handout"), ("/courses/hu-ugyfelkapcsolat/glossary", "glossary")):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == locale[:2]
        # the interface really speaks the language: not English text under a translated lang
        expect(page.locator("header nav").get_by_role("link", name=my_progress, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name=log_out, exact=True)).to_be_visible()
        assert page.get_by_text("My progress", exact=True).count() == 0
        assert_no_axe_violations(page, f"the {what} ({locale}, dark)")
