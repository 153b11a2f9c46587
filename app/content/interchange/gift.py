"""Moodle GIFT: import (text in, questions or line errors out) and export of a Lesmark quiz.

Follows Moodle's own importer (`qformat_gift`): questions are separated by blank lines,
`//` lines are comments, `$CATEGORY:` sets the category of the questions after it,
`::title::` names a question, the answers sit between `{` and `}`, `=` marks the right
answer of a single-choice question, `~` a wrong one and `~%50%` a weighted one (a
multiple-response question has no `=`), `#` starts an answer's feedback and `####` the
general feedback, `{T}`/`{TRUE}`/`{F}`/`{FALSE}` make a true/false question
(`{T#feedback when wrong#feedback when right}`), `[markdown]`, `[html]`, `[plain]` and
`[moodle]` give a text's format, and `\\~ \\= \\# \\{ \\} \\: \\n \\\\` are escapes.

Lesmark has no essay, numerical, short-answer, matching, missing-word or description
questions: those are skipped and listed. Anything Moodle itself would refuse is a
`LineError` with the line it is on; the other questions of the file still import.
"""

from __future__ import annotations

import re

from ..model import Quiz
from . import weights as moodle_weights
from .common import add_question, file_lines, one_line, true_false_words
from .model import (
    ExportResult,
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    LineError,
    Skipped,
)
from .text import FORMATS, to_markdown

_ESCAPABLE = ":#={}~"
_PLACEHOLDER_BASE = 0xE000  # private-use code points stand in for escaped characters
_BACKSLASH = chr(_PLACEHOLDER_BASE + ord("\\"))
_NEWLINE = chr(_PLACEHOLDER_BASE + ord("n"))
_PLACEHOLDERS = {chr(_PLACEHOLDER_BASE + ord(c)): c for c in _ESCAPABLE} | {_BACKSLASH: "\\", _NEWLINE: "\n"}
_WEIGHT = re.compile(r"^\s*%([^%\n]*)%")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_FORMAT = re.compile(r"^\[(" + "|".join(FORMATS) + r")\]")
_LESMARK_COMMENT = re.compile(r"^//\s*(source|rationale|goals)\s*:\s*(.*)$")
TRUE_WORDS, FALSE_WORDS = ("T", "TRUE"), ("F", "FALSE")


class _Reject(Exception):
    """Ends the parsing of one question with an error or a skip."""

    def __init__(self, line: int, message: str, skip: bool = False):
        super().__init__(message)
        self.line, self.message, self.skip = line, message, skip
        self.title = ""


def protect(text: str) -> str:
    """Replace escaped characters by placeholders, as Moodle's escapedchar_pre does."""
    text = "".join("\ufffd" if ch in _PLACEHOLDERS else ch for ch in text)
    text = text.replace("\\\\", _BACKSLASH)
    for ch in _ESCAPABLE:
        text = text.replace("\\" + ch, chr(_PLACEHOLDER_BASE + ord(ch)))
    return text.replace("\\n", _NEWLINE)


def restore(text: str) -> str:
    return "".join(_PLACEHOLDERS.get(ch, ch) for ch in text)


def parse_gift(text: str, *, language: str = "en") -> ImportResult:
    """Parse a GIFT file. Never raises on bad input: problems come back as line errors."""
    result = ImportResult()
    lines = file_lines(result, text)
    if lines is None:
        return result
    category = ""
    for start, block in _blocks(lines):
        category = _parse_block(result, start, block, category, language)
    return result


def _blocks(lines: list[str]):
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _parse_block(result: ImportResult, start: int, block: list[str], category: str, language: str) -> str:
    meta: dict[str, str] = {}
    kept = []
    for line in block:
        stripped = line.strip()
        if stripped.startswith("//"):
            if match := _LESMARK_COMMENT.match(stripped):
                meta[match.group(1)] = match.group(2).strip()
            kept.append("")
        else:
            kept.append(line)
    body = protect("\n".join(kept))
    if not body.strip():
        return category
    pos = len(body) - len(body.lstrip())

    def line_at(offset: int) -> int:
        return start + body.count("\n", 0, offset)

    if body.startswith("$CATEGORY:", pos):
        name, _newline, rest = body[pos + len("$CATEGORY:"):].partition("\n")
        if rest.strip():
            extra = pos + len("$CATEGORY:") + len(name) + 1
            extra += len(rest) - len(rest.lstrip())
            result.errors.append(LineError(line_at(extra), "a question must be separated from the "
                                                           "$CATEGORY line by a blank line"))
        return restore(name).strip()
    try:
        question = _parse_question(body, pos, line_at, category, language, meta)
    except _Reject as reject:
        if reject.skip:
            result.skipped.append(Skipped(reject.line, reject.message, reject.title))
        else:
            result.errors.append(LineError(reject.line, reject.message))
        return category
    add_question(result, question, language)
    return category


def _split_format(text: str, default: str) -> tuple[str, str]:
    stripped = text.strip()
    if match := _FORMAT.match(stripped):
        return match.group(1), stripped[match.end():]
    return default, stripped


def _text(raw: str, text_format: str) -> str:
    text_format, raw = _split_format(raw, text_format)
    return to_markdown(restore(raw), text_format)


def _parse_question(body, pos, line_at, category, language, meta) -> ImportedQuestion:
    first_line = line_at(pos)
    title = ""
    if body.startswith("::", pos):
        end = body.find("::", pos + 2)
        if end < 0:
            raise _Reject(first_line, "the title is not closed: write ::title:: before the question text")
        title = one_line(restore(body[pos + 2:end]))
        pos = end + 2
    try:
        return _parse_answers(body, pos, line_at, first_line, title, category, language, meta)
    except _Reject as reject:
        reject.title = title
        raise


def _parse_answers(body, pos, line_at, first_line, title, category, language, meta) -> ImportedQuestion:
    opening, closing = body.find("{", pos), body.find("}", pos)
    if opening < 0 and closing < 0:
        raise _Reject(first_line, "description (text without answers): nothing to grade", skip=True)
    if opening < 0 or (0 <= closing < opening):
        raise _Reject(line_at(closing), "'}' without an opening '{' (write \\} for a brace in the text)")
    if closing < 0:
        raise _Reject(line_at(opening), "'{' is not closed by '}' (write \\{ for a brace in the text)")
    if (inner := body.find("{", opening + 1, closing)) >= 0:
        raise _Reject(line_at(inner), "'{' inside the answers: close the answers with '}' first "
                                      "(write \\{ for a brace in the text)")
    after = body[closing + 1:]
    if (stray := re.search(r"[{}]", after)) is not None:
        raise _Reject(line_at(closing + 1 + stray.start()),
                      "a second answer section: separate questions with a blank line")

    text_format, stem_raw = _split_format(body[pos:opening], "moodle")
    answers = body[opening + 1:closing]
    answers_at = opening + 1
    general_raw = ""
    if (general_at := answers.rfind("####")) >= 0:
        general_raw, answers = answers[general_at + 4:], answers[:general_at]
    answer_text = answers.strip()
    qtype = _moodle_type(answer_text)
    if qtype in SKIPPED_TYPES:
        raise _Reject(first_line, SKIPPED_TYPES[qtype], skip=True)
    if after.strip():
        raise _Reject(first_line, "missing word (text after the answers): Lesmark has no gap questions", skip=True)
    stem = to_markdown(restore(stem_raw), text_format)
    if not stem:
        raise _Reject(first_line, "the question has no text")
    general = one_line(_text(general_raw, text_format)) if general_raw.strip() else ""
    common = dict(line=first_line, title=title, stem=stem, general_feedback=general, category=category,
                  text_format=text_format, source=meta.get("source", ""), rationale=meta.get("rationale", ""),
                  goals=tuple(g for g in re.split(r"[,\s]+", meta.get("goals", "")) if g))
    if qtype == "truefalse":
        return _true_false(answer_text, text_format, language, common)
    options = _choices(answers, answers_at, line_at, text_format)
    return _choice_question(options, line_at(answers_at), common, single="=" in answer_text)


SKIPPED_TYPES = {
    "essay": "essay (empty answers {}): Lesmark has no essay questions",
    "numerical": "numerical ({#...}): Lesmark has no numerical questions",
    "matching": "matching (->): Lesmark has no matching questions",
    "shortanswer": "short answer (only = answers): Lesmark has no short-answer questions",
}


def _moodle_type(answer_text: str) -> str:
    """The question type, decided in the order Moodle decides it."""
    if not answer_text:
        return "essay"
    if answer_text.startswith("#"):
        return "numerical"
    if "~" in answer_text:
        return "multichoice"
    if "=" in answer_text and "->" in answer_text:
        return "matching"
    head = answer_text.split("#", 1)[0].strip()
    if head in TRUE_WORDS + FALSE_WORDS:
        return "truefalse"
    return "shortanswer"


def _true_false(answer_text, text_format, language, common) -> ImportedQuestion:
    head, *feedback = answer_text.split("#", 2)
    wrong_feedback = one_line(_text(feedback[0], text_format)) if feedback else ""
    right_feedback = one_line(_text(feedback[1], text_format)) if len(feedback) > 1 else ""
    is_true = head.strip() in TRUE_WORDS
    true_word, false_word = true_false_words(language)
    options = (ImportedOption(true_word, is_true, right_feedback if is_true else wrong_feedback),
               ImportedOption(false_word, not is_true, wrong_feedback if is_true else right_feedback))
    return ImportedQuestion(type="truefalse", options=options, **common)


def _choices(answers: str, answers_at: int, line_at, text_format) -> list[tuple[int, ImportedOption]]:
    markers = [i for i, ch in enumerate(answers) if ch in "~="]
    if answers[:markers[0]].strip():
        lead = len(answers[:markers[0]]) - len(answers[:markers[0]].lstrip())
        raise _Reject(line_at(answers_at + lead), "text before the first answer: start every answer with ~ or =")
    options = []
    for index, at in enumerate(markers):
        piece = answers[at + 1:markers[index + 1] if index + 1 < len(markers) else len(answers)]
        line = line_at(answers_at + at)
        weight = 100.0 if answers[at] == "=" else 0.0
        if answers[at] == "~" and (match := _WEIGHT.match(piece)):
            raw = match.group(1).strip()
            if not _NUMBER.match(raw):
                raise _Reject(line, f"answer weight %{restore(raw)}% is not a number")
            weight = float(raw)
            if not moodle_weights.is_allowed(weight):
                raise _Reject(line, f"answer weight {raw}% is not one of Moodle's grades; the nearest is "
                                    f"{moodle_weights.nearest_allowed(weight)}%")
            piece = piece[match.end():]
        text_raw, _hash, feedback_raw = piece.partition("#")
        text = one_line(_text(text_raw, text_format))
        if not text:
            raise _Reject(line, "an answer without text")
        feedback = one_line(_text(feedback_raw, text_format)) if feedback_raw.strip() else ""
        options.append((line, ImportedOption(text, weight > 0, feedback, weight)))
    if len(options) < 2:
        raise _Reject(line_at(answers_at), "a choice question needs at least two answers")
    return options


def _choice_question(options, answers_line, common, single: bool) -> ImportedQuestion:
    """Moodle: an '=' answer makes a single-choice question, no '=' a multiple-response one."""
    weights = tuple(option.weight for _line, option in options)
    plain = tuple(option for _line, option in options)
    full = [w for w in weights if w == 100.0]
    notes: list[str] = []
    if single:
        if len(full) > 1:
            raise _Reject(answers_line, "several answers are fully right (=): Lesmark's single choice has "
                                        "exactly one right answer", skip=True)
        partial = [w for w in weights if w != 100.0 and w != 0.0]
        if partial:
            notes.append("Partial weights (" + ", ".join(f"{moodle_weights.format_percent(w)} %" for w in partial)
                         + ") are dropped: a Lesmark single-choice answer scores 100 % or 0 %.")
        options_out = tuple(ImportedOption(o.text, o.weight == 100.0, o.feedback, o.weight) for o in plain)
        return ImportedQuestion(type="single", options=options_out, notes=tuple(notes), **common)
    total = sum(w for w in weights if w > 0)
    if round(total, 2) != 100:
        raise _Reject(answers_line, f"the positive answer weights add up to {moodle_weights.format_percent(total)} %; "
                                    "Moodle needs exactly 100 % for a multiple-response question")
    right = sum(1 for w in weights if w > 0)
    if right == len(weights):
        raise _Reject(answers_line, "every answer has a positive weight: Lesmark's multiple response needs "
                                    "at least one wrong option", skip=True)
    if right == 1:
        notes.append("Only one answer has a positive weight: it is imported as a single-choice question "
                     "(radio buttons instead of tick boxes).")
        return ImportedQuestion(type="single", options=plain, notes=tuple(notes), **common)
    mapping = moodle_weights.map_weights(weights)
    notes.append(moodle_weights.describe(mapping))
    return ImportedQuestion(type="multiple", options=plain, notes=tuple(notes), weight_mapping=mapping, **common)



# --- export -------------------------------------------------------------------------------

def escape(text: str) -> str:
    """Escape GIFT's special characters (as Moodle's repchar does): \\ ~ = # { } : and newlines."""
    text = text.replace("\\", "\\\\")
    for ch in _ESCAPABLE:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "\\n")


def _answer_text(text: str) -> str:
    # a text that itself starts with "[markdown]" & co. must not be read as a format tag
    escaped = escape(text)
    return f"[markdown]{escaped}" if escaped.startswith("[") else escaped


TRUE_OPTION_WORDS = {"true", "waar", "juist", "igaz", "tosi", "oikein", "wahr", "vrai"}
FALSE_OPTION_WORDS = {"false", "niet waar", "onwaar", "hamis", "epätosi", "väärin", "falsch", "faux"}


def true_option_index(options) -> int:
    """Which option of a true/false question says "true" (the first one, unless its words say otherwise)."""
    first, second = (o.text.strip().rstrip(".").casefold() for o in options)
    return 1 if first in FALSE_OPTION_WORDS or second in TRUE_OPTION_WORDS else 0


def export_gift(quiz: Quiz) -> ExportResult:
    """The quiz bank as GIFT: every question, named by its id, its texts in [markdown].

    Multiple-response keys become equal weights: each right option 100/right %, each wrong
    option -100/wrong %, which is exactly Lesmark's partial-credit rule in Moodle's terms."""
    blocks = [f"// Lesmark quiz bank of lesson {quiz.lesson}"]
    for question in quiz.questions:
        lines = [f"// {question.id}", f"// goals: {', '.join(question.goals)}"]
        if question.source:
            lines.append(f"// source: {one_line(question.source)}")
        if question.rationale:
            lines.append(f"// rationale: {one_line(question.rationale)}")
        head = f"::{escape(question.id)}::[markdown]{escape(question.stem)}"
        if question.type == "truefalse":
            true_index = true_option_index(question.options)
            key_is_true = question.options[true_index].correct
            right = next(o for o in question.options if o.correct)
            wrong = next(o for o in question.options if not o.correct)
            general = f"####{_answer_text(question.feedback)}" if question.feedback else ""
            lines.append(f"{head}{{{'TRUE' if key_is_true else 'FALSE'}"
                         f"#{_answer_text(wrong.feedback)}#{_answer_text(right.feedback)}{general}}}")
        else:
            lines.append(head + "{")
            right_total = sum(1 for o in question.options if o.correct)
            wrong_total = len(question.options) - right_total
            for option in question.options:
                if question.type == "single":
                    marker = "=" if option.correct else ("~%0%" if option.text.startswith("%") else "~")
                elif option.correct:
                    marker = f"~%{moodle_weights.equal_share(right_total)}%"
                else:
                    marker = f"~%-{moodle_weights.equal_share(wrong_total)}%"
                lines.append(f"\t{marker}{_answer_text(option.text)}#{_answer_text(option.feedback)}")
            if question.feedback:
                lines.append(f"\t####{_answer_text(question.feedback)}")
            lines.append("}")
        blocks.append("\n".join(lines))
    return ExportResult(text="\n\n".join(blocks) + "\n")
