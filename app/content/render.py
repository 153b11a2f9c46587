"""Markdown -> sanitised HTML. Runs when content is loaded, never on a page request."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

import markdown
import nh3

from .lessons import GLOSSARY_LINK, expand_screens
from .model import ContentError, ContentSet, Lesson, Problem, Quiz

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
# Nested lists are indented by two spaces per level, as in most editors and on GitHub
# (Python-Markdown's default is four). The lesson parser reports other indents.
TAB_LENGTH = 2
# Bump when rendering changes, so `flask content sync` re-renders unchanged files.
RENDERER_VERSION = 2
MAX_MARKDOWN_CHARS = 100_000
# Python-Markdown recurses on nesting; very deep input raises RecursionError.
MAX_NESTING_CHARS = 200

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "scope"},
    "td": {"align"},
    "abbr": {"title"},
    "span": {"lang"},
    "div": {"lang"},
}


class RenderError(ValueError):
    """The Markdown cannot be rendered safely (too large, too deeply nested)."""


def term_anchor(term: str) -> str:
    """Stable HTML id for a glossary term: 'klantwaarde / CLV' -> 'term-klantwaarde-clv'."""
    normal = unicodedata.normalize("NFKC", term).casefold()
    return "term-" + re.sub(r"[^\w]+", "-", normal).strip("-")


def render_markdown(text: str, glossary_url: str | None = None) -> str:
    """Render trusted-or-not Markdown to HTML that is safe to put in a page."""
    if len(text) > MAX_MARKDOWN_CHARS:
        raise RenderError(f"text is longer than {MAX_MARKDOWN_CHARS} characters")
    if re.search(rf"(?:[\[>(]\s*){{{MAX_NESTING_CHARS},}}", text) or _list_depth(text) > 20:
        raise RenderError("text is nested too deeply")
    if glossary_url is not None:
        text = GLOSSARY_LINK.sub(lambda m: _glossary_link(m, glossary_url), text)
    try:
        html = markdown.Markdown(extensions=EXTENSIONS, output_format="html", tab_length=TAB_LENGTH).convert(text)
    except RecursionError:
        raise RenderError("text is nested too deeply") from None
    return sanitise(html)


def render_inline(text: str) -> str:
    """Render one line (an option, a feedback line) without a wrapping paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def _glossary_link(match: re.Match, glossary_url: str) -> str:
    shown, term = match.group(1).strip(), (match.group(2) or match.group(1)).strip()
    return (f'<a class="glossary-term" href="{escape(glossary_url)}#{term_anchor(term)}">'
            f"{escape(shown)}</a>")


def _list_depth(text: str) -> int:
    depth = 0
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if stripped[:2] in ("- ", "* ", "+ ") or re.match(r"\d+\. ", stripped):
            depth = max(depth, (len(line) - len(stripped)) // 2 + 1)
    return depth


# --- whole lessons -------------------------------------------------------------------------

@dataclass(frozen=True)
class RenderedScreen:
    position: int
    kind: str
    title: str
    body_html: str
    notes_html: str
    question_id: str | None
    checkpoint_number: int | None
    checkpoint_item: int | None
    checkpoint_size: int | None


@dataclass(frozen=True)
class RenderedQuestion:
    id: str
    type: str
    goals: tuple[str, ...]
    stem_html: str
    options: tuple[dict, ...]  # {"html", "feedback_html", "correct"}
    rationale: str
    source: str


@dataclass(frozen=True)
class RenderedLesson:
    screens: tuple[RenderedScreen, ...]
    questions: tuple[RenderedQuestion, ...]
    final: tuple[str, ...]


def render_lesson(lesson: Lesson, quiz: Quiz | None, glossary_url: str) -> RenderedLesson:
    """Render every slide and question of a lesson; raise ContentError on the first failure."""
    screens = []
    for screen in expand_screens(lesson):
        line = screen.line
        try:
            body = render_markdown(screen.body, glossary_url) if screen.body else ""
            notes = render_markdown(screen.notes, glossary_url) if screen.notes else ""
        except RenderError as exc:
            raise ContentError([Problem(lesson.path, line, f"slide cannot be rendered: {exc}")]) from None
        screens.append(RenderedScreen(screen.position, screen.kind, screen.title, body, notes, screen.question_id,
                                      screen.checkpoint_number, screen.checkpoint_item, screen.checkpoint_size))
    questions = []
    for q in quiz.questions if quiz else ():
        try:
            options = tuple({"html": render_inline(o.text), "feedback_html": render_inline(o.feedback),
                             "correct": o.correct} for o in q.options)
            questions.append(RenderedQuestion(q.id, q.type, q.goals, render_markdown(q.stem), options,
                                              q.rationale, q.source))
        except RenderError as exc:
            raise ContentError([Problem(quiz.path, q.line, f"{q.id} cannot be rendered: {exc}")]) from None
    return RenderedLesson(tuple(screens), tuple(questions), quiz.final if quiz else ())



def check_rendered(content: ContentSet) -> list[Problem]:
    """Every problem that rendering the loaded lessons, quizzes and glossaries would meet.

    Pure, like the parsers: a renderer failure is a problem of that file only.
    """
    problems: list[Problem] = []
    for glossary in content.glossaries.values():
        for entry in glossary.entries:
            try:
                render_inline(entry.definition)
            except RenderError as exc:
                problems.append(Problem(glossary.path, entry.line, f"definition of {entry.term!r} cannot be rendered: {exc}"))
    for lesson in content.lessons.values():
        try:
            render_lesson(lesson, content.quizzes.get(lesson.id), f"/courses/{lesson.course}/glossary")
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems
