"""Aiken: single-choice questions in the simplest plain-text form Moodle reads.

    What does a loyal customer do?
    A. Buys once with a discount.
    B) Comes back and buys again.
    ANSWER: B

Options are a capital letter, `.` or `)`, a space and the text, in the order A, B, C…; the
`ANSWER:` line names the right letter and ends the question. Like Moodle's importer
(`qformat_aiken`), blank lines are ignored; unlike it, a question text may run over several
lines (they are joined). Aiken has no feedback, so every option gets the neutral feedback
of the course language. Texts are taken as written (a plain sentence renders the same in
Markdown).
"""

from __future__ import annotations

import re

from ..model import Quiz
from .common import add_question, file_lines, one_line
from .model import (
    ExportResult,
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    LineError,
)

_OPTION = re.compile(r"^([A-Z])[.)][ \t]*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


def parse_aiken(text: str, *, language: str = "en") -> ImportResult:
    """Parse an Aiken file. Never raises on bad input: problems come back as line errors."""
    result = ImportResult()
    lines = file_lines(result, text)
    if lines is None:
        return result
    stem: list[str] = []
    start = 0
    options: list[tuple[int, str]] = []
    broken = False  # an error was reported for the open question: ignore the rest of it

    def reset():
        nonlocal stem, options, broken, start
        stem, options, broken, start = [], [], False, 0

    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if match := _ANSWER.match(line):
            if not stem:
                result.errors.append(LineError(number, "ANSWER line without a question before it"))
            elif not broken:
                _finish(result, start, stem, options, match.group(1).strip(), number, language)
            reset()
        elif match := _OPTION.match(line):
            if not stem:
                result.errors.append(LineError(number, "an option without a question before it"))
                broken, start, stem = True, number, [line]
                continue
            expected = chr(ord("A") + len(options))
            if broken:
                continue
            if match.group(1) != expected:
                result.errors.append(LineError(number, f"option {match.group(1)} where {expected} was expected "
                                                       "(options go A, B, C… in order)"))
                broken = True
            elif not (match.group(2) or "").strip():
                result.errors.append(LineError(number, f"option {expected} has no text"))
                broken = True
            else:
                options.append((number, match.group(2).strip()))
        elif options:
            if not broken:
                result.errors.append(LineError(start, f"the question has no 'ANSWER:' line (a new question "
                                                      f"starts at line {number})"))
            reset()
            start, stem = number, [line]
        else:
            if not stem:
                start = number
            stem.append(line)
    if stem and not broken:
        result.errors.append(LineError(start, "the question has no 'ANSWER:' line"))
    return result


def _finish(result, start, stem, options, answer, answer_line, language) -> None:
    if len(options) < 2:
        result.errors.append(LineError(start, "a question needs at least two options (A. and B.)"))
        return
    letters = [chr(ord("A") + i) for i in range(len(options))]
    if answer not in letters:
        result.errors.append(LineError(answer_line, f"ANSWER must be one of the option letters "
                                                    f"{', '.join(letters)}, not {answer!r}"))
        return
    key = letters.index(answer)
    question = ImportedQuestion(
        line=start, type="single", title="", stem=" ".join(stem), text_format="plain",
        options=tuple(ImportedOption(text, i == key, "") for i, (_line, text) in enumerate(options)))
    add_question(result, question, language)


def export_aiken(quiz: Quiz) -> ExportResult:
    """Single-choice questions as Aiken; the others are listed as left out (Aiken has one key)."""
    blocks, left_out = [], []
    for question in quiz.questions:
        if question.type != "single":
            left_out.append((question.id, f"{question.type}: Aiken holds single-choice questions only"))
            continue
        stem = one_line(question.stem)
        if _OPTION.match(stem) or _ANSWER.match(stem):
            left_out.append((question.id, "the question text starts like an Aiken option or ANSWER line"))
            continue
        lines = [stem]
        lines += [f"{chr(ord('A') + i)}. {one_line(o.text)}" for i, o in enumerate(question.options)]
        key = next(i for i, o in enumerate(question.options) if o.correct)
        lines.append(f"ANSWER: {chr(ord('A') + key)}")
        blocks.append("\n".join(lines))
    return ExportResult(text="\n\n".join(blocks) + ("\n" if blocks else ""), left_out=tuple(left_out))
