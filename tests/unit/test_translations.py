"""Interface translations (Flask-Babel): complete catalogues, an up-to-date messages.pot,
no unmarked text in the templates, and pages that come out in the reader's language.

When a check here fails after you added or changed an interface string:
`make i18n-update`, translate the new entries in app/translations/*/LC_MESSAGES/messages.po
(nl, hu, fi; en is filled in for you), then `make translations`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import ngettext, refresh
from jinja2 import Environment

from app.config import from_environment

from ..support import csrf_token

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
TEMPLATES = ROOT / "templates"
LANGUAGES = ("nl", "hu", "fi", "en")
NPLURALS = {"nl": 2, "hu": 2, "fi": 2, "en": 2}  # CLDR: one / other for all four
HINT = "run make i18n-update, translate the new entries, then make translations"

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load_po(path: Path, lang: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


def messages(catalog) -> dict:
    """(context, msgid) -> message, header left out; msgid is a tuple for plural messages."""
    return {(m.context, m.id): m for m in catalog if m.id}


def as_tuple(value) -> tuple[str, ...]:
    """msgid / msgstr as a tuple: one item, or one per plural form."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def stray_percent(text: str) -> bool:
    """A % that is neither a %(name)s placeholder nor a %% escape breaks %-formatting."""
    return "%" in PLACEHOLDER.sub("", text).replace("%%", "")


def shown(key) -> str:
    context, msgid = key
    text = " | ".join(msgid) if isinstance(msgid, tuple) else msgid
    return f"[{context}] {text}" if context else text


@pytest.fixture(scope="module")
def template():
    return messages(load_po(POT))


# --- a. every catalogue is complete, not fuzzy, and keeps the placeholders ---------------------

def test_there_is_a_catalogue_for_every_interface_language():
    configured = set(from_environment()["LANGUAGES"])
    assert configured == set(LANGUAGES)
    present = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert present == configured, f"catalogues {sorted(present)} != LANGUAGES {sorted(configured)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_and_keeps_placeholders(lang, template):
    catalog = load_po(po_path(lang), lang)
    assert catalog.locale is not None and str(catalog.locale) == lang
    assert not catalog.fuzzy, f"{lang}: the catalogue header is marked fuzzy (pybabel compile skips it)"
    assert catalog.num_plurals == NPLURALS[lang], f"{lang}: Plural-Forms says nplurals={catalog.num_plurals}"
    translated = messages(catalog)
    problems = []
    for key, source in template.items():
        message = translated.get(key)
        if message is None:
            problems.append(f"missing: {shown(key)}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {shown(key)}")
        texts = as_tuple(message.string)
        if source.pluralizable and len(texts) != catalog.num_plurals:
            problems.append(f"{len(texts)} plural forms instead of {catalog.num_plurals}: {shown(key)}")
        if not all(text.strip() for text in texts):
            problems.append(f"untranslated: {shown(key)}")
            continue
        wanted = set().union(*(placeholders(s) for s in as_tuple(source.id)))
        for text in texts:
            if placeholders(text) != wanted:
                problems.append(f"placeholders {sorted(placeholders(text))} != {sorted(wanted)}: {text!r}")
            if stray_percent(text) or text.count("%%") != as_tuple(source.id)[0].count("%%"):
                problems.append(f"a bare % or a lost %% escape: {text!r}")
    stale = [shown(key) for key in translated.keys() - template.keys()]
    problems += [f"not in messages.pot any more: {text}" for text in sorted(stale)]
    problems += [f"check: {message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    assert not problems, f"{po_path(lang).relative_to(ROOT)} ({HINT}):\n  " + "\n  ".join(problems)


def test_english_catalogue_is_the_identity():
    catalog = messages(load_po(po_path("en"), "en"))
    wrong = [shown(key) for key, message in catalog.items() if as_tuple(message.string) != as_tuple(message.id)]
    assert not wrong, "en msgstr must equal the msgid (make i18n-update fills it in):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    mo = po_path(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run make translations"
    with mo.open("rb") as f:
        compiled = {as_tuple(m.id): as_tuple(m.string) for m in read_mo(f) if m.id}
    source = {as_tuple(m.id): as_tuple(m.string) for m in load_po(po_path(lang), lang) if m.id}
    assert compiled == source, f"{mo.relative_to(ROOT)} is older than its .po file: run make translations"


# --- b. messages.pot is up to date --------------------------------------------------------------

def test_messages_pot_is_up_to_date(tmp_path, template):
    fresh = tmp_path / "messages.pot"
    result = subprocess.run(  # the same options as `make i18n-update`
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    extracted = messages(load_po(fresh))
    missing = sorted(shown(key) for key in extracted.keys() - template.keys())
    gone = sorted(shown(key) for key in template.keys() - extracted.keys())
    report = [f"new, not in messages.pot: {text}" for text in missing]
    report += [f"in messages.pot, no longer in the code: {text}" for text in gone]
    assert not report, f"app/translations/messages.pot is out of date ({HINT}):\n  " + "\n  ".join(report)


# --- c. no unmarked interface text in the templates ---------------------------------------------

EXPRESSION = "\ue000"  # stands in for a {{ ... }} expression
ALLOWED_WORDS = {"Lesmark"}  # never translated
VISIBLE_ATTRIBUTES = {"aria-label", "aria-description", "aria-roledescription", "aria-placeholder",
                      "aria-valuetext", "title", "placeholder", "alt"}
WORD = re.compile(r"\w+")


def without_jinja(source: str) -> str:
    """The template with comments and {% %} tags removed and every {{ }} replaced by EXPRESSION,
    keeping the line numbers. Left out as well: {% trans %} bodies (translated) and
    `{% block something_class %}` bodies (CSS classes)."""
    out, line, tag, blocks, trans = [], 1, None, [], 0
    for lineno, kind, value in Environment(autoescape=True).lex(source):
        if lineno > line:
            out.append("\n" * (lineno - line))
            line = lineno
        if kind == "data":
            if not trans and not any(blocks):
                out.append(value)
            line += value.count("\n")
        elif kind == "variable_begin":
            out.append(EXPRESSION)
        elif kind == "block_begin":
            out.append(" ")
            tag = []
        elif kind == "name" and tag is not None:
            tag.append(value)
        elif kind == "block_end":
            name = tag[0] if tag else ""
            if name == "block":
                blocks.append(len(tag) > 1 and tag[1].endswith("_class"))
            elif name == "endblock" and blocks:
                blocks.pop()
            elif name in ("trans", "endtrans"):
                trans += 1 if name == "trans" else -1
            tag = None
    return "".join(out)


def leftover(text: str) -> str:
    """What is left once expressions, allowed words, whitespace, punctuation and symbols are gone."""
    text = text.replace(EXPRESSION, " ")
    text = WORD.sub(lambda m: " " if m.group() in ALLOWED_WORDS else m.group(), text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


class TextFinder(HTMLParser):
    """Collects (line, text) of visible text and of user-visible attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skipping = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag in ("script", "style"):
            self.skipping = tag
        attrs = dict(attrs)
        visible = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button", "reset"):
            visible.add("value")
        for name, value in attrs.items():
            if name in visible and value and leftover(value):
                self.found.append((line, f'{name}="{value.replace(EXPRESSION, "{{ … }}")}"'))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self.skipping:
            self.skipping = None

    def handle_data(self, data):
        if self.skipping:
            return
        line = self.getpos()[0]
        for offset, part in enumerate(data.split("\n")):
            if leftover(part):
                self.found.append((line + offset, " ".join(part.replace(EXPRESSION, "{{ … }}").split())))


def unmarked_text(path: Path, root: Path = ROOT) -> list[str]:
    finder = TextFinder()
    finder.feed(without_jinja(path.read_text(encoding="utf-8")))
    finder.close()
    return [f"{path.relative_to(root)}:{line}: {text}" for line, text in finder.found]


def test_the_text_finder_catches_unmarked_text(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text('{# a note #}<p>{{ _("Fine") }} · Lesmark</p>\n{% if x %}<p>Not marked</p>{% endif %}\n'
                      '<a title="Plain" aria-label="{{ _(\'ok\') }}">&rarr;</a><script>var s = "x";</script>\n'
                      '<input type="submit" value="Send"><img alt="">\n'
                      '{% block body_class %}wide-page{% endblock %}{% block content %}<p>Plain</p>{% endblock %}\n'
                      '{% trans n=2 %}One {{ n }}{% pluralize %}Many {{ n }}{% endtrans %}\n', encoding="utf-8")
    assert unmarked_text(sample, tmp_path) == ["sample.html:2: Not marked", 'sample.html:3: title="Plain"',
                                               'sample.html:4: value="Send"', "sample.html:5: Plain"]


def test_templates_have_no_unmarked_interface_text():
    offenders = [item for path in sorted(TEMPLATES.rglob("*.html")) for item in unmarked_text(path)]
    assert not offenders, ("text a user sees must go through _() / ngettext() (or be in ALLOWED_WORDS):\n  "
                           + "\n  ".join(offenders))


# --- d. pages come out in the reader's language -------------------------------------------------

@pytest.fixture(scope="module")
def app(sqlite_app):
    """One SQLite app with the real content (conftest's `app` also runs on PostgreSQL)."""
    return sqlite_app


def translation(lang: str, msgid: str) -> str:
    return load_po(po_path(lang), lang)[msgid].string


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_follow_accept_language(app, lang):
    client = app.test_client()
    headers = {"Accept-Language": f"{lang},en;q=0.5"}
    for path, msgid in (("/", "Courses"), ("/login", "Log in"), ("/login", "Create account"),
                        ("/no-such-page", "This page does not exist, or it is not yours.")):
        response = client.get(path, headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == (404 if path == "/no-such-page" else 200)
        assert f'<html lang="{lang}">' in body, f"{path} in {lang}"
        expected = translation(lang, msgid)
        assert f">{expected}<" in body, f"{path} in {lang}: {expected!r} not found"
        if lang != "en":
            assert f">{msgid}<" not in body, f"{path} in {lang} still shows the English {msgid!r}"


@pytest.mark.parametrize("accept", [None, "de-DE,de;q=0.9", "*"])
def test_english_without_a_supported_accept_language(app, accept):
    headers = {"Accept-Language": accept} if accept else {}
    body = app.test_client().get("/", headers=headers).get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "<h1>Courses</h1>" in body


def test_chosen_language_beats_accept_language(app):
    client = app.test_client()
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "language": "fi", "next": "/login"})
    assert response.status_code == 303
    body = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="fi">' in body
    assert f">{translation('fi', 'Log in')}<" in body


def test_plural_forms_are_used(app):
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        refresh()
        one = ngettext("%(num)s lesson", "%(num)s lessons", 1)
        many = ngettext("%(num)s lesson", "%(num)s lessons", 3)
    assert (one, many) == ("1 oppitunti", "3 oppituntia")

