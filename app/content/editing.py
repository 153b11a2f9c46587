"""Pure edits of a quiz-bank source: put, copy, move and remove one question, keep the rest.

The browser editors change one question at a time. Every other question keeps its own source
block byte for byte (comments, waivers and layout included); only the edited question is written
anew, in the layout of `app/content/interchange/markdown.py`, and the front matter is rewritten
from the lesson id and the final-quiz list. No disk, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..learning.item_checks import InvalidWaiver, parse_waiver
from .frontmatter import split_front_matter
from .interchange.common import one_line
from .interchange.markdown import format_front_matter, format_question
from .model import Option, Question, Quiz
from .quizzes import parse_quiz
from .sources import question_blocks

QUESTION_NUMBER = re.compile(r"-q(\d{1,4})$")


@dataclass(frozen=True)
class QuestionDraft:
    """What a teacher filled in for one question."""

    type: str
    stem: str
    options: tuple[tuple[str, bool, str], ...]  # (text, correct, feedback)
    goals: tuple[str, ...]
    rationale: str = ""
    source: str = ""
    fixed_order: bool = False
    waivers: tuple[tuple[str, str], ...] = ()  # kept from the file; the form does not edit them
    feedback: str = ""  # general feedback, shown to students once the question is graded
    points: int = 1


@dataclass(frozen=True)
class BankLayout:
    """A parsed quiz bank split into the parts an edit works on."""

    lesson: str
    final: tuple[str, ...]
    preamble: str  # text between the front matter and the first question (comments), kept as it is
    order: tuple[str, ...]  # question ids in file order
    blocks: dict[str, str]  # question id -> its source block


def draft_of(question: Question) -> QuestionDraft:
    return QuestionDraft(question.type, question.stem, tuple((o.text, o.correct, o.feedback) for o in question.options),
                         question.goals, question.rationale, question.source, question.fixed_order,
                         question.waivers, question.feedback, question.points)


def question_source(question_id: str, draft: QuestionDraft) -> str:
    """One question block in the quiz-file format."""
    question = Question(id=question_id, type=draft.type, goals=draft.goals, stem=draft.stem,
                        options=tuple(Option(one_line(t), c, one_line(f), 0) for t, c, f in draft.options),
                        source=one_line(draft.source), rationale=one_line(draft.rationale), line=0, goals_line=0,
                        fixed_order=draft.fixed_order, waivers=draft.waivers, feedback=one_line(draft.feedback),
                        points=draft.points)
    return format_question(question).rstrip("\n") + "\n"


def layout(path: str, text: str) -> BankLayout:
    """Split a quiz bank that parses; raises ContentError like `parse_quiz` otherwise."""
    quiz: Quiz = parse_quiz(path, text)
    _data, body, first_body_line = split_front_matter(path, text)
    first_question = min((q.line for q in quiz.questions), default=first_body_line + len(body))
    preamble = "\n".join(body[:first_question - first_body_line]).strip("\n")
    ordered = sorted(quiz.questions, key=lambda q: q.line)
    return BankLayout(quiz.lesson, quiz.final, preamble, tuple(q.id for q in ordered),
                      question_blocks(text, quiz.questions))


def assemble(lesson: str, final: tuple[str, ...] | list[str], preamble: str, order, blocks: dict[str, str]) -> str:
    parts = [format_front_matter(lesson, list(final))]
    if preamble.strip():
        parts.append("\n" + preamble.strip("\n") + "\n")
    body = "\n".join(blocks[question_id].rstrip("\n") + "\n" for question_id in order)
    return "".join(parts) + "\n" + body


def new_bank(lesson: str, question_id: str, draft: QuestionDraft, in_final: bool) -> str:
    """The first question of a lesson that has no quiz bank yet."""
    return assemble(lesson, [question_id] if in_final else [], "", [question_id],
                    {question_id: question_source(question_id, draft)})


def with_final(final: tuple[str, ...], question_id: str, in_final: bool) -> tuple[str, ...]:
    if in_final and question_id not in final:
        return (*final, question_id)
    if not in_final:
        return tuple(q for q in final if q != question_id)
    return final


def put_question(bank: BankLayout, question_id: str, draft: QuestionDraft, in_final: bool,
                 after: str | None = None) -> str:
    """The bank with `question_id` replaced (in place) or added (after `after`, else at the end).

    Waivers of item-writing rules written in the file are kept: the form does not show them."""
    if question_id in bank.blocks and not draft.waivers:
        draft = replace(draft, waivers=written_waivers(bank.blocks[question_id]))
    blocks = {**bank.blocks, question_id: question_source(question_id, draft)}
    order = list(bank.order)
    if question_id not in order:
        order.insert(order.index(after) + 1 if after in order else len(order), question_id)
    return assemble(bank.lesson, with_final(bank.final, question_id, in_final), bank.preamble, order, blocks)


def written_waivers(block: str) -> tuple[tuple[str, str], ...]:
    """The valid `waive:` lines of one question block (the parser reports invalid ones)."""
    found = []
    for line in block.split("\n"):
        if line.startswith("waive:"):
            try:
                found.append(parse_waiver(line.partition(":")[2]))
            except InvalidWaiver:
                continue
    return tuple(found)


def copy_question(bank: BankLayout, question_id: str, new_id: str) -> str:
    """A copy of a question under a new id, right after it (not in the final quiz)."""
    block = bank.blocks[question_id]
    heading, _, rest = block.partition("\n")
    blocks = {**bank.blocks, new_id: f"## {new_id}\n{rest}"}
    order = list(bank.order)
    order.insert(order.index(question_id) + 1, new_id)
    return assemble(bank.lesson, bank.final, bank.preamble, order, blocks)


def move_question(bank: BankLayout, question_id: str, step: int) -> str | None:
    """The bank with the question one place up (step -1) or down (+1); None at either end."""
    order = list(bank.order)
    index = order.index(question_id)
    target = index + step
    if not 0 <= target < len(order):
        return None
    order[index], order[target] = order[target], order[index]
    return assemble(bank.lesson, bank.final, bank.preamble, order, bank.blocks)


def remove_question(bank: BankLayout, question_id: str) -> str:
    """The bank without the question (and without it in the final quiz): sync retires it."""
    order = [q for q in bank.order if q != question_id]
    blocks = {q: b for q, b in bank.blocks.items() if q != question_id}
    return assemble(bank.lesson, with_final(bank.final, question_id, False), bank.preamble, order, blocks)


def next_question_id(lesson: str, taken: set[str]) -> str:
    """`<lesson>-qNN`, one above the highest number in use, never an id taken anywhere on the site."""
    numbers = [int(m.group(1)) for q in taken if q.startswith(f"{lesson}-q") and (m := QUESTION_NUMBER.search(q))]
    number = max(numbers, default=0) + 1
    while f"{lesson}-q{number:02d}" in taken:
        number += 1
    return f"{lesson}-q{number:02d}"


def question_block(text: str, question_id: str) -> str | None:
    """The source block of one question in any revision of a bank (even one that no longer
    parses): from its '## id' line to the next '## ' heading, without trailing blank lines."""
    lines = text.splitlines()
    heading = f"## {question_id}"
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    block = lines[start:end]
    while block and not block[-1].strip():
        block.pop()
    return "\n".join(block) + "\n"


def with_block(bank: BankLayout, question_id: str, block: str) -> str:
    """The bank with this exact block for the question: in its place, or at the end if it is gone."""
    order = list(bank.order)
    if question_id not in order:
        order.append(question_id)
    return assemble(bank.lesson, bank.final, bank.preamble, order, {**bank.blocks, question_id: block})


# --- slides of a lesson ------------------------------------------------------------------------

SLIDE_FENCE = re.compile(r"^\s*(```|~~~)")  # the lesson parser's code-fence pattern
SLIDE_ACTIONS = ("add", "up", "down", "delete")


def lesson_slides(path: str, text: str) -> tuple[list[str], list[list[str]]]:
    """(front-matter lines, the lines of each slide): the body split on '---' lines outside code
    fences exactly as the lesson parser does, an empty chunk at either end not being a slide."""
    lines = text.lstrip("\ufeff").splitlines()
    _data, body, _first = split_front_matter(path, text)
    head = lines[:len(lines) - len(body)]
    chunks: list[list[str]] = [[]]
    in_fence = False
    for line in body:
        if SLIDE_FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.strip() == "---":
            chunks.append([])
        else:
            chunks[-1].append(line)
    if chunks and not any(line.strip() for line in chunks[0]):
        chunks = chunks[1:]
    if chunks and not any(line.strip() for line in chunks[-1]):
        chunks = chunks[:-1]
    return head, [trimmed(chunk) for chunk in chunks]


def trimmed(lines: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i + 1 for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), start)
    return lines[start:end]


def assemble_lesson(head: list[str], slides: list[list[str]]) -> str:
    body = "\n\n---\n\n".join("\n".join(slide) for slide in slides)
    return "\n".join(head) + "\n\n" + body + "\n"


def edit_slide(path: str, text: str, number: int, action: str, new_slide: str = "## New slide") -> str | None:
    """The lesson text after one slide action on slide `number` (1-based): 'add' a slide after it,
    move it 'up' or 'down', or 'delete' it. None when the slide or the move does not exist.
    Raises ContentError when the front matter cannot be read."""
    if action not in SLIDE_ACTIONS:
        raise ValueError(f"action must be one of {SLIDE_ACTIONS}")
    head, slides = lesson_slides(path, text)
    index = number - 1
    if not 0 <= index < len(slides):
        return None
    if action == "add":
        slides.insert(index + 1, new_slide.split("\n"))
    elif action == "delete":
        del slides[index]
    else:
        target = index + (-1 if action == "up" else 1)
        if not 0 <= target < len(slides):
            return None
        slides[index], slides[target] = slides[target], slides[index]
    return assemble_lesson(head, slides)
