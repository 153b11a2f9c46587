"""Pure helpers on source texts: hashes, a question's own Markdown block, a lesson's position."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from .model import Question

NUMBER_PREFIX = re.compile(r"^(\d{1,6})-")


def source_hash(text: str) -> str:
    """sha256 of the UTF-8 text: the same for a file on disk and its revision in the database."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def question_blocks(text: str, questions: Iterable[Question]) -> dict[str, str]:
    """Each question's source block: from its '## id' heading up to the next question, without
    the blank lines that separate it from the next one."""
    lines = text.splitlines()
    starts = sorted((q.line, q.id) for q in questions)
    blocks: dict[str, str] = {}
    for index, (start, question_id) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(lines)
        block = lines[start - 1:end]
        while block and not block[-1].strip():
            block.pop()
        blocks[question_id] = "\n".join(block) + "\n"
    return blocks


def lesson_positions(stems_by_course: Mapping[str, Iterable[tuple[str, str]]]) -> dict[str, int]:
    """Lesson id -> position: the NN- prefix of its file name, else its place in the folder.

    `stems_by_course` maps a course to (file stem, lesson id) pairs."""
    positions: dict[str, int] = {}
    for pairs in stems_by_course.values():
        for order, (stem, lesson_id) in enumerate(sorted(pairs), start=1):
            match = NUMBER_PREFIX.match(stem)
            positions[lesson_id] = int(match.group(1)) if match else order
    return positions
