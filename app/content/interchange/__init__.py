"""Question interchange: Moodle GIFT, Aiken and Lesmark Markdown, in and out. Pure: no Flask.

    result = import_questions(text, "gift", language="nl")      # ImportResult
    questions = to_lesmark(result.questions, lesson_id=..., lesson_goals=..., taken_ids=...)
    text = append_questions(existing_quiz_text, lesson_id, questions)
    export_quiz(quiz, "gift").text

See docs/interchange.md for the formats and how Moodle's answer weights map onto
Lesmark's partial-credit rule."""

from __future__ import annotations

import re
import unicodedata

from ..frontmatter import ID_PATTERN
from ..model import Option, Question, Quiz
from .aiken import export_aiken, parse_aiken
from .gift import export_gift, parse_gift
from .markdown import (
    export_markdown,
    format_front_matter,
    format_question,
    format_quiz,
    parse_markdown,
)
from .model import (
    ExportResult,
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    LineError,
    Skipped,
    WeightMapping,
)

FORMATS = ("gift", "aiken", "markdown")
MAX_ID_CHARS = 80
_PARSERS = {"gift": parse_gift, "aiken": parse_aiken, "markdown": parse_markdown}
_EXPORTERS = {"gift": export_gift, "aiken": export_aiken, "markdown": export_markdown}

__all__ = [
    "FORMATS", "ExportResult", "ImportResult", "ImportedOption", "ImportedQuestion", "LineError", "Skipped",
    "WeightMapping", "append_questions", "export_quiz", "format_quiz", "import_questions", "new_id",
    "slugify", "to_lesmark",
]


def import_questions(text: str, text_format: str, *, language: str = "en") -> ImportResult:
    """Parse `text` in one of FORMATS; never raises on bad input (problems are line errors)."""
    return _PARSERS[text_format](text, language=language)


def export_quiz(quiz: Quiz, text_format: str) -> ExportResult:
    return _EXPORTERS[text_format](quiz)


def slugify(text: str, max_chars: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_chars].rstrip("-")


def new_id(lesson_id: str, title: str, taken: set[str]) -> str:
    """`<lesson>-<slug of title, or q>-N` with the smallest N that is not taken."""
    slug = slugify(title) or "q"
    slug = slug[:max(1, MAX_ID_CHARS - len(lesson_id) - 6)].rstrip("-") or "q"
    number = 1
    while f"{lesson_id}-{slug}-{number}" in taken:
        number += 1
    return f"{lesson_id}-{slug}-{number}"


def to_lesmark(questions: list[ImportedQuestion], *, lesson_id: str, lesson_goals: tuple[str, ...] | list[str],
               chosen_goals: tuple[str, ...] | list[str] = (), taken_ids: set[str] | frozenset[str] = frozenset()
               ) -> list[Question]:
    """Imported questions as Lesmark questions of one lesson, with new unique ids.

    A question keeps the id its file gave (Lesmark Markdown) when that id is free, and the
    goals its file gave when they are all goals of this lesson; otherwise it counts for the
    chosen goals, and for every goal of the lesson when none are chosen."""
    taken = set(taken_ids)
    default_goals = tuple(chosen_goals) or tuple(lesson_goals)
    out = []
    for imported in questions:
        if imported.id_hint and ID_PATTERN.match(imported.id_hint) and imported.id_hint not in taken:
            question_id = imported.id_hint
        else:
            question_id = new_id(lesson_id, imported.title, taken)
        taken.add(question_id)
        goals = imported.goals if imported.goals and set(imported.goals) <= set(lesson_goals) else default_goals
        out.append(Question(
            id=question_id, type=imported.type, goals=tuple(goals), stem=imported.stem,
            options=tuple(Option(o.text, o.correct, o.feedback, imported.line) for o in imported.options),
            source=imported.source, rationale=imported.rationale, line=imported.line, goals_line=imported.line,
            feedback=imported.general_feedback, points=imported.points))
    return out


def append_questions(quiz_text: str | None, lesson_id: str, questions: list[Question]) -> str:
    """The quiz file with the questions added at the end, its own text untouched.

    Without a quiz file yet, a new one is started (no final quiz: the teacher chooses it)."""
    blocks = "\n\n".join(format_question(q) for q in questions)
    if not quiz_text or not quiz_text.strip():
        return format_front_matter(lesson_id, []) + "\n" + blocks + "\n"
    return quiz_text.rstrip("\n") + "\n\n" + blocks + "\n"
