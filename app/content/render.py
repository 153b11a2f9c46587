"""Markdown -> sanitised HTML. Runs when content is loaded, never on a page request."""

from __future__ import annotations

import logging
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from .lessons import GLOSSARY_LINK, expand_screens
from .model import ContentError, ContentSet, Glossary, Lesson, Problem, Quiz

logger = logging.getLogger(__name__)

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
# Nested lists are indented by two spaces per level, as in most editors and on GitHub
# (Python-Markdown's default is four). The lesson parser reports other indents.
TAB_LENGTH = 2
# Bump when rendering changes, so `flask content sync` re-renders unchanged files.
RENDERER_VERSION = 3

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
    """The Markdown cannot be rendered safely (too large, too deeply nested, too complex)."""


# --- refusing Markdown that would take Python-Markdown seconds to render ----------------------
# Python-Markdown is quadratic (or worse) in some inputs: every '[' scans the rest of its
# paragraph for the closing bracket, every '<' may start raw HTML, every backtick a code span,
# every line of a block is searched again for headings. "[a" * 10000 took minutes. These cheap
# static checks refuse such text before rendering. The cost model estimates microseconds of
# rendering (an upper bound measured on a slow machine: tests/unit/test_render.py renders the
# most complex text of each kind it accepts); the shipped courses use under a tenth of the text
# budget and a quarter of the file budget.
MAX_MARKDOWN_CHARS = 20_000  # per text: a slide, its notes, a question stem, an option...
MAX_MARKDOWN_LINES = 1_000
MAX_CONTAINER_DEPTH = 20  # nested lists and block quotes
MAX_BRACKET_DEPTH = 32  # [ and ( nested in one another
TEXT_BUDGET = 150_000  # estimated microseconds for one text
FILE_BUDGET = 500_000  # for everything one lesson file, quiz file or glossary renders
BASE_COST = 300  # a Markdown instance per text
LINEAR_COST = {"[": 80, "|": 60, "&": 50, "\\": 30, "<": 200, "\n": 20}  # per character
# per character times the length of its paragraph: what makes Python-Markdown quadratic
QUADRATIC_COST = {"<": 0.3, "`": 0.03, "\n": 0.05, "*": 0.005, "_": 0.005}
UNCLOSED_COST = {"[": 0.4, "(": 0.3}  # an unclosed '[' or '(' is searched to the end of the paragraph
UNCLOSED_TAG_COST = 0.1  # an unclosed '<' is searched to the end of the text, across paragraphs
FENCE_COST = 0.03  # so is the closing line of each ``` or ~~~ fence
FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)
BLANK_LINE = re.compile(r"\n[ \t]*\n")
BRACKET = re.compile(r"[\[\]()]")
DIGITS = "0123456789"


def markdown_cost(text: str) -> float:
    """Estimated rendering time of `text` in microseconds (an upper bound, not a measurement)."""
    cost: float = BASE_COST + len(text)
    cost += sum(weight * text.count(char) for char, weight in LINEAR_COST.items())
    cost += len(text) * UNCLOSED_TAG_COST * max(text.count("<") - text.count(">"), 0)
    cost += len(text) * FENCE_COST * len(FENCE_LINE.findall(text))
    for block in BLANK_LINE.split(text):
        weighted = sum(weight * block.count(char) for char, weight in QUADRATIC_COST.items())
        weighted += sum(UNCLOSED_COST[char] * count for char, count in _unclosed(block).items())
        cost += len(block) * weighted
    return cost


def _unclosed(block: str) -> dict[str, int]:
    """How many '[' and '(' of a paragraph are never closed."""
    open_count = {"[": 0, "(": 0}
    for match in BRACKET.finditer(block):
        char = match.group()
        if char in open_count:
            open_count[char] += 1
        else:
            opener = "[" if char == "]" else "("
            open_count[opener] = max(open_count[opener] - 1, 0)
    return open_count


def complexity_problem(text: str) -> str | None:
    """Why `text` must not be rendered, or None. Linear in the length of the text."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return f"text is longer than {MAX_MARKDOWN_CHARS} characters"
    lines = text.split("\n")
    if len(lines) > MAX_MARKDOWN_LINES:
        return f"too complex: more than {MAX_MARKDOWN_LINES} lines in one text"
    if max(map(_container_depth, lines)) > MAX_CONTAINER_DEPTH:
        return f"too complex: lists or quotes nested more than {MAX_CONTAINER_DEPTH} levels deep"
    if _bracket_depth(text) > MAX_BRACKET_DEPTH:
        return f"too complex: brackets nested (or left open) more than {MAX_BRACKET_DEPTH} levels deep"
    if markdown_cost(text) > TEXT_BUDGET:
        return ("too complex: too many links, brackets, HTML tags, backticks or lines in one paragraph "
                "to render quickly; split it into shorter paragraphs")
    return None


def _container_depth(line: str) -> int:
    """List and quote levels a line opens: one per '>' and per list marker ('-', '*', '+', '1.'
    followed by a space) at its start, plus one per two spaces of indent before them.
    A rule ('-----') or a setext underline opens none."""
    index, markers, length = 0, 0, len(line)
    while index < length:
        char = line[index]
        if char in " \t":
            index += 1
        elif char == ">" or (char in "-*+" and (index + 1 == length or line[index + 1] in " \t")):
            markers, index = markers + 1, index + 1
        elif char in DIGITS:
            end = index
            while end < length and line[end] in DIGITS:
                end += 1
            if end == length or line[end] not in ".)" or (end + 1 < length and line[end + 1] not in " \t"):
                break
            markers, index = markers + 1, end + 1
        else:
            break
    if not markers:
        return 0
    return (length - len(line.lstrip(" \t"))) // 2 + markers


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for match in BRACKET.finditer(text):
        if match.group() in "[(":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def term_anchor(term: str) -> str:
    """Stable HTML id for a glossary term: 'klantwaarde / CLV' -> 'term-klantwaarde-clv'."""
    normal = unicodedata.normalize("NFKC", term).casefold()
    return "term-" + re.sub(r"[^\w]+", "-", normal).strip("-")


class MediaImages(Treeprocessor):
    """Images point at the course's media files by their cache-busting URL; an image alone in its
    paragraph with a title becomes a <figure> with the title as its caption. An image whose source
    is not a known media file is dropped (`flask content check` reports it)."""

    def __init__(self, md, media: Mapping[str, str]):
        super().__init__(md)
        self.media = media

    def run(self, root):
        for parent in root.iter():
            for image in [child for child in parent if child.tag == "img"]:
                url = self.media.get(image.get("src", ""))
                if url is None:
                    self.drop(parent, image)
                else:
                    image.set("src", url)
        for paragraph in list(root.iter("p")):
            children = list(paragraph)
            if len(children) == 1 and children[0].tag == "img" and children[0].get("title") \
                    and not (paragraph.text or "").strip() and not (children[0].tail or "").strip():
                image = children[0]
                paragraph.tag = "figure"
                image.tail = None
                # the figure opens at full size on its own: on a phone its labels are small
                paragraph.remove(image)
                link = etree.SubElement(paragraph, "a", {"href": image.get("src", ""), "class": "figure-link"})
                link.append(image)
                caption = etree.SubElement(paragraph, "figcaption")
                caption.text = image.attrib.pop("title")

    @staticmethod
    def drop(parent, image):
        """Keep the alt text in place of the image, so the sentence still reads."""
        index = list(parent).index(image)
        text = (image.get("alt") or "") + (image.tail or "")
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(image)


def render_markdown(text: str, glossary_url: str | None = None, media: Mapping[str, str] | None = None) -> str:
    """Render trusted-or-not Markdown to HTML that is safe to put in a page.

    `media` maps an image source as written (`media/x.svg`) to its URL; other images are dropped.
    Raises RenderError for text that is too large or too complex to render quickly.
    """
    text = _with_glossary_links(text, glossary_url)
    problem = complexity_problem(text)
    if problem:
        raise RenderError(problem)
    try:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html", tab_length=TAB_LENGTH)
        md.treeprocessors.register(MediaImages(md, media or {}), "media_images", 0)
        html = md.convert(text)
    except RecursionError:
        raise RenderError("text is nested too deeply") from None
    except Exception as exc:  # a renderer bug on odd input is a problem of this text, not a crash
        logger.warning("Markdown renderer failed", exc_info=True)
        raise RenderError(f"the Markdown renderer failed ({type(exc).__name__})") from None
    return sanitise(html)


def _with_glossary_links(text: str, glossary_url: str | None) -> str:
    if glossary_url is None or len(text) > MAX_MARKDOWN_CHARS:
        return text
    return GLOSSARY_LINK.sub(lambda m: _glossary_link(m, glossary_url), text)


def render_inline(text: str, media: Mapping[str, str] | None = None) -> str:
    """Render one line (an option, a feedback line) without a wrapping paragraph."""
    html = render_markdown(text, media=media)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_only_own_images,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def _only_own_images(tag: str, attribute: str, value: str) -> str | None:
    """An image loads only from the site's own media route (raw <img> HTML included): a lesson
    never makes a student's browser fetch from elsewhere."""
    if tag == "img" and attribute == "src" and not value.startswith("/media/"):
        return None
    return value


def _glossary_link(match: re.Match, glossary_url: str) -> str:
    shown, term = match.group(1).strip(), (match.group(2) or match.group(1)).strip()
    return (f'<a class="glossary-term" href="{escape(glossary_url)}#{term_anchor(term)}">'
            f"{escape(shown)}</a>")


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
    fixed_order: bool = False  # options never shuffled
    feedback_html: str = ""  # general feedback: never sent to the browser before the question is graded
    points: int = 1


@dataclass(frozen=True)
class RenderedLesson:
    screens: tuple[RenderedScreen, ...]
    questions: tuple[RenderedQuestion, ...]
    final: tuple[str, ...]


def render_lesson(lesson: Lesson, quiz: Quiz | None, glossary_url: str,
                  media: Mapping[str, str] | None = None) -> RenderedLesson:
    """Render every slide and question of a lesson; raise ContentError on the first failure.

    A lesson file or a quiz file whose Markdown together would take too long is refused
    before anything is rendered.
    """
    slide_texts = [_with_glossary_links(text, glossary_url) for slide in lesson.slides for text in (slide.body, slide.notes)]
    check_file_budget(lesson.path, slide_texts)
    if quiz is not None:
        check_file_budget(quiz.path, [text for q in quiz.questions
                                      for text in (q.stem, q.feedback, *(o.text for o in q.options),
                                                                 *(o.feedback for o in q.options))])
    screens = []
    for screen in expand_screens(lesson):
        line = screen.line
        try:
            body = render_markdown(screen.body, glossary_url, media) if screen.body else ""
            notes = render_markdown(screen.notes, glossary_url, media) if screen.notes else ""
        except RenderError as exc:
            raise ContentError([Problem(lesson.path, line, f"slide cannot be rendered: {exc}")]) from None
        screens.append(RenderedScreen(screen.position, screen.kind, screen.title, body, notes, screen.question_id,
                                      screen.checkpoint_number, screen.checkpoint_item, screen.checkpoint_size))
    questions = []
    for q in quiz.questions if quiz else ():
        try:
            options = tuple({"html": render_inline(o.text, media), "feedback_html": render_inline(o.feedback, media),
                             "correct": o.correct} for o in q.options)
            feedback_html = render_markdown(q.feedback, media=media) if q.feedback else ""
            questions.append(RenderedQuestion(q.id, q.type, q.goals, render_markdown(q.stem, media=media), options,
                                              q.rationale, q.source, q.fixed_order, feedback_html, q.points))
        except RenderError as exc:
            path = quiz.path if quiz else lesson.path
            raise ContentError([Problem(path, q.line, f"{q.id} cannot be rendered: {exc}")]) from None
    return RenderedLesson(tuple(screens), tuple(questions), quiz.final if quiz else ())


def check_file_budget(path: str, texts: list[str]) -> None:
    """Raise ContentError if rendering every text of one file would take too long.

    A text refused on its own is left to the renderer, which reports it at its line.
    """
    if sum(markdown_cost(text) for text in texts if text and complexity_problem(text) is None) > FILE_BUDGET:
        raise ContentError([Problem(path, 1, "too complex: this file holds more Markdown than can be rendered within "
                                             "a second; split it or simplify it")])


def render_glossary(glossary: Glossary) -> tuple[dict, ...]:
    """Every entry of a glossary with its definition as safe HTML; ContentError on the first failure."""
    check_file_budget(glossary.path, [entry.definition for entry in glossary.entries])
    entries = []
    for entry in glossary.entries:
        try:
            html = render_inline(entry.definition)
        except RenderError as exc:
            raise ContentError([Problem(glossary.path, entry.line,
                                        f"definition of {entry.term!r} cannot be rendered: {exc}")]) from None
        entries.append({"term": entry.term, "anchor": term_anchor(entry.term), "definition_html": html,
                        "english": entry.english})
    return tuple(entries)



def check_rendered(content: ContentSet) -> list[Problem]:
    """Every problem that rendering the loaded lessons, quizzes and glossaries would meet.

    Pure, like the parsers: a renderer failure is a problem of that file only.
    """
    problems: list[Problem] = []
    for glossary in content.glossaries.values():
        try:
            render_glossary(glossary)
        except ContentError as exc:
            problems.extend(exc.problems)
    for lesson in content.lessons.values():
        try:
            render_lesson(lesson, content.quizzes.get(lesson.id), f"/courses/{lesson.course}/glossary")
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems
