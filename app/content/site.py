"""Build a whole site from source texts: parse, cross-check and render everything, write nothing.

`build_site({path: text})` is what `flask content check`, `flask content sync` and the browser
editors share, so a text is judged the same way wherever it comes from. Pure: no disk, no database.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from .loader import load_sources
from .media import reference_problems
from .model import ContentError, Course, Lesson, Problem, Quiz
from .render import (
    RENDERER_VERSION,
    RenderedLesson,
    RenderedQuestion,
    RenderError,
    render_inline,
    render_lesson,
    term_anchor,
)
from .sources import lesson_positions, question_blocks

logger = logging.getLogger(__name__)


def glossary_url(course_slug: str) -> str:
    return f"/courses/{course_slug}/glossary"


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class BuiltQuestion:
    rendered: RenderedQuestion
    markdown: str  # the question's own source block
    content_hash: str  # of the source, never of the HTML


@dataclass(frozen=True)
class BuiltLesson:
    source: Lesson
    quiz: Quiz | None
    rendered: RenderedLesson
    questions: tuple[BuiltQuestion, ...]
    position: int
    content_hash: str


@dataclass(frozen=True)
class BuiltCourse:
    source: Course
    glossary: list[dict] | None  # None: the glossary could not be rendered; keep the stored one


@dataclass
class SiteBuild:
    courses: dict[str, BuiltCourse] = field(default_factory=dict)
    lessons: dict[str, BuiltLesson] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)  # every path given, built or not
    course_of_path: dict[str, str] = field(default_factory=dict)  # parsed file -> its course id

    @property
    def built_paths(self) -> set[str]:
        paths = {c.source.path for c in self.courses.values()}
        for lesson in self.lessons.values():
            paths.add(lesson.source.path)
            if lesson.quiz:
                paths.add(lesson.quiz.path)
        return paths


def question_hash(question, markdown: str) -> str:
    """Hash of what a question IS (its source), so a renderer upgrade makes no new version."""
    # only what differs from the defaults, so a question without them keeps its hash (and its version)
    extra = {"fixed_order": True} if getattr(question, "fixed_order", False) else {}
    if getattr(question, "feedback", ""):
        extra["feedback"] = question.feedback
    if getattr(question, "points", 1) != 1:
        extra["points"] = question.points
    return digest(question.type, question.stem, [(o.text, o.correct, o.feedback) for o in question.options],
                  sorted(question.goals), question.rationale, question.source, markdown, extra)


def build_site(files: Mapping[str, str], media: Mapping[str, str] | None = None) -> SiteBuild:
    """Parse and render every file; a file that fails is a problem and is left out of the build.

    `media` is {media path: sha256} of the images the lessons may show (lessons/<course>/media/...);
    a lesson whose images are missing, external or without alt text is a problem too."""
    content = load_sources(files)
    media = media or {}
    build = SiteBuild(problems=list(content.problems), paths=set(files))
    for course in content.courses.values():
        build.courses[course.id] = BuiltCourse(course, render_glossary(content, course.id, build.problems))
        build.course_of_path[course.path] = course.id
    build.course_of_path.update({g.path: g.course for g in content.glossaries.values()})
    build.course_of_path.update({lesson.path: lesson.course for lesson in content.lessons.values()})
    build.course_of_path.update({q.path: content.lessons[q.lesson].course for q in content.quizzes.values()})
    stems: dict[str, list[tuple[str, str]]] = {}
    for lesson in content.lessons.values():
        stems.setdefault(lesson.course, []).append((lesson.stem, lesson.id))
    positions = lesson_positions(stems)
    for lesson in content.lessons.values():
        quiz = content.quizzes.get(lesson.id)
        image_problems, image_urls = [], {}
        for path in (lesson.path, quiz.path) if quiz else (lesson.path,):
            problems, urls = reference_problems(path, files[path], media)
            image_problems += problems
            image_urls.update(urls)
        # reported (check fails, an editor's save is refused), but the lesson still builds: the
        # renderer drops an image it cannot show, so a sync never loses a whole lesson to a figure
        build.problems.extend(image_problems)
        built = build_lesson(files, lesson, quiz, positions[lesson.id], build.problems, image_urls)
        if built is not None:
            build.lessons[lesson.id] = built
    build.problems.sort(key=lambda p: (p.path, p.line))
    return build


def render_glossary(content, course_id: str, problems: list[Problem]) -> list[dict] | None:
    glossary = content.glossaries.get(course_id)
    entries = []
    for entry in glossary.entries if glossary else ():
        try:
            definition = render_inline(entry.definition)
        except (RenderError, RecursionError) as exc:
            problems.append(Problem(glossary.path, entry.line, f"{entry.term!r} cannot be rendered: {exc}"))
            return None
        entries.append({"term": entry.term, "anchor": term_anchor(entry.term), "definition_html": definition,
                        "english": entry.english})
    return entries


def build_lesson(files: Mapping[str, str], lesson: Lesson, quiz: Quiz | None, position: int,
                 problems: list[Problem], image_urls: Mapping[str, str] | None = None) -> BuiltLesson | None:
    try:
        rendered = render_lesson(lesson, quiz, glossary_url(lesson.course), image_urls)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
    except RecursionError:
        problems.append(Problem(lesson.path, 1, "lesson is nested too deeply to be rendered"))
        return None
    except Exception as exc:  # a renderer bug must not stop the other lessons from building
        logger.warning("unexpected error while rendering %s", lesson.path, exc_info=True)
        problems.append(Problem(lesson.path, 1, f"lesson could not be rendered ({type(exc).__name__}); please report this"))
        return None
    blocks = question_blocks(files[quiz.path], quiz.questions) if quiz else {}
    sources = {q.id: q for q in quiz.questions} if quiz else {}
    questions = tuple(BuiltQuestion(q, blocks[q.id], question_hash(sources[q.id], blocks[q.id]))
                      for q in rendered.questions)
    # the image URLs (with their file's hash) count only when there are images, so lessons without
    # any keep their hash and are not rendered again
    content_hash = digest(RENDERER_VERSION, asdict(lesson), asdict(quiz) if quiz else None, position,
                          files[lesson.path], files[quiz.path] if quiz else None,
                          *([dict(sorted(image_urls.items()))] if image_urls else []))
    return BuiltLesson(lesson, quiz, rendered, questions, position, content_hash)
