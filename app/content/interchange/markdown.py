"""Lesmark's own quiz file format: a stable formatter, and an importer with line errors.

`format_quiz(parse_quiz(path, text))` writes a file that parses back to the same quiz
(formatting it again gives the same text), in the layout of docs/authoring.md."""

from __future__ import annotations

from ..frontmatter import split_front_matter
from ..model import ContentError, Problem, Question, Quiz
from ..quizzes import OPTION, parse_question, split_questions
from .common import add_question, file_lines, one_line
from .model import (
    ExportResult,
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    LineError,
)

_PATH = "import.md"


def format_question(question: Question) -> str:
    lines = [f"## {question.id}", f"type: {question.type}", f"goals: {', '.join(question.goals)}"]
    if question.fixed_order:
        lines.append("order: fixed")
    if question.source:
        lines.append(f"source: {one_line(question.source)}")
    if question.rationale:
        lines.append(f"rationale: {one_line(question.rationale)}")
    if question.feedback:
        lines.append(f"feedback: {one_line(question.feedback)}")
    if question.points != 1:
        lines.append(f"points: {question.points}")
    lines += [f"waive: {rule} — {one_line(reason)}" for rule, reason in question.waivers]
    lines += ["", *_stem_lines(question.stem), ""]
    for option in question.options:
        lines.append(f"- [{'x' if option.correct else ' '}] {one_line(option.text)}")
        lines.append(f"  > {one_line(option.feedback)}")
    return "\n".join(lines)


def _stem_lines(stem: str) -> list[str]:
    # a stem line that would read as a new question or an option is escaped (Markdown shows it as written)
    out = []
    for line in stem.strip().split("\n"):
        if line.startswith("## ") or OPTION.match(line):
            line = "\\" + line
        out.append(line.rstrip())
    return out


def format_front_matter(lesson: str, final: tuple[str, ...] | list[str]) -> str:
    return f"---\nlesson: {lesson}\nfinal: [{', '.join(final)}]\n---\n"


def format_quiz(quiz: Quiz) -> str:
    blocks = [format_question(q) for q in quiz.questions]
    return format_front_matter(quiz.lesson, quiz.final) + "\n" + "\n\n".join(blocks) + "\n"


def export_markdown(quiz: Quiz) -> ExportResult:
    return ExportResult(text=format_quiz(quiz))


def parse_markdown(text: str, *, language: str = "en") -> ImportResult:
    """Import questions written in the Lesmark quiz format, with or without front matter.

    Each question is checked as `flask content check` checks it; a broken question is an
    error at its line and the others still import. Ids and goals are kept as hints: the
    import gives a question a new id when its own is taken, and the chosen goals when its
    goals are not the lesson's."""
    result = ImportResult()
    lines = file_lines(result, text)
    if lines is None:
        return result
    text = "\n".join(lines)
    if "\x00" in text:
        result.errors.append(LineError(1, "the file contains a NUL byte; is it a text file?"))
        return result
    problems: list[Problem] = []
    if text.split("\n", 1)[0].strip() == "---":
        try:
            _data, body, first_line = split_front_matter(_PATH, text)
        except ContentError as exc:
            result.errors.extend(LineError(p.line, p.message) for p in exc.problems)
            return result
    else:
        body, first_line = text.splitlines(), 1
    blocks = split_questions(problems, _PATH, body, first_line)
    seen: set[str] = set()
    for start, block in blocks:
        question = parse_question(problems, _PATH, start, block)
        if question is None:
            continue
        if question.id in seen:
            problems.append(Problem(_PATH, start, f"duplicate question id {question.id!r}"))
            continue
        seen.add(question.id)
        add_question(result, ImportedQuestion(
            line=question.line, type=question.type, title="", stem=question.stem,
            options=tuple(ImportedOption(o.text, o.correct, o.feedback) for o in question.options),
            id_hint=question.id, goals=question.goals, source=question.source,
            rationale=question.rationale, general_feedback=question.feedback, points=question.points), language)
    result.errors.extend(LineError(p.line, p.message) for p in problems)
    result.errors.sort(key=lambda e: e.line)
    return result

