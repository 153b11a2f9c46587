"""Presenting in class, in real Chromium: the presenter view drives an audience window on the same
computer (BroadcastChannel), the key appears on the projector only when the teacher reveals it, and
axe-core finds nothing to fix on either page."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from app.services import accounts

from ..conftest import PASSWORD
from .test_journey import assert_no_axe_violations, lesson_facts, log_in

pytestmark = pytest.mark.e2e

LESSON = "nl-l1"
_names = itertools.count(1)


def create_teacher(app) -> str:
    username = f"e2e-presenter{next(_names)}"
    with app.app_context():
        accounts.register(username, f"E2E {username}", PASSWORD, "teacher")
    return username


def test_the_presenter_drives_the_audience_window_and_reveals_the_key(e2e_app, base_url, new_context):
    facts = lesson_facts(e2e_app)
    question = min(facts["questions"])  # checkpoint A, question 1
    key = facts["questions"][question]
    context = new_context(viewport={"width": 1366, "height": 768})
    presenter = context.new_page()
    log_in(presenter, create_teacher(e2e_app))
    presenter.goto(f"/present/{LESSON}/{question - 2}")
    expect(presenter.locator(".presenter-notes")).to_contain_text("Speaker notes")
    expect(presenter.locator("[data-elapsed]")).to_have_text(re.compile(r"^\d+:\d\d$"))

    with context.expect_page() as opened:
        presenter.get_by_role("link", name="Open audience window").click()
    audience = opened.value
    audience.wait_for_load_state()
    expect(audience).to_have_url(f"{base_url}/present/{LESSON}/{question - 2}/audience")
    expect(audience.locator(".speaker-notes, .presenter-notes")).to_have_count(0)

    # → twice on the presenter: the audience window follows to the checkpoint question
    for n in (question - 1, question):
        presenter.keyboard.press("ArrowRight")
        expect(presenter.locator(".slide-counter p")).to_have_text(f"Slide {n} of {facts['total']}")
        expect(audience).to_have_url(f"{base_url}/present/{LESSON}/{n}/audience")
        expect(audience.locator(".slide-counter p")).to_have_text(f"Slide {n} of {facts['total']}")
    expect(presenter).to_have_url(f"{base_url}/present/{LESSON}/{question}")
    expect(presenter.locator("#slide-label")).to_be_focused()

    # the key: hidden on both screens until the teacher opens it, then shown on the projector too
    expect(audience.locator(".badge-correct")).to_have_count(0)
    expect(presenter.locator(".answer-key .badge-correct").first).to_be_hidden()
    presenter.get_by_text("Show the answer").click()
    expect(presenter.locator(".answer-key .badge-correct")).to_have_count(len(key["correct"]))
    expect(audience).to_have_url(f"{base_url}/present/{LESSON}/{question}/audience?key=1")
    marked = audience.locator(".present-options li.is-correct")
    expect(marked).to_have_count(len(key["correct"]))
    for index in key["correct"]:  # the options are shown in stored order on the projector
        expect(audience.locator(".present-options li").nth(index)).to_have_class(re.compile("is-correct"))

    # ← goes back on both
    presenter.keyboard.press("ArrowLeft")
    expect(audience).to_have_url(f"{base_url}/present/{LESSON}/{question - 1}/audience")

    assert_no_axe_violations(presenter, "the presenter view")
    assert_no_axe_violations(audience, "the audience window")


def test_without_javascript_presenter_and_audience_are_plain_linked_pages(e2e_app, base_url, new_context):
    page = new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, create_teacher(e2e_app))
    page.goto(f"/present/{LESSON}/3")
    expect(page.locator(".presenter-clock")).to_be_hidden()  # a clock needs the script
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{base_url}/present/{LESSON}/4")
    with page.context.expect_page() as opened:  # a named window (target), opened by the browser itself
        page.get_by_role("link", name="Open audience window").click()
    audience = opened.value
    audience.wait_for_load_state()
    expect(audience).to_have_url(f"{base_url}/present/{LESSON}/4/audience")
    expect(audience.locator(".slide-stage")).to_be_visible()


def test_students_get_403_from_the_presenter(e2e_app, new_context):
    from .test_journey import create_student

    page = new_context().new_page()
    log_in(page, create_student(e2e_app))
    response = page.goto(f"/present/{LESSON}/3")
    assert response.status == 403


def test_presenter_and_audience_reflow_at_320_px_and_pass_axe_in_dark_mode(e2e_app, new_context):
    page = new_context(viewport={"width": 320, "height": 640}, color_scheme="dark").new_page()
    log_in(page, create_teacher(e2e_app))
    for path in (f"/present/{LESSON}/6", f"/present/{LESSON}/3", f"/present/{LESSON}/6/audience"):
        page.goto(path)
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at 320 px: {widths}"
        assert_no_axe_violations(page, f"{path} at 320 px in dark mode")
