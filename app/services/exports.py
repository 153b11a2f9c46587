"""CSV exports of a class: the gradebook and every response.

`csv_text` is pure (tested in tests/unit/test_csv_export.py): UTF-8 with a byte-order mark so
spreadsheet programs pick the encoding, a header row, CRLF line ends, and every cell that a
spreadsheet would read as a formula neutralised (OWASP "CSV injection"): a leading `=`, `+`, `-`,
`@`, tab, carriage return or NUL gets a single quote in front. The row builders read the same
data as the pages (app/services/gradebook.py) with a fixed number of statements.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Attempt,
    AttemptReset,
    AttemptSlot,
    ClassGroup,
    Lesson,
    Question,
    Response,
    User,
)
from . import gradebook as gradebook_service
from .school_time import from_utc

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole file: BOM, header, rows; every cell neutralised and quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + out.getvalue()


def _number(value: float | None) -> str:
    # Plain numbers; a negative one would be neutralised, but scores never are negative.
    return "" if value is None else f"{value:.1f}"


def _time(value, zone: str) -> str:
    # the school's wall-clock time, which a spreadsheet reads as a date; the header names the zone
    return "" if value is None else from_utc(value, zone).strftime("%Y-%m-%d %H:%M:%S")


def gradebook_csv(group: ClassGroup, status_names: dict[str, str]) -> str:
    """One row per student: username, name, then per assignment its score (%), status and late mark."""
    book = gradebook_service.gradebook(group)
    header = ["username", "name"]
    for _assignment, lesson in book.assignments:
        header += [f"{lesson.slug} score %", f"{lesson.slug} status", f"{lesson.slug} late", f"{lesson.slug} attempts"]
    rows = []
    for student in book.students:
        row = [student.username, student.display_name]
        for assignment, _lesson in book.assignments:
            cell = book.cells[(student.id, assignment.id)]
            row += [_number(cell.percent), status_names.get(cell.status, cell.status),
                    "yes" if cell.late else "no", cell.submitted]
        rows.append(row)
    return csv_text(header, rows)


def response_header(zone: str) -> list[str]:
    return ["student", "name", "lesson", "attempt", "kind", "reset", f"started ({zone})", f"submitted ({zone})",
            "slot", "question", "score", "selected", "outcome", f"answered ({zone})"]


def responses_csv(group: ClassGroup, zone: str) -> str:
    """One row per answer of every roster student on every assigned lesson (2 statements).

    `selected` lists the chosen options by their stored position (1 = first in the quiz file),
    whatever order the student saw; `score` is 0-1; times are wall-clock times in `zone`."""
    students = gradebook_service.roster_users(group)
    lessons = [lesson for _, lesson in gradebook_service.assigned_lessons(group)]
    rows = []
    if students and lessons:
        result = db.session.execute(
            select(User.username, User.display_name, Lesson.slug, Attempt.id, Attempt.kind, AttemptReset.attempt_id,
                   Attempt.started_at, Attempt.submitted_at, AttemptSlot.number, Question.slug, Response.score,
                   Response.selected, Response.outcome, Response.created_at)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .join(User, User.id == Attempt.user_id)
            .join(Lesson, Lesson.id == Attempt.lesson_id)
            .join(AttemptSlot, AttemptSlot.id == Response.slot_id)
            .join(Question, Question.id == Response.question_id)
            .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
            .where(Attempt.user_id.in_([s.id for s in students]), Attempt.lesson_id.in_([le.id for le in lessons]))
            .order_by(User.username, Attempt.started_at, Attempt.id, AttemptSlot.number))
        for (username, name, lesson, attempt_id, kind, reset, started, submitted, number, question, score,
             selected, outcome, answered) in result:
            rows.append([username, name, lesson, attempt_id, kind, "yes" if reset is not None else "no",
                         _time(started, zone), _time(submitted, zone), number, question, f"{score:g}",
                         " ".join(str(i + 1) for i in sorted(selected)), outcome, _time(answered, zone)])
    return csv_text(response_header(zone), rows)
