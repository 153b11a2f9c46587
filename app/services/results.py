"""A student's own results (issue 9 point 8): every final-quiz attempt with its score and date, and
per-goal progress in every lesson they have worked on. A fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Attempt, AttemptKind, AttemptReset, AttemptStatus, Course, Lesson
from . import progress as progress_service


@dataclass(frozen=True)
class AttemptEntry:
    attempt_id: int
    lesson: Lesson
    course: Course
    number: int  # 1 = the student's first attempt at this lesson's quiz
    submitted: bool
    score: float | None
    max_score: int | None
    started_at: datetime
    submitted_at: datetime | None
    reset: bool  # a teacher reset it: kept in the history, it no longer counts

    @property
    def fraction(self) -> float | None:
        return self.score / self.max_score if self.submitted and self.max_score else None


@dataclass(frozen=True)
class StudentResults:
    attempts: tuple[AttemptEntry, ...]  # newest first
    courses: tuple[Course, ...]  # of the lessons worked on, catalogue order
    lessons: dict[int, list[Lesson]]  # course id -> lessons worked on, in course order
    goal_rows: dict  # lesson id -> progress_service.GoalRow list


def student_results(user_id: int) -> StudentResults:
    """Two statements for the history and the reset marks, three for the goals."""
    rows = db.session.execute(
        select(Attempt, Lesson, Course).join(Lesson, Lesson.id == Attempt.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at, Attempt.id)).all()
    finals = [(a, lesson, course) for a, lesson, course in rows if a.kind == AttemptKind.FINAL]
    reset_ids: set[int] = set()
    if finals:
        reset_ids = set(db.session.scalars(select(AttemptReset.attempt_id).where(
            AttemptReset.attempt_id.in_(select(Attempt.id).where(Attempt.user_id == user_id)))))
    numbers: dict[int, int] = {}
    entries = []
    for attempt, lesson, course in finals:
        numbers[lesson.id] = numbers.get(lesson.id, 0) + 1
        entries.append(AttemptEntry(
            attempt_id=attempt.id, lesson=lesson, course=course, number=numbers[lesson.id],
            submitted=attempt.status == AttemptStatus.SUBMITTED, score=attempt.score, max_score=attempt.max_score,
            started_at=attempt.started_at, submitted_at=attempt.submitted_at, reset=attempt.id in reset_ids))
    worked_on: dict[int, Lesson] = {}
    courses: dict[int, Course] = {}
    for _attempt, lesson, course in rows:  # checkpoint runs count as working on a lesson too
        worked_on.setdefault(lesson.id, lesson)
        courses.setdefault(course.id, course)
    lessons: dict[int, list[Lesson]] = {}
    for lesson in sorted(worked_on.values(), key=lambda lesson: (lesson.position, lesson.id)):
        lessons.setdefault(lesson.course_id, []).append(lesson)
    goal_rows = progress_service.goals_progress(user_id, list(worked_on))
    ordered_courses = sorted(courses.values(), key=lambda c: (c.language, c.title))
    entries.sort(key=lambda e: (e.submitted_at or e.started_at, e.attempt_id), reverse=True)
    return StudentResults(tuple(entries), tuple(ordered_courses), lessons, goal_rows)
