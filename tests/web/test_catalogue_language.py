"""The catalogue lists the courses in the reader's interface language first, and names languages
as each interface language writes them in a sentence."""

from __future__ import annotations

import re

import pytest

HEADINGS = re.compile(r'<h2 id="language-([a-z]+)">([^<]*)</h2>')


@pytest.mark.parametrize(("locale", "first", "heading"), [
    ("nl", "nl", "Cursussen in het Nederlands"),
    ("hu", "hu", "Kurzusok magyar nyelven"),
    ("fi", "fi", "Kurssit (suomi)"),
])
def test_courses_in_the_interface_language_come_first(sqlite_app, locale, first, heading):
    page = sqlite_app.test_client().get("/", headers={"Accept-Language": locale}).get_data(as_text=True)
    groups = HEADINGS.findall(page)
    assert [code for code, _ in groups][0] == first
    assert sorted(code for code, _ in groups) == ["fi", "hu", "nl"]
    assert groups[0][1] == heading


def test_an_english_reader_gets_the_courses_by_language_code(sqlite_app):
    page = sqlite_app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert [code for code, _ in HEADINGS.findall(page)] == ["fi", "hu", "nl"]
    assert "Courses in Finnish" in page


def test_a_lesson_of_one_minute_says_minute_not_minutes(sqlite_app):
    from flask_babel import ngettext

    with sqlite_app.test_request_context(headers={"Accept-Language": "nl"}):
        assert ngettext("About %(num)s minute", "About %(num)s minutes", 1) == "Ongeveer 1 minuut"
        assert ngettext("About %(num)s minute", "About %(num)s minutes", 25) == "Ongeveer 25 minuten"
