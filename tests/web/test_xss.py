"""Cross-site scripting: every payload of `xss_payloads.py` through every field a content file or
a user can fill, and every page rendered; an HTML parser finds no element, attribute or URL that
could run script, and no template engine evaluated `{{7*191}}`.

A throwaway content tree holds one course per payload: the payload is the course title and
description, lesson title, goal text, slide heading, body and notes, glossary term, definition
and English gloss, question stem, rationale, source, options and feedback. A teacher reads every
page (speaker notes and keys included); a student answers the checkpoint and the final quiz, so
the feedback pages render too. Users write payloads as display name, username, answers, language
filter and `next`.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.extensions import db
from app.models import Lesson
from app.services import accounts

from ..conftest import PASSWORD, make_app, new_user
from ..support import csrf_token, login
from .helpers import QUESTION_SLIDE
from .xss_payloads import EVALUATED, PAYLOADS, TEMPLATE_INJECTIONS

# what the templates themselves put on pages: files of this site's /static/ folder; anything
# else of these kinds is injected
OWN_FILES = "/static/"
OWN_LINK_RELS = {"stylesheet", "icon"}
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math",
                  "template", "xmp", "plaintext", "isindex", "style", "noscript", "meta", "link", "form",
                  "animate", "set", "foreignobject", "use", "maction", "marquee", "video", "audio", "source"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
                  "srcset", "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "usemap", "manifest", "ping"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


def url_scheme(value: str) -> str:
    # browsers drop leading control characters and spaces and every tab and newline before reading
    # the scheme (entities are already decoded by the parser; %-escapes are never decoded there)
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


class ScriptFinder(HTMLParser):
    """Collects every element, attribute and URL of a page that could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.own_tags = {"script": 0, "link": 0, "meta": 0}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if not self._is_own(tag, attributes) and tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag} {attributes}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in ("srcdoc", "style") and value or name in URL_ATTRIBUTES and url_scheme(value) not in SAFE_SCHEMES:
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def _is_own(self, tag: str, attributes: dict) -> bool:
        if tag == "script":
            return (attributes.get("src") or "").startswith(OWN_FILES) and set(attributes) <= {"src", "defer", "type"}
        if tag == "link":
            return attributes.get("rel") in OWN_LINK_RELS and (attributes.get("href") or "").startswith(OWN_FILES)
        if tag == "meta":
            return set(attributes) in ({"charset"}, {"name", "content"}) and attributes.get("name") in (None, "viewport")
        if tag == "form":  # no action: the form posts back to its own page
            action = attributes.get("action", "/")
            return action.startswith("/") and not action.startswith("//")
        return False


def scriptable_parts(page: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(page)
    finder.close()
    return finder.problems


def test_the_checker_finds_what_it_must():
    assert scriptable_parts('<p>x</p><script src="/static/js/lesmark.js" defer></script>') == []
    for bad in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href=" jav&#x09;ascript:x">',
                "<svg><a>", '<iframe srcdoc="x">', '<a href="data:text/html,x">', '<form action="//evil.example">'):
        assert scriptable_parts(bad), bad


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def course_files(i: int, payload: str) -> dict[str, str]:
    course, lesson, q = f"xss-c{i}", f"xss-l{i}", f"xss-l{i}-q0"
    y = yaml_string(payload)
    # "[[x]]" is a glossary link (to an unknown term: a content error) and a glossary line that
    # starts with a comment is skipped: those two payloads go everywhere else
    body = payload.replace("[[", "[ [")
    comment = payload.startswith("<!--")
    term_entry = "" if comment else f"\n{payload}\n: definition {i}\n"
    return {
        f"lessons/x{i:03d}/course.md": f"---\nid: {course}\ntitle: {y}\nlanguage: nl\nlevel: {y}\n"
                                       f"description: {y}\n---\n",
        f"lessons/x{i:03d}/glossary.md": f"---\ncourse: {course}\n---\n\nterm{i}\n: {payload} {i}\n: en: {payload} {i}\n"
                                         + term_entry,
        f"lessons/x{i:03d}/01-les.md": (
            f"---\nid: {lesson}\ncourse: {course}\ntitle: {y}\nlanguage: nl\nminutes: 5\ngoals:\n"
            f"  - id: {lesson}-g1\n    text: {y}\n---\n\n# {body}\n\n{body}\n\n"
            f"Zie [[term{i}]] en [[{i} {body[:20]}|term{i}]].\n\nNotes:\n{body}\n\n---\n\n"
            f"Checkpoint: {q}1\n\n---\n\n## Einde\n\n- {body}\n"),
        f"quizzes/x{i:03d}/01-les.md": (
            f"---\nlesson: {lesson}\nfinal: [{q}1, {q}2]\n---\n\n"
            f"## {q}1\ntype: single\ngoals: {lesson}-g1\nsource: {payload}\nrationale: {payload}\n\n"
            f"{body}\n\n- [x] {body}\n  > {body}\n- [ ] Fout antwoord {i}\n  > {body}\n\n"
            f"## {q}2\ntype: multiple\ngoals: {lesson}-g1\n\nVraag {i}: {body}\n\n"
            f"- [x] Ja {i} {body}\n  > {body}\n- [x] Ook {i}\n  > Goed {i}\n- [ ] Nee {i}\n  > {body}\n"),
    }


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss-content")
    for i, payload in enumerate(PAYLOADS):
        for path, content in course_files(i, payload).items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(content, encoding="utf-8")
    app = make_app(tmp_path_factory, None, CONTENT_ROOT=root)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not a real password"))


def check(page: str, where: str, problems: list[str]) -> None:
    problems += [f"{where}: {part}" for part in scriptable_parts(page)]
    if EVALUATED in page:
        problems.append(f"{where}: a template expression was evaluated ({EVALUATED} on the page)")


def get(client, path: str, where: str, problems: list[str]) -> str:
    response = client.get(path)
    if response.status_code != 200:
        problems.append(f"{where}: GET {path} answered {response.status_code}")
    page = response.get_data(as_text=True)
    check(page, f"{where} {path}", problems)
    return page


def test_every_payload_loaded_into_every_content_field(xss_app):
    with xss_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lesson)) == len(PAYLOADS)


def test_no_content_payload_can_run_script_on_any_page(xss_app):
    teacher = xss_app.test_client()
    student = xss_app.test_client()
    _tid, teacher_name = new_user(xss_app, "teacher")
    _sid, student_name = new_user(xss_app, "student")
    assert login(teacher, teacher_name, PASSWORD).status_code == 303
    assert login(student, student_name, PASSWORD).status_code == 303
    problems: list[str] = []
    get(teacher, "/", "catalogue", problems)
    for i, payload in enumerate(PAYLOADS):
        where = f"payload {i} {payload[:40]!r}"
        course, lesson = f"xss-c{i}", f"/lessons/xss-l{i}"
        # the handout with notes and keys holds every slide and question of the lesson
        for path in (f"/courses/{course}/", f"/courses/{course}/glossary", f"{lesson}/",
                     f"{lesson}/slides/1", f"{lesson}/slides/3", f"{lesson}/handout?notes=1"):
            get(teacher, path, where, problems)
        # the student answers the checkpoint and hands in the final quiz: feedback pages
        page = get(student, f"{lesson}/slides/2", where, problems)
        version = re.search(r'name="version" value="([^"]*)"', page).group(1)
        answered = student.post(f"{lesson}/slides/2/answer", data={
            "csrf_token": csrf_token(student, "/"), "version": version, "option": ["0", "1"][: 1]})
        check(answered.get_data(as_text=True), f"{where} answer", problems)
        get(student, f"{lesson}/slides/2", where, problems)
        get(student, f"{lesson}/quiz", where, problems)
        started = student.post(f"{lesson}/quiz/new", data={"csrf_token": csrf_token(student, "/")})
        attempt = urlsplit(started.headers["Location"]).path
        page = get(student, attempt, where, problems)
        fields = set(re.findall(r'<input\b[^>]*\btype="(?:radio|checkbox)"[^>]*\bname="([^"]+)"', page))
        answers = {name: "0" for name in fields - {"confirm_unanswered"}}
        submitted = student.post(attempt + "/submit", data={**answers, "confirm_unanswered": "1",
                                                             "csrf_token": csrf_token(student, "/")})
        assert submitted.status_code == 303, (where, submitted.status_code)
        get(student, attempt, where, problems)
    get(student, "/progress", "progress", problems)
    get(student, "/?language=nl", "catalogue", problems)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_template_expressions_in_content_are_shown_as_written(xss_app):
    client = xss_app.test_client()
    for template in TEMPLATE_INJECTIONS:
        i = PAYLOADS.index(template)
        page = client.get(f"/courses/xss-c{i}/").get_data(as_text=True)
        assert template.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;") in page, template


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_written_by_a_user_can_run_script(app, client, payload):
    problems: list[str] = []
    # language filter and next: echoed into the page
    for path in ("/", "/login", "/register"):
        response = client.get(path, query_string={"language": payload, "next": payload})
        check(response.get_data(as_text=True), f"GET {path}", problems)
    # registration with the payload as username (refused: not a username) and as display name
    for username, display in ((payload[:40], "Someone"), (f"xss{abs(hash(payload)) % 10**8}", payload)):
        response = client.post("/register", data={
            "csrf_token": csrf_token(client, "/register"), "username": username, "display_name": display,
            "password": "tulp-fiets-zeven-regen", "confirm": "tulp-fiets-zeven-regen", "next": payload})
        check(response.get_data(as_text=True), "POST /register", problems)
        if response.status_code == 303:  # the display name was accepted: it shows on every page
            for path in ("/", "/progress", "/account/", f"/lessons/nl-l1/slides/{QUESTION_SLIDE}"):
                check(client.get(path).get_data(as_text=True), f"GET {path} as {display[:20]!r}", problems)
            token = csrf_token(client, f"/lessons/nl-l1/slides/{QUESTION_SLIDE}")
            response = client.post(f"/lessons/nl-l1/slides/{QUESTION_SLIDE}/answer",
                                   data={"csrf_token": token, "version": payload, "option": payload})
            assert response.status_code == 400
            check(response.get_data(as_text=True), "POST answer", problems)
            client.post("/logout", data={"csrf_token": token})
    assert not problems, "\n".join(problems)
