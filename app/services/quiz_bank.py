"""A lesson's quiz bank in the database: read it, export it, and import questions into it.

The quiz bank is the `ContentDocument` `quizzes/<course folder>/<lesson file name>`, paired with
the lesson file. Imported questions are stored as a new revision of that document through
`content_store.save_revision(..., origin="import")`, which checks the whole site first and
writes nothing when the new text has a problem; files are never written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import select

from ..content.interchange import ImportedQuestion, append_questions, to_lesmark
from ..content.model import ContentError, Problem, Question, Quiz
from ..content.quizzes import parse_quiz
from ..extensions import db
from ..models import ContentDocument, ContentRevision, Course, LearningGoal, Lesson
from ..models import Question as QuestionRow
from . import content_store


class QuizBankError(Exception):
    """A course or lesson that does not exist, or does not belong together."""


@dataclass(frozen=True)
class LessonTarget:
    course_slug: str
    lesson_slug: str
    language: str
    goals: tuple[str, ...]
    quiz_path: str


@dataclass
class ImportOutcome:
    stored: bool
    questions: list[Question] = field(default_factory=list)  # with the ids they got
    problems: list[Problem] = field(default_factory=list)
    revision: int | None = None


def find_course(course_slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == course_slug, Course.retired.is_(False)))
    if course is None:
        raise QuizBankError(f"no course {course_slug!r}")
    return course


def find_lesson(course_slug: str, lesson_slug: str) -> LessonTarget:
    course = find_course(course_slug)
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == lesson_slug, Lesson.retired.is_(False)))
    if lesson is None:
        raise QuizBankError(f"no lesson {lesson_slug!r}")
    if lesson.course_id != course.id:
        raise QuizBankError(f"lesson {lesson_slug!r} is not part of course {course_slug!r}")
    goals = tuple(db.session.scalars(select(LearningGoal.slug).where(
        LearningGoal.lesson_id == lesson.id, LearningGoal.retired.is_(False)).order_by(LearningGoal.position)))
    lesson_file = PurePosixPath(lesson.source_path)
    return LessonTarget(course_slug, lesson.slug, lesson.language or course.language, goals,
                        f"quizzes/{lesson_file.parent.name}/{lesson_file.name}")


def current_source(path: str) -> str | None:
    """The current revision's text of a live document, or None."""
    return db.session.scalar(
        select(ContentRevision.source).join(ContentDocument, ContentRevision.document_id == ContentDocument.id)
        .where(ContentDocument.path == path, ContentDocument.retired.is_(False),
               ContentRevision.number == ContentDocument.current_number))


def lesson_quiz(lesson_slug: str) -> Quiz | None:
    """The lesson's quiz bank as stored in the database (None when it has none)."""
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == lesson_slug, Lesson.retired.is_(False)))
    if lesson is None:
        raise QuizBankError(f"no lesson {lesson_slug!r}")
    lesson_file = PurePosixPath(lesson.source_path)
    path = f"quizzes/{lesson_file.parent.name}/{lesson_file.name}"
    text = current_source(path)
    if text is None:
        return None
    try:
        return parse_quiz(path, text)
    except ContentError as exc:  # only a bug lets a broken text become a current revision
        raise QuizBankError(f"the stored quiz bank does not parse: {exc}") from exc


def taken_ids(quiz_text: str | None) -> set[str]:
    """Question ids in use anywhere on the site (retired ones too: ids are never reused)."""
    taken = set(db.session.scalars(select(QuestionRow.slug)))
    for text in db.session.scalars(
            select(ContentRevision.source).join(ContentDocument, ContentRevision.document_id == ContentDocument.id)
            .where(ContentDocument.kind == "quiz", ContentRevision.number == ContentDocument.current_number)):
        taken |= _heading_ids(text)
    return taken | _heading_ids(quiz_text or "")


def _heading_ids(text: str) -> set[str]:
    return {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}


def _same_question(question) -> tuple:
    return (question.type, " ".join(question.stem.split()),
            tuple((" ".join(o.text.split()), o.correct) for o in question.options))


@dataclass
class ImportPlan:
    target: LessonTarget
    questions: list[Question]  # the new questions, with the ids they will get
    already_there: list[tuple[ImportedQuestion, str]]  # same type, text, options and key as this question id
    text: str  # the quiz bank with the new questions added at the end


def plan_import(target: LessonTarget, imported: list[ImportedQuestion], goals: tuple[str, ...] = ()) -> ImportPlan:
    """What an import would store. Writes nothing.

    A question that is already in the quiz bank (same type, text, options and key) is not added
    again, so importing a corrected file a second time adds only what is new."""
    unknown = [g for g in goals if g not in target.goals]
    if unknown:
        raise QuizBankError(f"goal(s) {', '.join(unknown)} are not goals of lesson {target.lesson_slug!r} "
                            f"(its goals: {', '.join(target.goals)})")
    existing = current_source(target.quiz_path)
    taken = taken_ids(existing)
    db.session.rollback()  # end the read transaction before the site is checked
    known = {}
    if existing:
        try:
            known = {_same_question(q): q.id for q in parse_quiz(target.quiz_path, existing).questions}
        except ContentError:
            known = {}
    new = [q for q in imported if _same_question(q) not in known]
    already = [(q, known[_same_question(q)]) for q in imported if _same_question(q) in known]
    questions = to_lesmark(new, lesson_id=target.lesson_slug, lesson_goals=target.goals,
                           chosen_goals=goals, taken_ids=taken)
    return ImportPlan(target, questions, already, append_questions(existing, target.lesson_slug, questions))


def store_import(plan: ImportPlan, *, author_id: int | None = None, message: str = "") -> ImportOutcome:
    """Store the planned quiz bank as a new revision (origin "import"), or return why not."""
    if not plan.questions:
        return ImportOutcome(stored=False)
    result = content_store.save_revision(plan.target.quiz_path, plan.text, author_id=author_id,
                                         message=message or f"imported {len(plan.questions)} question(s)",
                                         origin="import")
    return ImportOutcome(stored=result.ok, questions=plan.questions, problems=list(result.problems),
                         revision=result.number)
