"""Quiz files: one lesson's question bank plus the list of the end-of-lesson quiz."""

from __future__ import annotations

import re
from pathlib import PurePath

from ..learning.item_checks import InvalidWaiver, parse_waiver
from .frontmatter import (
    ID_PATTERN,
    MAX_ID_CHARS,
    field_line,
    id_field,
    shown,
    split_front_matter,
    unknown_fields,
)
from .model import QUESTION_TYPES, ContentError, Option, Problem, Question, Quiz

QUIZ_FIELDS = {"lesson", "final"}
QUESTION_HEADING = re.compile(r"^##\s+(\S+)\s*$")
METADATA = re.compile(r"^(type|goals|source|rationale|feedback|points|order|waive)\s*:\s*(.*)$")
OPTION = re.compile(r"^[-*]\s+\[( |x|X)\]\s*(.*)$")
FEEDBACK = re.compile(r"^\s+>\s?(.*)$")
MIN_OPTIONS, MAX_OPTIONS = 2, 8
MAX_QUESTIONS = 200
MAX_STEM_CHARS = 5_000
MAX_OPTION_CHARS = 1_000
MAX_FEEDBACK_CHARS = 2_000
MAX_RATIONALE_CHARS = 2_000
MIN_POINTS, MAX_POINTS = 1, 100
POINTS = re.compile(r"^[0-9]{1,3}$")
MAX_SOURCE_CHARS = 300  # the source column in the database
MAX_QUESTION_GOALS = 12
MAX_REPORTED_UNKNOWN = 10


def parse_quiz(path: str, text: str) -> Quiz:
    """Parse one quiz file; raise ContentError listing every problem found."""
    data, body, first_body_line = split_front_matter(path, text)
    fm_lines = text.splitlines()
    problems: list[Problem] = []
    unknown_fields(problems, path, data, QUIZ_FIELDS, fm_lines)
    lesson = id_field(problems, path, data, "lesson", field_line(fm_lines, "lesson"))
    final_line = field_line(fm_lines, "final")
    final = data.get("final")
    final = [] if final is None else final
    if not isinstance(final, list) or not all(isinstance(i, str) for i in final):
        problems.append(Problem(path, final_line, "front matter: 'final' must be a list of question ids"))
        final = []
    elif len(final) > MAX_QUESTIONS:
        problems.append(Problem(path, final_line, f"front matter: 'final' lists more than {MAX_QUESTIONS} questions"))
        final = []
    blocks = split_questions(problems, path, body, first_body_line)
    questions = [q for q in (parse_question(problems, path, start, block) for start, block in blocks) if q]
    # ids of every heading, valid or not, so a broken question is not also reported as "unknown"
    headed = {m.group(1) for _, block in blocks if (m := QUESTION_HEADING.match(block[0]))}
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            problems.append(Problem(path, q.line, f"duplicate question id {q.id!r}"))
        seen.add(q.id)
    if len(set(final)) != len(final):
        problems.append(Problem(path, final_line, "final quiz lists the same question twice"))
    unknown = [question_id for question_id in final if question_id not in headed]
    for question_id in unknown[:MAX_REPORTED_UNKNOWN]:
        problems.append(Problem(path, final_line, f"final quiz names unknown question {shown(question_id)}"))
    if len(unknown) > MAX_REPORTED_UNKNOWN:
        problems.append(Problem(path, final_line, f"final quiz names {len(unknown) - MAX_REPORTED_UNKNOWN} more unknown questions"))
    if problems:
        raise ContentError(problems)
    p = PurePath(path)
    return Quiz(lesson=lesson, final=tuple(final), questions=tuple(questions), path=path,
                folder=p.parent.name, stem=p.stem, final_line=final_line,
                lesson_line=field_line(fm_lines, "lesson"))


def split_questions(problems: list[Problem], path: str, body: list[str], first_line: int):
    blocks: list[tuple[int, list[str]]] = []
    for offset, line in enumerate(body):
        if line.startswith("## "):
            blocks.append((first_line + offset, [line]))
        elif blocks:
            blocks[-1][1].append(line)
        elif line.strip() and not line.lstrip().startswith("<!--"):
            problems.append(Problem(path, first_line + offset, "text before the first question ('## question-id')"))
            break
    if not blocks:
        problems.append(Problem(path, first_line, "quiz has no questions"))
    if len(blocks) > MAX_QUESTIONS:
        problems.append(Problem(path, first_line, f"more than {MAX_QUESTIONS} questions in one file"))
        return []
    return blocks


def parse_question(problems: list[Problem], path: str, start: int, block: list[str]) -> Question | None:
    count_before = len(problems)
    heading = QUESTION_HEADING.match(block[0])
    if not heading or not ID_PATTERN.match(heading.group(1)) or len(heading.group(1)) > MAX_ID_CHARS:
        problems.append(Problem(path, start, "question heading must be '## question-id' "
                                             f"(a-z, 0-9, hyphens; at most {MAX_ID_CHARS} characters)"))
        return None
    question_id = heading.group(1)
    meta, waivers, index = read_metadata(problems, path, question_id, start, block)
    stem_lines: list[str] = []
    while index < len(block) and not OPTION.match(block[index]):
        stem_lines.append(block[index])
        index += 1
    options = parse_options(problems, path, question_id, start, block, index)

    qtype, type_line = meta.get("type", ("", start))
    goals_raw, goals_line = meta.get("goals", ("", start))
    goals = tuple(g for g in re.split(r"[,\s]+", goals_raw) if g)
    source, rationale, feedback = (meta.get(key, ("", start))[0] for key in ("source", "rationale", "feedback"))
    order, order_line = meta.get("order", ("", start))
    points_raw, points_line = meta.get("points", ("1", start))
    points = int(points_raw) if POINTS.match(points_raw) else 0
    stem = "\n".join(stem_lines).strip()
    if not qtype:
        problems.append(Problem(path, start, f"{question_id}: 'type:' is missing (single, multiple or truefalse)"))
    elif qtype not in QUESTION_TYPES:
        problems.append(Problem(path, type_line, f"{question_id}: unknown type {shown(qtype)} (use single, multiple or truefalse)"))
    if not goals:
        problems.append(Problem(path, goals_line, f"{question_id}: 'goals:' must name at least one goal id"))
    elif len(goals) > MAX_QUESTION_GOALS:
        problems.append(Problem(path, goals_line, f"{question_id}: 'goals:' names more than {MAX_QUESTION_GOALS} goals"))
    elif bad := next((g for g in goals if len(g) > MAX_ID_CHARS or not ID_PATTERN.match(g)), None):
        problems.append(Problem(path, goals_line, f"{question_id}: goal id {shown(bad)} must use only a-z, 0-9 and hyphens"))
    for key, limit in (("source", MAX_SOURCE_CHARS), ("rationale", MAX_RATIONALE_CHARS),
                       ("feedback", MAX_FEEDBACK_CHARS)):
        value, line = meta.get(key, ("", start))
        if len(value) > limit:
            problems.append(Problem(path, line, f"{question_id}: '{key}:' is longer than {limit} characters"))
    if not MIN_POINTS <= points <= MAX_POINTS:
        problems.append(Problem(path, points_line, f"{question_id}: 'points:' must be a whole number from "
                                                   f"{MIN_POINTS} to {MAX_POINTS}, not {shown(points_raw)}"))
    if order not in ("", "fixed"):
        problems.append(Problem(path, order_line, f"{question_id}: 'order:' can only be 'fixed' "
                                                  "(leave it out to shuffle the options)"))
    if not stem:
        problems.append(Problem(path, start, f"{question_id}: the question has no text (stem)"))
    elif len(stem) > MAX_STEM_CHARS:
        problems.append(Problem(path, start, f"{question_id}: the question text is longer than {MAX_STEM_CHARS} characters"))
    check_key(problems, path, question_id, qtype, options, start)
    if len(problems) > count_before:
        return None
    return Question(id=question_id, type=qtype, goals=goals, stem=stem, options=tuple(options),
                    source=source, rationale=rationale,
                    line=start, goals_line=goals_line, fixed_order=order == "fixed",
                    waivers=tuple(sorted(waivers.items())), feedback=feedback, points=points)


def read_metadata(problems: list[Problem], path: str, question_id: str, start: int, block: list[str]
                  ) -> tuple[dict[str, tuple[str, int]], dict[str, str], int]:
    """The `key: value` lines under a question's heading: ({key: (value, line)}, {waived rule: reason},
    index in `block` of the first line after them)."""
    meta: dict[str, tuple[str, int]] = {}
    waivers: dict[str, str] = {}
    index = 1
    while index < len(block) and (match := METADATA.match(block[index])):
        if match.group(1) == "waive":  # may repeat: one line per item-writing rule waived
            waive(problems, path, question_id, start + index, match.group(2), waivers)
        elif match.group(1) in meta:
            problems.append(Problem(path, start + index, f"{question_id}: '{match.group(1)}' given twice"))
        else:
            meta[match.group(1)] = (match.group(2).strip(), start + index)
        index += 1
    return meta, waivers, index


def waive(problems: list[Problem], path: str, question_id: str, line: int, value: str,
          waivers: dict[str, str]) -> None:
    """`waive: key-longest — the key quotes the law`: the checker skips that rule for this question."""
    try:
        rule, reason = parse_waiver(value)
    except InvalidWaiver as exc:
        problems.append(Problem(path, line, f"{question_id}: {exc}"))
        return
    if len(reason) > MAX_RATIONALE_CHARS:
        problems.append(Problem(path, line, f"{question_id}: the waiver's reason is longer than "
                                            f"{MAX_RATIONALE_CHARS} characters"))
    elif rule in waivers:
        problems.append(Problem(path, line, f"{question_id}: rule {rule!r} is waived twice"))
    else:
        waivers[rule] = reason


def parse_options(problems, path, question_id, start, block, index) -> list[Option]:
    options: list[Option] = []
    feedback: list[str] = []

    def close_option():
        if options:
            last = options[-1]
            options[-1] = Option(text=last.text, correct=last.correct, feedback=" ".join(feedback).strip(), line=last.line)
            feedback.clear()

    while index < len(block):
        line, number = block[index], start + index
        if match := OPTION.match(line):
            close_option()
            text = match.group(2).strip()
            if not text:
                problems.append(Problem(path, number, f"{question_id}: option without text"))
            elif len(text) > MAX_OPTION_CHARS:
                problems.append(Problem(path, number, f"{question_id}: option text longer than {MAX_OPTION_CHARS} characters"))
            options.append(Option(text=text, correct=match.group(1) != " ", feedback="", line=number))
        elif (match := FEEDBACK.match(line)) and options:
            feedback.append(match.group(1))
        elif line.strip() and not line.lstrip().startswith("<!--"):
            problems.append(Problem(path, number, f"{question_id}: unexpected text after the options "
                                                  "(options are '- [x] text' or '- [ ] text', feedback an indented '> ' line)"))
        index += 1
    close_option()
    for option in options[:MAX_OPTIONS + 1]:
        if not option.feedback:
            problems.append(Problem(path, option.line, f"{question_id}: option has no feedback (add an indented '> ' line)"))
        elif len(option.feedback) > MAX_FEEDBACK_CHARS:
            problems.append(Problem(path, option.line, f"{question_id}: feedback longer than {MAX_FEEDBACK_CHARS} characters"))
    texts = [o.text.casefold() for o in options]
    if len(set(texts)) != len(texts):
        problems.append(Problem(path, start, f"{question_id}: two options have the same text"))
    return options


def check_key(problems, path, question_id, qtype, options, start) -> None:
    keys = sum(1 for o in options if o.correct)
    if not options:
        problems.append(Problem(path, start, f"{question_id}: no options ('- [x] correct', '- [ ] wrong')"))
        return
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problems.append(Problem(path, start, f"{question_id}: needs {MIN_OPTIONS}–{MAX_OPTIONS} options, has {len(options)}"))
    if keys == 0:
        problems.append(Problem(path, start, f"{question_id}: no correct answer (mark one option '- [x]')"))
    elif qtype == "single" and keys > 1:
        problems.append(Problem(path, start, f"{question_id}: single choice has {keys} correct options; it needs exactly one (or use type: multiple)"))
    elif qtype == "truefalse":
        if len(options) != 2:
            problems.append(Problem(path, start, f"{question_id}: true/false needs exactly two options"))
        if keys > 1:
            problems.append(Problem(path, start, f"{question_id}: true/false has {keys} correct options; it needs exactly one"))
    elif qtype == "multiple":
        if keys < 2:
            problems.append(Problem(path, start, f"{question_id}: multiple response needs at least two correct options (or use type: single)"))
        if keys == len(options):
            problems.append(Problem(path, start, f"{question_id}: multiple response needs at least one wrong option"))
