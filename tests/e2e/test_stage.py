"""The slide stage in real Chromium: every slide of one lesson per course keeps its controls on the
screen and never scrolls sideways, from a 320 px phone to a projector; full screen, swipes, focus,
the glossary in place, no JavaScript, and axe-core on slide and glossary pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_journey import as_shown, assert_no_axe_violations, create_student, lesson_facts, log_in

pytestmark = pytest.mark.e2e

ONE_LESSON_PER_COURSE = ("nl-l1", "hu-l1", "fi-l1")
SIZES = {"phone 320": (320, 640), "phone 390": (390, 844), "laptop 1280": (1280, 800),
         "laptop 1366": (1366, 768), "projector 1920": (1920, 1080),
         "laptop 1366 at 200 %": (683, 384)}  # zoomed in, the window is half as many CSS pixels
DESKTOP = ("laptop 1280", "laptop 1366", "projector 1920")
TERM_SLIDE = 3  # nl-l1 "Relatiemarketing": links the terms relatiemarketing and transactiemarketing

MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    controls: [...document.querySelectorAll('.slide-nav a[rel], .slide-counter p')].map(box),
    stage: box(document.querySelector('.slide-stage')),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, innerHeight: innerHeight,
    pageScrolls: document.documentElement.scrollHeight > innerHeight,
  };
}"""


def inside(box, width, height) -> bool:
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5


@pytest.mark.parametrize("lesson", ONE_LESSON_PER_COURSE)
def test_every_slide_keeps_its_controls_on_screen_and_never_scrolls_sideways(e2e_app, new_context, lesson):
    total = lesson_facts(e2e_app, lesson)["total"]
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_student(e2e_app))
    problems = []
    for n in range(1, total + 1):
        page.goto(f"/lessons/{lesson}/slides/{n}")
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            m = page.evaluate(MEASURE)
            if m["scrollWidth"] > m["innerWidth"]:
                problems.append(f"slide {n} at {size}: scrolls sideways ({m['scrollWidth']} > {width})")
            if len(m["controls"]) < 2 or not all(inside(box, width, height) for box in m["controls"]):
                problems.append(f"slide {n} at {size}: controls off screen {m['controls']}")
            # on laptops and projectors the whole stage is in view and the page itself does not scroll
            if size in DESKTOP and (not inside(m["stage"], width, height) or m["pageScrolls"]):
                problems.append(f"slide {n} at {size}: stage {m['stage']} not all in view")
    assert not problems, "\n".join(problems)


def test_the_stage_fills_a_projector_and_keeps_16_to_9(e2e_app, new_context):
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto("/lessons/nl-l1/slides/3")
    box = page.locator(".slide-stage").bounding_box()
    assert box["width"] > 0.7 * 1920, box  # the old fixed stage filled 60 %
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.02
    # text scales with the stage: larger on the projector than on a laptop
    projector_size = float(page.locator(".slide-stage").evaluate("e => getComputedStyle(e).fontSize")[:-2])
    page.set_viewport_size({"width": 1366, "height": 768})
    laptop_size = float(page.locator(".slide-stage").evaluate("e => getComputedStyle(e).fontSize")[:-2])
    assert projector_size > 1.3 * laptop_size >= 1.3 * 18


def test_full_screen_by_button_and_f_key_survives_moving_between_slides(e2e_app, base_url, new_context):
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto("/lessons/nl-l1/slides/3")
    page.get_by_role("button", name="Full screen").click()
    page.wait_for_function("document.fullscreenElement && document.fullscreenElement.matches('[data-deck]')")
    expect(page.get_by_role("button", name="Full screen")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/4")
    expect(page.locator(".slide-counter p")).to_have_text(re.compile(r"^Slide 4 of \d+$"))
    assert page.evaluate("document.fullscreenElement !== null")
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")
    page.keyboard.press("F")
    page.wait_for_function("document.fullscreenElement !== null")


def test_moving_to_a_slide_puts_focus_on_its_heading(e2e_app, base_url, new_context):
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto("/lessons/nl-l1/slides/2")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/3")
    expect(page.locator(".slide-body h2, .slide-body h1").first).to_be_focused()
    expect(page.locator(".slide-body h2, .slide-body h1").first).to_have_text("Relatiemarketing")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/2")
    expect(page.locator(".slide-counter p")).to_have_text(re.compile(r"^Slide 2 of"))


def touch_swipe(page: Page, from_x: int, to_x: int, y: int) -> None:
    """A real finger swipe through the DevTools protocol (touch events become pointer events)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": from_x, "y": y}]})
    for step in range(1, 6):
        x = from_x + (to_x - from_x) * step / 5
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_phone_swipes_between_slides_and_shows_no_keyboard_tip(e2e_app, base_url, new_context):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    log_in(page, create_student(e2e_app))
    page.goto("/lessons/nl-l1/slides/3")
    expect(page.locator(".keyboard-keys")).to_be_hidden()
    stage = page.locator(".slide-stage").bounding_box()
    y = int(stage["y"] + 40)
    touch_swipe(page, 330, 60, y)  # finger to the left: the next slide
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/4")
    touch_swipe(page, 60, 330, y)  # to the right: back
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/3")


def test_a_glossary_term_opens_in_place_and_esc_closes_it(e2e_app, base_url, new_context):
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto(f"/lessons/nl-l1/slides/{TERM_SLIDE}")
    term = page.locator("a.glossary-term", has_text="transactiemarketing")
    expect(page.locator(".keyboard-keys")).to_be_visible()  # a laptop has arrow keys
    term.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("transactiemarketing")
    expect(dialog).to_contain_text("afzonderlijke verkoop")
    expect(dialog.locator("h2")).to_be_focused()
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/{TERM_SLIDE}")  # still on the slide
    assert_no_axe_violations(page, "a slide with a glossary definition open")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(term).to_be_focused()
    assert_no_axe_violations(page, "a content slide")
    # an anchor with letters beyond ASCII ("term-contact-center-kapcsolatközpont") opens in place too
    page.goto("/lessons/hu-l1/slides/3")
    page.locator("a.glossary-term", has_text="contact center").click()
    expect(dialog.locator("h2")).to_have_text("contact center (kapcsolatközpont)")
    expect(page).to_have_url(f"{base_url}/lessons/hu-l1/slides/3")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_without_javascript_slides_and_glossary_are_plain_linked_pages(e2e_app, base_url, new_context):
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto(f"/lessons/nl-l1/slides/{TERM_SLIDE}")
    expect(page.get_by_role("button", name="Full screen")).to_be_hidden()
    expect(page.locator(".keyboard-keys")).to_be_hidden()  # no keys without the script
    page.locator("a.glossary-term", has_text="transactiemarketing").click()
    expect(page).to_have_url(re.compile(r"/courses/nl-klantrelaties/glossary\?lesson=nl-l1&slide=3#term-transactiemarketing$"))
    expect(page.locator("#term-transactiemarketing")).to_be_visible()
    page.get_by_role("link", name=f"Back to slide {TERM_SLIDE}").click()
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/{TERM_SLIDE}")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{base_url}/lessons/nl-l1/slides/{TERM_SLIDE + 1}")
    page.goto("/lessons/nl-l1/handout")
    expect(page.locator("[data-print]")).to_be_hidden()  # printing needs the script


def test_the_handout_print_button_appears_with_javascript(e2e_app, new_context):
    page = new_context().new_page()
    log_in(page, create_student(e2e_app))
    page.goto("/lessons/nl-l1/handout")
    expect(page.get_by_role("button", name="Print")).to_be_visible()


@pytest.mark.parametrize(("size", "scheme"), [("phone 390", "light"), ("laptop 1366", "dark"), ("projector 1920", "light")])
def test_slide_question_and_glossary_pages_pass_axe_and_are_photographed(e2e_app, new_context, tmp_path, size, scheme):
    facts = lesson_facts(e2e_app)
    width, height = SIZES[size]
    mobile = size.startswith("phone")
    page = new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                       is_mobile=mobile, has_touch=mobile).new_page()
    log_in(page, create_student(e2e_app))
    question = min(facts["questions"])
    for path in (f"/lessons/nl-l1/slides/{TERM_SLIDE}", f"/lessons/nl-l1/slides/{question}",
                 "/courses/hu-ugyfelkapcsolat/glossary?lesson=hu-l1&slide=3"):
        page.goto(path)
        assert_no_axe_violations(page, f"{path} at {size} ({scheme})")
        page.screenshot(path=tmp_path / f"{path.strip('/').replace('/', '_').split('?')[0]}-{size.replace(' ', '')}.png")
    # answered wrong twice (options are shuffled per student: the wrong one is read from the page):
    # the first try's feedback without the key, then the result, the right answer and the feedback
    page.goto(f"/lessons/nl-l1/slides/{question}")
    answer = as_shown(page, facts["questions"][question])
    wrong = next(i for i in range(answer["count"]) if i not in answer["correct"])
    page.locator(f"label[for=option-{wrong}]").click()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#feedback")).to_be_focused()
    expect(page.locator("[data-announcer]")).to_contain_text("Not right yet")
    assert_no_axe_violations(page, f"a checkpoint after a wrong first try at {size} ({scheme})")
    page.locator(f"label[for=option-{wrong}]").click()
    page.get_by_role("button", name="Check my second try").click()
    expect(page.locator("#feedback")).to_be_focused()
    expect(page.locator("[data-announcer]")).to_contain_text(re.compile("Right answers?:"))
    assert_no_axe_violations(page, f"an answered checkpoint at {size} ({scheme})")
    page.screenshot(path=tmp_path / f"answered-{size.replace(' ', '')}.png")


def test_the_focused_result_shows_its_ring_to_keyboard_users_only(e2e_app, new_context):
    facts = lesson_facts(e2e_app)
    first, second = sorted(facts["questions"])[:2]
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_student(e2e_app))
    outline = "e => getComputedStyle(e).outlineStyle"
    # by mouse: focus moves to the result (for screen readers) without a ring
    page.goto(f"/lessons/nl-l1/slides/{first}")
    page.locator("label[for=option-0]").click()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#feedback")).to_be_focused()
    assert page.locator("#feedback").evaluate(outline) == "none"
    # by keyboard: the same result shows where focus went
    page.goto(f"/lessons/nl-l1/slides/{second}")
    page.locator("#option-0").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_be_focused()
    assert page.locator("#feedback").evaluate(outline) == "solid"


def test_lesson_overview_and_glossary_reflow_at_320_px(e2e_app, new_context):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    log_in(page, create_student(e2e_app))
    for path in ("/lessons/nl-l1/", "/courses/hu-ugyfelkapcsolat/glossary?lesson=hu-l1&slide=3"):
        page.goto(path)
        if path.startswith("/lessons/"):
            page.get_by_text("All slides", exact=True).click()  # the slide list open too
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.outerHTML.slice(0, 80))""")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at 320 px: {widths} {wide[:3]}"


FOCUS_AND_CONTROLS = """() => {
  const focused = document.activeElement.getBoundingClientRect();
  const nav = document.querySelector('.slide-nav').getBoundingClientRect();
  return {name: document.activeElement.outerHTML.slice(0, 80), bottom: focused.bottom,
          inControls: !!document.activeElement.closest('.slide-nav'),
          navTop: nav.top, sticky: getComputedStyle(document.querySelector('.slide-nav')).position === 'sticky'};
}"""


@pytest.mark.parametrize("size", ["phone 320", "phone 390", "laptop 1366 at 200 %"])
def test_keyboard_focus_is_never_hidden_behind_the_slide_controls(e2e_app, new_context, size):
    """WCAG 2.2 (2.4.11): on a phone the slide controls stick to the bottom of the screen; tabbing
    through a question must scroll each option and button fully above them, not under them."""
    facts = lesson_facts(e2e_app)
    width, height = SIZES[size]
    page = new_context(viewport={"width": width, "height": height}).new_page()
    log_in(page, create_student(e2e_app))
    page.goto(f"/lessons/nl-l1/slides/{min(facts['questions'])}")
    options = page.locator(".options input")
    # a single answer's options are one radio group (arrow keys move within it), several answers' are
    # checkboxes (Tab moves from one to the next); then Tab on to the button and the slide controls
    step = "ArrowDown" if options.first.get_attribute("type") == "radio" else "Tab"
    keys = [step] * (options.count() - 1) + ["Tab"] * 6
    options.first.focus()
    page.evaluate("() => window.scrollTo(0, 0)")
    hidden = []
    for key in keys:
        page.keyboard.press(key)
        m = page.evaluate(FOCUS_AND_CONTROLS)
        assert m["sticky"], f"the slide controls are not sticky at {size}"
        if m["inControls"]:
            break
        if m["bottom"] > m["navTop"] + 0.5:
            hidden.append(f"{m['name']} ends at {m['bottom']:.0f}, controls start at {m['navTop']:.0f}")
    assert not hidden, f"at {size}: " + "; ".join(hidden)
