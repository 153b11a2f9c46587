"""The access-token part of the account page in real Chromium: axe-core finds no violation with a
token listed and with a new token shown once (light and dark), and the new token can be read at
320 px without widening the page."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from .test_journey import PASSWORD, assert_no_axe_violations, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def token_owner(e2e_app) -> str:
    from app.services import accounts, tokens

    with e2e_app.app_context():
        user = accounts.register(f"e2e-tokens-{datetime.now():%H%M%S%f}", "E2E Tokens", PASSWORD, "teacher")
        tokens.create(user.id, "Old export", ["read", "gradebook"], 30)
        return user.username


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_token_section_has_no_axe_violations(new_context, token_owner, scheme):
    page = new_context(color_scheme=scheme).new_page()
    log_in(page, token_owner)
    page.goto("/account/")
    expect(page.get_by_role("button", name="Revoke token Old export")).to_be_visible()
    assert_no_axe_violations(page, f"account page with a token ({scheme})")
    page.get_by_label("Name of the token").fill("LMS sync")
    page.get_by_label("Read courses, lessons, your progress and your quiz results").check()
    page.get_by_role("button", name="Make token", exact=True).click()
    expect(page.get_by_label("Your new token. Copy it now: it is shown only this once.")).to_have_value(
        re.compile(r"^lm_[0-9a-f]{8}_"))
    assert_no_axe_violations(page, f"account page with a new token ({scheme})")


def test_a_new_token_fits_a_320_px_screen(new_context, token_owner):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    log_in(page, token_owner)
    page.goto("/account/")
    page.get_by_label("Name of the token").fill("Phone")
    page.get_by_label("Read courses, lessons, your progress and your quiz results").check()
    page.get_by_role("button", name="Make token", exact=True).click()
    expect(page.locator("#new-token")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
