"""Content slides are rendered once per process, content revision and interface language
(app/views/fragments.py): what a student sees must be exactly what an uncached render gives, an
edit must show at once on every app process, and nothing personal may enter a shared fragment."""

import itertools
import re

import pytest
from jinja2 import DictLoader, UndefinedError
from markupsafe import Markup

from app.services import accounts
from app.views.fragments import _HOLE, FragmentCache, ShellChrome, fill
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
    # the same but for the form tokens' time stamps (a second may have passed)
    assert TOKEN.sub("", first.text) == TOKEN.sub("", second.text) == TOKEN.sub("", uncached.text)
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


# --- whole pages kept with holes for the personal values (render_page / kept_page) ---------------

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def logged_in_as(app, display_name: str, role: str = "student"):
    name = f"kept{next(_kept_names)}"
    with app.app_context():
        accounts.register(name, display_name, PASSWORD, role)
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    return client


_kept_names = itertools.count()


def comparable(page: str) -> list[str]:
    """A page's lines without the form tokens' values (their time stamps) and blank lines."""
    return [line for line in TOKEN.sub("", page).splitlines() if line.strip()]


def page_keys(app) -> list[tuple]:
    return [key for key in cache(app)._items if key[0] == "page"]


def test_a_kept_page_is_what_a_full_render_gives_for_each_user(content_app):
    """The full render (a waiting flash message makes one) and the kept page differ only by the message."""
    first = logged_in_as(content_app, "Ann <b>&amp; \"Bob\"</b> 'Öz' \ue000")
    first.get(SLIDE)  # kept now
    assert page_keys(content_app)
    second = logged_in_as(content_app, "Zoë ⟨Ω⟩")
    for client, name in ((first, "Ann &lt;b&gt;&amp;amp; &#34;Bob&#34;&lt;/b&gt; &#39;Öz&#39; \ue000"),
                         (second, "Zoë ⟨Ω⟩")):
        kept = client.get(SLIDE).get_data(as_text=True)
        with client.session_transaction() as session:
            session["_flashes"] = [("info", "A message")]
        full = client.get(SLIDE).get_data(as_text=True)
        assert '<div class="notice notice-info" role="status">A message</div>' in full
        full = full.replace('<div class="notice notice-info" role="status">A message</div>', "")
        assert f'<span class="user-name">{name}</span>' in kept
        assert comparable(kept) == comparable(full)
        # the form tokens are this user's own: the language form posted with it is accepted
        token = TOKEN.search(kept).group(1)
        assert client.post("/language", data={"csrf_token": token, "language": "nl", "next": SLIDE}).status_code == 303
        assert "Dia 1 van 2" in client.get(SLIDE).get_data(as_text=True)
    assert "Zoë" not in first.get(SLIDE).get_data(as_text=True)


def test_a_kept_page_is_kept_per_role_and_language_and_not_per_address(content_app):
    student = logged_in_as(content_app, "Student")
    teacher = logged_in_as(content_app, "Teacher", "teacher")
    for _ in range(2):
        assert 'href="/teach/"' not in student.get(SLIDE).get_data(as_text=True)
        assert 'href="/teach/"' in teacher.get(SLIDE).get_data(as_text=True)
    keys = len(page_keys(content_app))
    for query in ("a=1", "b=%3Cscript%3E", "next=%22%3E"):
        page = student.get(f"{SLIDE}?{query}").get_data(as_text=True)
        assert f'name="next" value="/lessons/demo-l1/slides/1?{query}"' in page
    assert len(page_keys(content_app)) == keys  # the address only fills a hole


def test_a_page_with_holes_cannot_reach_personal_values_outside_chrome(content_app):
    # the shell is rendered in the fragments' environment: no request, user or token
    with content_app.test_request_context("/"):
        env = cache(content_app).env
        template = env.from_string('{% extends "base.html" %}{% block content %}{{ current_user.id }}{% endblock %}')
        with pytest.raises(UndefinedError):
            template.render(chrome=ShellChrome("learn.slide", True, False))


def test_the_holes_are_filled_escaped_and_only_with_known_names(content_app):
    with content_app.test_request_context("/lessons/x/slides/1", query_string='q="><b>'):
        shell = ShellChrome("learn.slide", False, False)
        rendered = cache(content_app).env.from_string(
            '<input value="{{ chrome.next_path }}"><p>{{ chrome.csrf_token|length > 0 }}</p>').render(chrome=shell)
        parts = _HOLE.split(rendered)
        assert parts[1::2] == ["next_path"]
        assert fill(parts) == '<input value="/lessons/x/slides/1?q=&#34;&gt;&lt;b&gt;"><p>True</p>'
