"""Course catalogue grouped by language with a filter, glossary pages, the printable handout."""

from tests.conftest import PASSWORD, new_user

from ..support import login
from .helpers import LESSON


def test_the_catalogue_groups_courses_by_language_with_totals(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for heading in ("Courses in Dutch", "Courses in Hungarian", "Courses in Finnish"):
        assert heading in page
    assert "3 lessons · 120 minutes · 11 learning goals" in page  # nl: 45 + 35 + 40 minutes, 5 + 3 + 3 goals
    assert '<h3 lang="hu">' in page and '<h3 lang="fi">' in page


def test_the_catalogue_filters_by_language_and_ignores_unknown_filters(client):
    page = client.get("/?language=hu").get_data(as_text=True)
    assert "Ügyfélkapcsolati menedzsment" in page and "Klantrelaties en service" not in page
    assert '<option value="hu" selected>' in page
    everything = client.get("/?language=<script>").get_data(as_text=True)
    assert "Klantrelaties en service" in everything and "<script>" not in everything


def test_every_lesson_links_to_its_course_glossary(app, client, student):
    for slug, course in (("nl-l1", "nl-klantrelaties"), ("hu-l1", "hu-ugyfelkapcsolat"), ("fi-l1", "fi-jalkimarkkinointi")):
        page = client.get(f"/lessons/{slug}/").get_data(as_text=True)
        assert f'href="/courses/{course}/glossary"' in page
        glossary = client.get(f"/courses/{course}/glossary")
        assert glossary.status_code == 200 and 'class="glossary-entry"' in glossary.get_data(as_text=True)


def test_the_handout_shows_every_slide_without_notes_or_keys_for_students(app, client, student):
    response = client.get(f"/lessons/{LESSON}/handout", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # nl-l1: the brief's 15 content slides, two of them split in two to make room for a figure (17),
    # and 4 checkpoints of 5 + 3 + 8 + 4 questions: 17 + 20 = 37
    assert page.count('<li class="handout-slide"') == 37
    assert "Slide 37 of 37" in page and "Slide 38 of" not in page
    assert page.count(" · Checkpoint ") == 20
    assert "Speaker notes" not in page and "✓" not in page
    assert client.get(f"/lessons/{LESSON}/handout?notes=1").status_code == 403


def test_teachers_can_print_the_handout_with_speaker_notes_and_key(app, client):
    _uid, name = new_user(app, role="teacher")
    login(client, name, PASSWORD)
    page = client.get(f"/lessons/{LESSON}/handout?notes=1").get_data(as_text=True)
    assert "Speaker notes" in page and 'class="speaker-notes"' in page and "Right answer" in page


def test_the_handout_needs_a_login_and_an_existing_lesson(client, student):
    assert client.get("/lessons/nope/handout").status_code == 404
