"""Lesson files: front matter, slides separated by '---', notes and checkpoints."""

from __future__ import annotations

import re
from pathlib import PurePath

from .frontmatter import (
    ID_PATTERN,
    MAX_ID_CHARS,
    MAX_TITLE_CHARS,
    field_line,
    id_field,
    key_line,
    shown,
    split_front_matter,
    text_field,
    text_value,
    unknown_fields,
)
from .model import ContentError, GlossaryLink, Goal, Lesson, Problem, Screen, Slide

LESSON_FIELDS = {"id", "course", "title", "language", "minutes", "goals", "tries", "final_includes_optional"}
GOAL_FIELDS = {"id", "text"}
OPTIONAL_GOAL_FIELDS = {"optional"}
CHECKPOINT_TRIES = (1, 2)
DEFAULT_CHECKPOINT_TRIES = 2
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")
FENCE = re.compile(r"^\s*(```|~~~)")
NOTES = re.compile(r"^Notes:\s*(.*)$")
CHECKPOINT = re.compile(r"^Checkpoint:\s*(.*)$")
GLOSSARY_LINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]|\n]+?))?\]\]")
MAX_GOALS = 12
MAX_GOAL_CHARS = 500
MAX_SLIDES = 200
MAX_CHECKPOINT_QUESTIONS = 20
OPTIONAL_SLIDE = "<!-- optional -->"  # a line of its own: the slide belongs to an optional part


def parse_lesson(path: str, text: str) -> Lesson:
    """Parse one lesson file; raise ContentError listing every problem found."""
    data, body, first_body_line = split_front_matter(path, text)
    fm_lines = text.splitlines()
    problems: list[Problem] = []
    unknown_fields(problems, path, data, LESSON_FIELDS, fm_lines)
    lesson_id = id_field(problems, path, data, "id", field_line(fm_lines, "id"))
    course = id_field(problems, path, data, "course", field_line(fm_lines, "course"))
    title = text_field(problems, path, data, "title", field_line(fm_lines, "title"))
    language = language_field(problems, path, data, field_line(fm_lines, "language"))
    minutes = minutes_field(problems, path, data, field_line(fm_lines, "minutes"))
    goals = parse_goals(problems, path, data.get("goals"), lesson_id, fm_lines)
    tries = tries_field(problems, path, data, field_line(fm_lines, "tries"))
    includes_optional = flag_field(problems, path, data, "final_includes_optional",
                                   field_line(fm_lines, "final_includes_optional"))
    slides = split_slides(problems, path, body, first_body_line)
    links = tuple(
        GlossaryLink(term=(m.group(2) or m.group(1)).strip(), line=first_body_line + i)
        for i, line in enumerate(body)
        for m in GLOSSARY_LINK.finditer(line)
    )
    if problems:
        raise ContentError(problems)
    p = PurePath(path)
    return Lesson(id=lesson_id, course=course, title=title, language=language, minutes=minutes,
                  goals=goals, slides=tuple(slides), glossary_links=links, path=path,
                  folder=p.parent.name, stem=p.stem, course_line=field_line(fm_lines, "course"),
                  checkpoint_tries=tries, final_includes_optional=includes_optional)


def language_field(problems: list[Problem], path: str, data: dict, line: int) -> str:
    value = text_field(problems, path, data, "language", line, max_len=10)
    if value and not LANGUAGE_PATTERN.match(value):
        problems.append(Problem(path, line, f"front matter: language {shown(value)} is not a language code such as 'nl' or 'hu'"))
    return value


def minutes_field(problems: list[Problem], path: str, data: dict, line: int) -> int:
    value = data.get("minutes")
    if value is None:
        problems.append(Problem(path, line, "front matter: 'minutes' is required"))
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 600:
        problems.append(Problem(path, line, "front matter: 'minutes' must be a whole number from 1 to 600"))
        return 0
    return value


def tries_field(problems: list[Problem], path: str, data: dict, line: int) -> int:
    """`tries:` how often a checkpoint may be answered before its key is shown (default 2)."""
    value = data.get("tries", DEFAULT_CHECKPOINT_TRIES)
    if isinstance(value, bool) or value not in CHECKPOINT_TRIES:
        problems.append(Problem(path, line, "front matter: 'tries' must be 1 or 2"))
        return DEFAULT_CHECKPOINT_TRIES
    return value


def flag_field(problems: list[Problem], path: str, data: dict, name: str, line: int) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        problems.append(Problem(path, line, f"front matter: {shown(name)} must be true or false"))
        return False
    return value


def parse_goals(problems: list[Problem], path: str, raw, lesson_id: str, fm_lines: list[str]) -> tuple[Goal, ...]:
    line = field_line(fm_lines, "goals")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(path, line, "front matter: 'goals' must be a list of goals, each with 'id' and 'text'"))
        return ()
    if len(raw) > MAX_GOALS:
        problems.append(Problem(path, line, f"front matter: at most {MAX_GOALS} goals per lesson"))
        return ()
    goals: list[Goal] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not GOAL_FIELDS <= set(item) <= GOAL_FIELDS | OPTIONAL_GOAL_FIELDS:
            problems.append(Problem(path, line, f"goal {number}: needs the fields 'id' and 'text' (and may have 'optional')"))
            continue
        goal_id = text_value(problems, path, item["id"], f"goal {number}: 'id'", line, max_len=MAX_ID_CHARS)
        goal_line = key_line(fm_lines, goal_id, line)
        text = text_value(problems, path, item["text"], f"goal {number}: 'text'", goal_line, max_len=MAX_GOAL_CHARS)
        if not goal_id:
            continue
        if not ID_PATTERN.match(goal_id):
            problems.append(Problem(path, goal_line, f"goal id {shown(goal_id)} must use only a-z, 0-9 and hyphens"))
        elif lesson_id and not goal_id.startswith(lesson_id + "-"):
            problems.append(Problem(path, goal_line, f"goal id {shown(goal_id)} must start with the lesson id '{lesson_id}-'"))
        if goal_id in seen:
            problems.append(Problem(path, goal_line, f"duplicate goal id {shown(goal_id)}"))
        seen.add(goal_id)
        optional = item.get("optional", False)
        if not isinstance(optional, bool):
            problems.append(Problem(path, goal_line, f"goal {number}: 'optional' must be true or false"))
        goals.append(Goal(id=goal_id, text=text, line=goal_line, optional=optional is True))
    return tuple(goals)


def split_slides(problems: list[Problem], path: str, body: list[str], first_line: int) -> list[Slide]:
    """Split the body on '---' lines outside code fences and parse each slide."""
    chunks: list[tuple[int, list[str]]] = [(first_line, [])]
    in_fence = False
    for offset, line in enumerate(body):
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.strip() == "---":
            chunks.append((first_line + offset + 1, []))
        else:
            chunks[-1][1].append(line)
    # A file may start its body with '---' or end with it: that is not an empty slide.
    if chunks and not any(line.strip() for line in chunks[0][1]):
        chunks = chunks[1:]
    if chunks and not any(line.strip() for line in chunks[-1][1]):
        chunks = chunks[:-1]
    if not chunks:
        problems.append(Problem(path, first_line, "lesson has no slides"))
        return []
    if len(chunks) > MAX_SLIDES:
        problems.append(Problem(path, first_line, f"lesson has more than {MAX_SLIDES} slides"))
        return []
    return [s for s in (parse_slide(problems, path, start, lines) for start, lines in chunks) if s]


def parse_slide(problems: list[Problem], path: str, start: int, lines: list[str]) -> Slide | None:
    content: list[str] = []
    notes: list[str] = []
    in_fence = in_notes = False
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not in_notes and (notes_match := NOTES.match(line)):
            in_notes = True
            rest = notes_match.group(1)
            if rest:
                notes.append(rest)
            continue
        (notes if in_notes else content).append(line)
    check_list_indents(problems, path, start, lines)
    meaningful = [(i, ln) for i, ln in enumerate(content) if ln.strip() and not is_comment_line(ln)]
    if not meaningful:
        message = "slide has speaker notes but no content" if any(n.strip() for n in notes) else "empty slide"
        problems.append(Problem(path, start, message))
        return None
    checkpoint_lines = [(i, m) for i, ln in meaningful if (m := CHECKPOINT.match(ln))]
    if checkpoint_lines:
        index, checkpoint = checkpoint_lines[0]
        line_number = start + index
        if len(meaningful) > 1:
            problems.append(Problem(path, line_number, "a checkpoint slide may hold only the 'Checkpoint:' line"))
            return None
        ids = tuple(i for i in re.split(r"[,\s]+", checkpoint.group(1)) if i)
        if not ids:
            problems.append(Problem(path, line_number, "checkpoint names no question ids"))
            return None
        if len(ids) > MAX_CHECKPOINT_QUESTIONS:
            problems.append(Problem(path, line_number, f"a checkpoint holds at most {MAX_CHECKPOINT_QUESTIONS} questions"))
            return None
        bad = next((i for i in ids if len(i) > MAX_ID_CHARS or not ID_PATTERN.match(i)), None)
        if bad is not None:
            problems.append(Problem(path, line_number, f"checkpoint question id {shown(bad)} must use only a-z, 0-9 "
                                                       f"and hyphens (at most {MAX_ID_CHARS} characters)"))
            return None
        if len(set(ids)) != len(ids):
            problems.append(Problem(path, line_number, "checkpoint names the same question twice"))
        return Slide(kind="checkpoint", line=line_number, title="", body="", notes="", question_ids=ids)
    title = next((t for _, ln in meaningful if (t := heading_title(ln)) is not None), "")
    if len(title) > MAX_TITLE_CHARS:
        problems.append(Problem(path, start, f"slide title is longer than {MAX_TITLE_CHARS} characters"))
    return Slide(kind="content", line=start, title=title, body="\n".join(content).strip("\n"),
                 notes="\n".join(notes).strip("\n"),
                 optional=any(ln.strip() == OPTIONAL_SLIDE for ln in content))


# No regular expressions with two adjacent quantifiers over the same characters here: the old
# heading pattern r"^#{1,2}\s+(.+?)\s*#*\s*$" took minutes on '# a' + 6,000 spaces + 'b'.
def heading_title(line: str) -> str | None:
    """The title of a '# ' or '## ' heading line (closing hashes dropped), else None."""
    hashes = len(line) - len(line.lstrip("#"))
    rest = line[hashes:]
    if hashes not in (1, 2) or not rest[:1].isspace() or not rest.strip():
        return None
    return rest.strip().rstrip("#").rstrip() or rest.strip()


def is_comment_line(line: str) -> bool:
    """A line holding only an HTML comment, such as '<!-- source: 000 s4 -->'."""
    stripped = line.strip()
    return stripped.startswith("<!--") and stripped.endswith("-->") and len(stripped) >= 7


LIST_ITEM = re.compile(r"^( *)(?:[-*+]|\d+[.)]) ")


def check_list_indents(problems: list[Problem], path: str, start: int, lines: list[str]) -> None:
    """Nested list items go two spaces deeper per level; anything else renders wrongly."""
    previous: int | None = None
    in_fence = False
    for offset, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else LIST_ITEM.match(line)
        if match is None:
            if line.strip() and not line.startswith(" "):
                previous = None  # a paragraph ends the list
            continue
        indent = len(match.group(1))
        if indent % 2 or (previous is None and indent) or (previous is not None and indent > previous + 2):
            problems.append(Problem(path, start + offset,
                                    "nested list items are indented by two spaces per level"))
            return
        previous = indent


def expand_screens(lesson: Lesson) -> list[Screen]:
    """One screen per content slide and per checkpoint question, numbered from 1."""
    screens: list[Screen] = []
    checkpoint_number = 0
    for slide in lesson.slides:
        if slide.kind == "content":
            screens.append(Screen(position=len(screens) + 1, kind="content", title=slide.title,
                                  body=slide.body, notes=slide.notes, line=slide.line,
                                  optional=slide.optional))
            continue
        checkpoint_number += 1
        for item, question_id in enumerate(slide.question_ids, start=1):
            screens.append(Screen(position=len(screens) + 1, kind="question", title="", body="", notes="",
                                  question_id=question_id, checkpoint_number=checkpoint_number,
                                  checkpoint_item=item, checkpoint_size=len(slide.question_ids),
                                  line=slide.line))
    return screens
