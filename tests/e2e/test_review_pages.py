"""Score review in real Chromium (issue 9 points 7, 8 and 12): axe-core finds no violation on the
item analysis, the projector review (key hidden and revealed) and the student's results, in light
and dark mode; on a 1920x1080 projector the chart and the reveal button fit on the first screen;
revealing works by following a link, without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User

from ..web.review_world import LESSON, five_students, make_student
from .test_journey import assert_no_axe_violations, log_in

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def review_world(e2e_app):
    ids, names, _versions = five_students(e2e_app)
    _teacher_id, teacher = make_student(e2e_app)
    with e2e_app.app_context():
        db.session.scalar(select(User).where(User.username == teacher)).role = "teacher"
        db.session.commit()
    return {"teacher": teacher, "student": names[0]}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_review_pages_have_no_axe_violations(new_context, review_world, scheme):
    page = new_context(color_scheme=scheme, viewport=PROJECTOR).new_page()
    log_in(page, review_world["teacher"])
    for url, what in [("/review/", "review index"),
                      (f"/review/lessons/{LESSON}/items", "item analysis"),
                      (f"/review/lessons/{LESSON}/items?attempts=all", "item analysis, all attempts"),
                      (f"/review/lessons/{LESSON}/present/1", "projector review"),
                      (f"/review/lessons/{LESSON}/present/3?reveal=1", "projector review, key revealed")]:
        page.goto(url)
        assert_no_axe_violations(page, f"{what} ({scheme})")
    student = new_context(color_scheme=scheme).new_page()
    log_in(student, review_world["student"])
    student.goto("/results")
    expect(student.get_by_role("heading", name="My results")).to_be_visible()
    assert_no_axe_violations(student, f"student results ({scheme})")


def test_the_projector_shows_chart_and_reveal_on_one_screen_and_reveals_without_javascript(new_context, review_world):
    page = new_context(viewport=PROJECTOR, java_script_enabled=False).new_page()
    log_in(page, review_world["teacher"])
    page.goto(f"/review/lessons/{LESSON}/present/3")
    chart = page.get_by_role("img", name="How the class answered question 3")
    reveal = page.get_by_role("link", name="Show the answer")
    for element in (chart, reveal):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PROJECTOR["height"], element
    assert chart.bounding_box()["width"] >= 600  # large enough to read from the back of the room
    expect(page.get_by_text("Right answer")).to_have_count(0)
    reveal.click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?reveal=1")
    expect(page.get_by_role("heading", name="Feedback")).to_be_visible()
    expect(page.locator("svg .bar-correct")).to_have_count(1)
