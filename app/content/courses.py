"""Course files (course.md) and glossary files (glossary.md)."""

from __future__ import annotations

import re
from pathlib import PurePath

from .frontmatter import field_line, id_field, shown, split_front_matter, text_field, unknown_fields
from .lessons import language_field
from .model import ContentError, Course, Glossary, GlossaryEntry, Problem

COURSE_FIELDS = {"id", "title", "language", "level", "description"}
GLOSSARY_FIELDS = {"course"}
ENGLISH = re.compile(r"^:\s*en:\s*(.*)$")
MAX_DESCRIPTION_CHARS = 1_000
MAX_TERMS = 1_000
MAX_TERM_CHARS = 200
MAX_DEFINITION_CHARS = 1_000


def parse_course(path: str, text: str) -> Course:
    data, _body, _ = split_front_matter(path, text)
    lines = text.splitlines()
    problems: list[Problem] = []
    unknown_fields(problems, path, data, COURSE_FIELDS, lines)
    course = Course(
        id=id_field(problems, path, data, "id", field_line(lines, "id")),
        title=text_field(problems, path, data, "title", field_line(lines, "title")),
        language=language_field(problems, path, data, field_line(lines, "language")),
        description=text_field(problems, path, data, "description", field_line(lines, "description"),
                               required=False, max_len=MAX_DESCRIPTION_CHARS),
        level=text_field(problems, path, data, "level", field_line(lines, "level"), required=False),
        path=path,
        folder=PurePath(path).parent.name,
    )
    if problems:
        raise ContentError(problems)
    return course


def parse_glossary(path: str, text: str) -> Glossary:
    data, body, first_line = split_front_matter(path, text)
    lines = text.splitlines()
    problems: list[Problem] = []
    unknown_fields(problems, path, data, GLOSSARY_FIELDS, lines)
    course = id_field(problems, path, data, "course", field_line(lines, "course"))
    entries: list[GlossaryEntry] = []
    term, term_line, definition, english = None, 0, "", ""

    def close():
        if term is None:
            return
        if not definition:
            problems.append(Problem(path, term_line, f"term {shown(term)} has no definition (': definition')"))
        if len(term) > MAX_TERM_CHARS:
            problems.append(Problem(path, term_line, f"term {shown(term)} is longer than {MAX_TERM_CHARS} characters"))
        if len(definition) > MAX_DEFINITION_CHARS:
            problems.append(Problem(path, term_line, f"definition of {shown(term)} is longer than {MAX_DEFINITION_CHARS} characters"))
        if len(english) > MAX_TERM_CHARS:
            problems.append(Problem(path, term_line, f"English term for {shown(term)} is longer than {MAX_TERM_CHARS} characters"))
        entries.append(GlossaryEntry(term=term, definition=definition, english=english, line=term_line))

    for offset, line in enumerate(body):
        number = first_line + offset
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--"):
            continue
        if stripped.startswith(":"):
            if term is None:
                problems.append(Problem(path, number, "definition without a term above it"))
            elif match := ENGLISH.match(stripped):
                english = match.group(1).strip()
            elif definition:
                problems.append(Problem(path, number, f"term {shown(term)} has two definitions"))
            else:
                definition = stripped[1:].strip()
            continue
        close()
        if len(entries) >= MAX_TERMS:
            problems.append(Problem(path, number, f"a glossary holds at most {MAX_TERMS} terms"))
            term = None
            break
        term, term_line, definition, english = stripped, number, "", ""
    close()
    seen: set[str] = set()
    for entry in entries:
        if entry.term.casefold() in seen:
            problems.append(Problem(path, entry.line, f"duplicate term {shown(entry.term)}"))
        seen.add(entry.term.casefold())
    if problems:
        raise ContentError(problems)
    return Glossary(course=course, entries=tuple(entries), path=path, course_line=field_line(lines, "course"))
