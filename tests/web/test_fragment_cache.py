"""Content slides are rendered once per process, content revision and interface language
(app/views/fragments.py): what a student sees must be exactly what an uncached render gives, an
edit must show at once on every app process, and nothing personal may enter a shared fragment."""

import pytest
from jinja2 import DictLoader, UndefinedError
from markupsafe import Markup

from app.views.fragments import FragmentCache
from tests.conftest import PASSWORD, close_app, make_app, new_user
from tests.support import login

from .helpers import sync

SLIDE = "/lessons/demo-l1/slides/1"  # a content slide with a glossary link


def logged_in(app):
    client = app.test_client()
    _user_id, name = new_user(app)
    assert login(client, name, PASSWORD).status_code == 303
    return client


def cache(app) -> FragmentCache:
    return app.extensions["lesmark_fragments"]


def test_a_kept_slide_is_the_page_an_uncached_render_gives(content_app):
    client = logged_in(content_app)
    first = client.get(SLIDE)
    hits, misses = cache(content_app).hits, cache(content_app).misses
    second = client.get(SLIDE)
    assert first.status_code == second.status_code == 200
    assert cache(content_app).misses == misses and cache(content_app).hits > hits  # all kept the second time
    cache(content_app).enabled = False
    try:
        uncached = client.get(SLIDE)
    finally:
        cache(content_app).enabled = True
    assert first.data == second.data == uncached.data
    page = second.get_data(as_text=True)
    assert "Les 1" in page and "Klanten behouden." in page  # the slide and its glossary definition


def test_an_edit_shows_at_once_on_another_process_sharing_the_database(content_app, tmp_path_factory):
    other = make_app(tmp_path_factory, content_app.config["SQLALCHEMY_DATABASE_URI"],
                     CONTENT_ROOT=content_app.content_root)  # a second app process on the same database
    try:
        client = logged_in(other)
        before = client.get(SLIDE).get_data(as_text=True)
        assert "Demo" in before and "Klanten behouden." in before
        root = content_app.content_root
        (root / "lessons/demo/course.md").write_text(
            "---\nid: demo\ntitle: Klantgericht werken\nlanguage: nl\n---\n", encoding="utf-8")
        (root / "lessons/demo/glossary.md").write_text(
            "---\ncourse: demo\n---\n\nretentie\n: Klanten aan je binden.\n: en: retention\n", encoding="utf-8")
        assert sync(content_app).exit_code == 0  # the edit is made through the first app
        after = client.get(SLIDE).get_data(as_text=True)
        assert "Klantgericht werken" in after and "Klanten aan je binden." in after
        assert "Klanten behouden." not in after
    finally:
        close_app(other)


def test_the_site_links_are_kept_per_role_and_page(content_app):
    student = logged_in(content_app)
    teacher = content_app.test_client()
    _user_id, name = new_user(content_app, "teacher")
    assert login(teacher, name, PASSWORD).status_code == 303
    for client, sees_teach in ((student, False), (teacher, True), (content_app.test_client(), False)):
        for _ in range(2):  # rendered, then kept
            page = client.get("/").get_data(as_text=True)
            assert ('href="/teach/"' in page) is sees_teach
            assert '<a href="/" aria-current="page">' in page
        assert '<a href="/" aria-current="page">' not in client.get("/courses/demo/glossary").get_data(as_text=True)
    assert 'href="/progress"' not in content_app.test_client().get("/").get_data(as_text=True)


def test_each_interface_language_gets_its_own_fragment(content_app):
    client = logged_in(content_app)
    english = client.get(SLIDE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    dutch_client = logged_in(content_app)
    dutch = dutch_client.get(SLIDE, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Slide 1 of 2" in english and "Open in the glossary" in english
    assert "Dia 1 van 2" in dutch and "Slide 1 of 2" not in dutch


@pytest.mark.parametrize("source", [
    "{{ current_user.display_name }}", "{{ csrf_token() }}", "{{ session }}", "{{ request.path }}",
    "{{ g }}", "{{ config.SECRET_KEY }}", "{{ get_flashed_messages() }}"])
def test_a_shared_fragment_cannot_reach_personal_values(content_app, source):
    with content_app.test_request_context("/"):
        template = cache(content_app).env.from_string(source)
        with pytest.raises(UndefinedError):
            template.render()


def test_the_kept_fragments_are_bounded_and_the_latest_used_stay(content_app):
    bounded = FragmentCache(content_app, max_items=3)
    bounded.env.loader = DictLoader({"n.html": "<p>{{ n }}</p>"})
    with content_app.test_request_context("/"):
        for n in range(5):
            bounded.render("n.html", (n,), n=n)
        assert bounded.render("n.html", (2,), n=2) == Markup("<p>2</p>")  # still kept: a hit
        bounded.render("n.html", (5,), n=5)
    assert len(bounded._items) == 3
    assert sorted(key[-1] for key in bounded._items) == [2, 4, 5]
    assert bounded.hits == 1 and bounded.misses == 6
