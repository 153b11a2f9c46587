"""The attempts of a lesson's final quiz, gathered for item analysis, the projector review and the
responses export (issue 9 points 5, 6 and 7).

Every figure is computed from what each student actually saw: the attempt's slots (the exact
question version and option order of the draw) and the responses graded against them, never from
today's quiz. By default a student's FIRST submitted attempt counts (the usual choice for item
statistics: later attempts are practised); `all_attempts=True` takes every submitted one. Attempts
a teacher reset are left out. A question answered in different versions is analysed per version.

The number of SQL statements is fixed (see `gather`), whatever the number of students or attempts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from sqlalchemy import distinct, func, select

from ..extensions import db
from ..learning.statistics import ItemAnalysis, OptionInfo, analyse_items
from ..models import (
    Attempt,
    AttemptKind,
    AttemptReset,
    AttemptSlot,
    AttemptStatus,
    ClassGroup,
    ClassStudent,
    ClassTeacher,
    Course,
    FinalQuizItem,
    Lesson,
    Question,
    QuestionVersion,
    Response,
    User,
)
from . import attempts as attempt_service

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def letter(index: int) -> str:
    """A, B, C... for stored option index 0, 1, 2 (the order of the quiz file)."""
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of sanitised option HTML, whitespace collapsed (for CSV, JSON and chart tables)."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


@dataclass(frozen=True)
class AnalysedQuestion:
    key: str  # the id in the analysis: the question's slug, "slug@vN" when versions differ
    slug: str
    version: QuestionVersion
    position: int  # its place in the quiz (the lowest slot number it was drawn at)


@dataclass(frozen=True)
class ResponseRow:
    """One analysed attempt x question: the unit of `flask report responses`."""

    student_id: int
    username: str
    display_name: str
    attempt_id: int
    attempt_number: int  # 1 = the student's first submitted attempt of this quiz
    submitted_at: datetime | None
    question: str  # AnalysedQuestion.key
    slot: int
    score: float
    selected: tuple[int, ...]  # stored option indexes
    outcome: str


@dataclass(frozen=True)
class QuizAnalysis:
    lesson: Lesson
    all_attempts: bool
    students: int  # distinct students among the analysed attempts
    questions: tuple[AnalysedQuestion, ...]
    rows: tuple[ResponseRow, ...]
    analysis: ItemAnalysis

    def question(self, key: str) -> AnalysedQuestion | None:
        return next((q for q in self.questions if q.key == key), None)


# --- classes ---

def class_for_teacher(class_id: int, user: User) -> ClassGroup | None:
    """The class if `user` teaches it (owner or co-teacher); None otherwise or if unknown."""
    return db.session.scalar(select(ClassGroup).join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
                             .where(ClassGroup.id == class_id, ClassTeacher.user_id == user.id))


def teacher_classes(user_id: int) -> list[ClassGroup]:
    """The classes a teacher teaches, active first (for the class filter)."""
    return list(db.session.scalars(
        select(ClassGroup).join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
        .where(ClassTeacher.user_id == user_id)
        .order_by(ClassGroup.archived_at.is_not(None), ClassGroup.name, ClassGroup.id)))


def find_class(name_or_id: str) -> ClassGroup | None:
    """A class by its number or its exact name (for the command line); None if unknown or ambiguous."""
    if name_or_id.isdigit() and len(name_or_id) <= 9:
        return db.session.get(ClassGroup, int(name_or_id))
    found = list(db.session.scalars(select(ClassGroup).where(ClassGroup.name == name_or_id).limit(2)))
    return found[0] if len(found) == 1 else None


# --- gathering ---

@dataclass(frozen=True)
class QuizSummary:
    lesson: Lesson
    course: Course
    attempts: int  # submitted, not reset
    students: int


def quiz_overview() -> list[QuizSummary]:
    """Every lesson with a final quiz and how many attempts it has (two statements)."""
    lessons = db.session.execute(
        select(Lesson, Course).join(Course, Course.id == Lesson.course_id)
        .where(Lesson.retired.is_(False), Course.retired.is_(False),
               Lesson.id.in_(select(FinalQuizItem.lesson_id)))
        .order_by(Course.language, Course.title, Lesson.position)).all()
    counts = {lesson_id: (attempts, students) for lesson_id, attempts, students in db.session.execute(
        select(Attempt.lesson_id, func.count(Attempt.id), func.count(distinct(Attempt.user_id)))
        .where(Attempt.kind == AttemptKind.FINAL, Attempt.status == AttemptStatus.SUBMITTED,
               *_not_reset()).group_by(Attempt.lesson_id))}
    return [QuizSummary(lesson, course, *counts.get(lesson.id, (0, 0))) for lesson, course in lessons]


def _not_reset() -> list:
    return [Attempt.id.not_in(select(AttemptReset.attempt_id))]


def _analysed(lesson_id: int, class_id: int | None) -> list:
    """Conditions on Attempt: submitted final quizzes of the lesson, optionally of one class's
    students, not reset by a teacher."""
    conditions = [Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.FINAL,
                  Attempt.status == AttemptStatus.SUBMITTED]
    if class_id is not None:
        conditions.append(Attempt.user_id.in_(select(ClassStudent.user_id).where(ClassStudent.class_id == class_id)))
    return conditions + _not_reset()


def gather(lesson: Lesson, class_id: int | None = None, all_attempts: bool = False) -> QuizAnalysis:
    """The analysed attempts of the lesson's final quiz and their statistics.

    At most six statements whatever the size: attempts with their students, slots, responses,
    today's quiz (shown with n = 0 before anyone took it), older versions seen, the questions' slugs."""
    conditions = _analysed(lesson.id, class_id)
    attempt_rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.submitted_at, User.username, User.display_name)
        .join(User, User.id == Attempt.user_id).where(*conditions)
        .order_by(Attempt.user_id, Attempt.submitted_at, Attempt.id)).all()
    numbered, seen_students = [], {}
    for row in attempt_rows:  # ordered by student, then time: the first row of a student is theirs first
        number = seen_students.get(row.user_id, 0) + 1
        seen_students[row.user_id] = number
        if all_attempts or number == 1:
            numbered.append((row, number))
    analysed_ids = {row.id for row, _number in numbered}

    slots = [s for s in db.session.execute(
        select(AttemptSlot.attempt_id, AttemptSlot.number, AttemptSlot.question_id,
               AttemptSlot.question_version_id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id).where(*conditions)).all()
        if s.attempt_id in analysed_ids]
    responses = {(r.attempt_id, r.question_id): r for r in db.session.execute(
        select(Response.attempt_id, Response.question_id, Response.selected, Response.score, Response.outcome)
        .join(Attempt, Attempt.id == Response.attempt_id).where(*conditions)).all()
        if r.attempt_id in analysed_ids}

    current = attempt_service.final_questions(lesson.id)
    seen_version_ids = {s.question_version_id for s in slots}
    versions = {v.id: v for v in current}
    if seen_version_ids - versions.keys():
        versions.update((v.id, v) for v in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_(seen_version_ids - versions.keys()))))
    questions = _questions(slots, current, versions)
    key_of = {q.version.id: q.key for q in questions}

    rows, by_attempt = [], {row.id: (row, number) for row, number in numbered}
    per_attempt: dict[int, dict[str, tuple[float, list[str]]]] = {row.id: {} for row, _ in numbered}
    for slot in sorted(slots, key=lambda s: (s.attempt_id, s.number)):
        response = responses.get((slot.attempt_id, slot.question_id))
        if response is None:  # a submitted final has a response per slot; nothing to invent otherwise
            continue
        key = key_of[slot.question_version_id]
        per_attempt[slot.attempt_id][key] = (response.score, [str(i) for i in response.selected])
        attempt, number = by_attempt[slot.attempt_id]
        rows.append(ResponseRow(
            student_id=attempt.user_id, username=attempt.username, display_name=attempt.display_name,
            attempt_id=attempt.id, attempt_number=number, submitted_at=attempt.submitted_at, question=key,
            slot=slot.number, score=response.score, selected=tuple(sorted(response.selected)),
            outcome=response.outcome))
    rows.sort(key=lambda r: (r.username, r.attempt_number, r.slot))

    options = {q.key: [OptionInfo(str(i), plain_text(o["html"]), bool(o["correct"]))
                       for i, o in enumerate(q.version.options)] for q in questions}
    analysis = analyse_items([per_attempt[row.id] for row, _ in numbered], options)
    return QuizAnalysis(lesson=lesson, all_attempts=all_attempts, students=len({r.user_id for r, _ in numbered}),
                        questions=tuple(questions), rows=tuple(rows), analysis=analysis)


def _questions(slots: Iterable, current: list[QuestionVersion],
               versions: dict[int, QuestionVersion]) -> list[AnalysedQuestion]:
    """Every version seen in the analysed slots; today's quiz (n = 0) when there are none yet.

    Only what was seen is analysed: a question added since would hold no attempt and leave the
    reliability (computed over attempts holding every question) undefined."""
    position: dict[int, int] = {}
    for slot in slots:
        position[slot.question_version_id] = min(slot.number, position.get(slot.question_version_id, slot.number))
    if not position:
        position = {version.id: place for place, version in enumerate(current, start=1)}
    chosen = [versions[v] for v in position]
    slugs = _slugs([v.question_id for v in chosen])
    by_question: dict[int, int] = {}
    for v in chosen:
        by_question[v.question_id] = by_question.get(v.question_id, 0) + 1
    questions = [AnalysedQuestion(
        key=slugs[v.question_id] if by_question[v.question_id] == 1 else f"{slugs[v.question_id]}@v{v.number}",
        slug=slugs[v.question_id], version=v, position=position[v.id]) for v in chosen]
    return sorted(questions, key=lambda q: (q.position, q.slug, q.version.number))


def _slugs(question_ids: list[int]) -> dict[int, str]:
    if not question_ids:
        return {}
    return dict(db.session.execute(select(Question.id, Question.slug).where(Question.id.in_(question_ids))).all())
