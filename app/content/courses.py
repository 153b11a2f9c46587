"""Course files (course.md) and glossary files (glossary.md)."""

from __future__ import annotations

import re
from pathlib import PurePath

from .frontmatter import field_line, id_field, split_front_matter, text_field, unknown_fields
from .lessons import language_field
from .model import ContentError, Course, Glossary, GlossaryEntry, Problem

COURSE_FIELDS = {"id", "title", "language", "level", "description"}
GLOSSARY_FIELDS = {"course"}
ENGLISH = re.compile(r"^:\s*en:\s*(.*)$")


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
                               required=False, max_len=1000),
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
            problems.append(Problem(path, term_line, f"term {term!r} has no definition (': definition')"))
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
                problems.append(Problem(path, number, f"term {term!r} has two definitions"))
            else:
                definition = stripped[1:].strip()
            continue
        close()
        term, term_line, definition, english = stripped, number, "", ""
    close()
    seen: set[str] = set()
    for entry in entries:
        if entry.term.casefold() in seen:
            problems.append(Problem(path, entry.line, f"duplicate term {entry.term!r}"))
        seen.add(entry.term.casefold())
    if problems:
        raise ContentError(problems)
    return Glossary(course=course, entries=tuple(entries), path=path, course_line=field_line(lines, "course"))
