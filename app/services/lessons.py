"""Read models for the student pages: catalogue, lesson overview, one slide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, and_, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, defer

from ..database import read_connection
from ..extensions import db
from ..models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    Course,
    LearningGoal,
    Lesson,
    LessonProgress,
    Question,
    QuestionVersion,
    Response,
    Screen,
    UserSession,
    utcnow,
)
from . import sessions
from .attempts import checkpoint_order


@dataclass(frozen=True)
class ScreenView:
    screen: Screen
    lesson: Lesson
    course: Course
    version: QuestionVersion | None
    response: Response | None
    # stored option indexes in the order this student sees them (empty on a content slide)
    option_order: tuple[int, ...] = ()
    # (last, furthest) reading position stored for this student and lesson; None before the first visit
    stored_position: tuple[int, int] | None = None

    @property
    def revision(self) -> tuple:
        return slide_revision(self.screen.id, self.lesson.id, self.lesson.content_hash, self.lesson.updated_at,
                              self.course.id, self.course.updated_at)


def slide_revision(screen_id, lesson_id, content_hash, lesson_updated, course_id, course_updated) -> tuple:
    """What a content slide's page shows, by ids and revision stamps: a kept page's key
    (app/views/fragments.py). An edit on any machine changes it, so nothing needs invalidating."""
    return (screen_id, lesson_id, content_hash, lesson_updated, course_id, course_updated)


@dataclass(frozen=True, slots=True)
class ScreenGlance:
    """A slide as far as a kept page needs it: its kind, its revision, the student's reading position."""
    kind: str
    lesson_id: int
    revision: tuple
    stored_position: tuple[int, int] | None


def catalogue() -> list[Course]:
    courses = db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.language, Course.title))
    return list(courses)


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    lessons: int
    minutes: int
    goals: int


def catalogue_summary(language: str | None = None) -> list[CourseSummary]:
    """Courses with lesson, minute and goal totals, in two queries whatever the catalogue size."""
    query = select(Course).where(Course.retired.is_(False)).order_by(Course.language, Course.title)
    if language:
        query = query.where(Course.language == language)
    courses = list(db.session.scalars(query))
    totals = {course_id: (count, minutes) for course_id, count, minutes in db.session.execute(
        select(Lesson.course_id, func.count(Lesson.id), func.coalesce(func.sum(Lesson.minutes), 0))
        .where(Lesson.retired.is_(False)).group_by(Lesson.course_id))}
    goals = dict(db.session.execute(
        select(Lesson.course_id, func.count(LearningGoal.id)).join(LearningGoal, LearningGoal.lesson_id == Lesson.id)
        .where(Lesson.retired.is_(False), LearningGoal.retired.is_(False)).group_by(Lesson.course_id)).all())
    return [CourseSummary(c, *totals.get(c.id, (0, 0)), goals.get(c.id, 0)) for c in courses]


def course_languages() -> list[str]:
    return list(db.session.scalars(select(Course.language).where(Course.retired.is_(False)).distinct()
                                   .order_by(Course.language)))


def handout(lesson_id: int) -> list[tuple[Screen, QuestionVersion | None]]:
    """Every screen of a lesson with the current version of its question, for the handout view."""
    return list(db.session.execute(
        select(Screen, QuestionVersion).outerjoin(Question, Question.id == Screen.question_id)
        .outerjoin(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Screen.lesson_id == lesson_id).order_by(Screen.position)).all())


def lessons_by_course(course_ids: list[int]) -> dict[int, list[Lesson]]:
    """Active lessons of several courses in one query, in lesson order."""
    grouped: dict[int, list[Lesson]] = {course_id: [] for course_id in course_ids}
    for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id.in_(course_ids),
                                                          Lesson.retired.is_(False)).order_by(Lesson.position)):
        grouped[lesson.course_id].append(lesson)
    return grouped


def goal_counts(lesson_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(LearningGoal.lesson_id, func.count(LearningGoal.id))
        .where(LearningGoal.lesson_id.in_(lesson_ids), LearningGoal.retired.is_(False))
        .group_by(LearningGoal.lesson_id)).all())


def active_lessons(course_id: int) -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).where(Lesson.course_id == course_id, Lesson.retired.is_(False))
                                   .order_by(Lesson.position)))


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.retired.is_(False)))


def lesson_by_slug(slug: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug, Lesson.retired.is_(False)))


def _screen_view_statement():
    """The one statement of a slide page, built once: constructing a SELECT of this size costs more
    Python time than running it, so each request only binds user, slug and position."""
    user_id, lesson_slug, position = bindparam("user_id"), bindparam("slug"), bindparam("position")
    run_filter = (Attempt.user_id == user_id, Attempt.kind == AttemptKind.LESSON, Attempt.lesson_id == Lesson.id)
    own_run = select(Attempt.id).where(*run_filter, Attempt.status == AttemptStatus.OPEN).scalar_subquery()
    closed_runs = (select(func.count(Attempt.id)).where(*run_filter, Attempt.status == AttemptStatus.CLOSED)
                   .scalar_subquery())
    answered_version = aliased(QuestionVersion)
    return (
        select(Screen, Lesson, Course, QuestionVersion, Response, answered_version, AttemptSlot.option_order,
               closed_runs, LessonProgress.last_position, LessonProgress.furthest_position)
        .join(Lesson, Lesson.id == Screen.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(Question, Question.id == Screen.question_id)
        .outerjoin(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .outerjoin(Response, and_(Response.question_id == Screen.question_id, Response.attempt_id == own_run))
        .outerjoin(answered_version, answered_version.id == Response.question_version_id)
        .outerjoin(AttemptSlot, AttemptSlot.id == Response.slot_id)
        .outerjoin(LessonProgress, and_(LessonProgress.user_id == user_id, LessonProgress.lesson_id == Lesson.id))
        .where(Lesson.slug == lesson_slug, Lesson.retired.is_(False), Screen.position == position)
        .order_by(Response.try_number.desc())  # a checkpoint tried twice: its latest try
        .options(
            # the slide's text and the course glossary are read only to render a content slide
            # that is not kept yet (app/views/fragments.py): then they load on first use
            defer(Screen.body_html), defer(Course.glossary),
            # for authors and teachers, never on a student's slide
            defer(Screen.notes_html), defer(Course.description), defer(Lesson.source_path),
            defer(QuestionVersion.markdown), defer(QuestionVersion.source),
            defer(answered_version.markdown), defer(answered_version.source))
    )


_SCREEN_VIEW = _screen_view_statement()


def screen_view(user_id: int, lesson_slug: str, position: int) -> ScreenView | None:
    """Everything one slide page needs, with the student's reading position, in a single SQL statement."""
    row = db.session.execute(_SCREEN_VIEW, {"user_id": user_id, "slug": lesson_slug, "position": position}).first()
    if row is None:
        return None
    screen, lesson, course, version, response, answered, answered_order, runs, last, furthest = row
    stored = (last, furthest) if last is not None else None
    if answered is not None:  # the version and order the student answered, even if it changed since
        return ScreenView(screen, lesson, course, answered, response, tuple(answered_order), stored)
    order = checkpoint_order(user_id, screen.question_id, runs, version) if version is not None else ()
    return ScreenView(screen, lesson, course, version, response, order, stored)


def _slide_at():
    """The slide at (lesson slug, position), its revision stamps: the lesson by its slug first, then
    its slide by (lesson, position), both unique keys, so the work stays the same however many
    lessons there are (a join on both made PostgreSQL scan every lesson's slide at that position)."""
    screens, lessons, courses = Screen.__table__, Lesson.__table__, Course.__table__
    return (select(screens.c.id.label("screen_id"), screens.c.kind, lessons.c.id.label("lesson_id"),
                   lessons.c.content_hash, lessons.c.updated_at.label("lesson_updated"),
                   courses.c.id.label("course_id"), courses.c.updated_at.label("course_updated"))
            .join(lessons, lessons.c.id == screens.c.lesson_id)
            .join(courses, courses.c.id == lessons.c.course_id)
            .where(screens.c.lesson_id == select(lessons.c.id).where(
                       lessons.c.slug == bindparam("slug"), lessons.c.retired.is_(False)).scalar_subquery(),
                   screens.c.position == bindparam("position"))
            .subquery("slide"))


def _screen_glance_statement():
    """Built once, like _SCREEN_VIEW; it selects plain columns, so no ORM object is made."""
    slide, progress = _slide_at(), LessonProgress.__table__
    return (select(*slide.c, progress.c.last_position, progress.c.furthest_position)
            .outerjoin(progress, and_(progress.c.user_id == bindparam("user_id"),
                                      progress.c.lesson_id == slide.c.lesson_id)))


def _session_and_glance_statement():
    """The session check and the glance at a slide in one statement: one round trip for a kept slide
    served without Flask (app/kept_slides.py). The slide is outer-joined, so a live session is found
    even where there is no such slide."""
    slide, progress, records = _slide_at(), LessonProgress.__table__, UserSession.__table__
    return (sessions.LIVE_SESSION
            .add_columns(*slide.c, progress.c.last_position, progress.c.furthest_position)
            .outerjoin(slide, true())
            .outerjoin(progress, and_(progress.c.user_id == records.c.user_id,
                                      progress.c.lesson_id == slide.c.lesson_id)))


_SCREEN_GLANCE = _screen_glance_statement()
_SESSION_AND_GLANCE = _session_and_glance_statement()


def _glance(screen_id, kind, lesson_id, content_hash, lesson_updated, course_id, course_updated, last,
            furthest) -> ScreenGlance:
    return ScreenGlance(kind, lesson_id, slide_revision(screen_id, lesson_id, content_hash, lesson_updated,
                                                        course_id, course_updated),
                        (last, furthest) if last is not None else None)


def session_and_glance(connection: Connection, token: str, slug: str, position: int, now: datetime,
                       idle: timedelta) -> tuple[Row | None, ScreenGlance | None]:
    """(the row of `sessions.live_session_row`, the slide's glance) in one statement; (None, None)
    when the session is not live, (row, None) when there is no such slide."""
    parameters = sessions.live_session_parameters(token, now, idle)
    if parameters is None:
        return None, None
    row = connection.execute(_SESSION_AND_GLANCE, {**parameters, "slug": slug, "position": position}).first()
    if row is None:
        return None, None
    width = sessions.LIVE_SESSION_WIDTH
    session_row, slide = row[:width], row[width:]
    return session_row, (None if slide[0] is None else _glance(*slide))


def screen_glance(user_id: int, lesson_slug: str, position: int) -> ScreenGlance | None:
    """The slide's kind and revision and the student's reading position, without loading a row as an
    object: enough to serve a kept content slide (a question needs `screen_view`)."""
    row = read_connection().execute(
        _SCREEN_GLANCE, {"user_id": user_id, "slug": lesson_slug, "position": position}).first()
    return None if row is None else _glance(*row)


def position_changes(stored_position: tuple[int, int] | None, position: int) -> bool:
    """Whether showing `position` moves the stored reading position (a reload of the same slide does not)."""
    if stored_position is None:
        return True
    last, furthest = stored_position
    return last != position or furthest < position


def record_position(user_id: int, lesson_id: int, position: int) -> None:
    """Remember where the student is, in one upsert statement. Commits."""
    db.session.execute(position_upsert(db.session.get_bind().dialect.name, user_id, lesson_id, position))
    db.session.commit()


def position_upsert(dialect: str, user_id: int, lesson_id: int, position: int):
    """The statement that stores a reading position (also run by app/kept_slides.py)."""
    values = {"user_id": user_id, "lesson_id": lesson_id, "last_position": position,
              "furthest_position": position, "updated_at": utcnow()}
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LessonProgress).values(**values)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "lesson_id"],
        set_={"last_position": position, "updated_at": values["updated_at"],
              "furthest_position": func.max(LessonProgress.furthest_position, position)
              if dialect == "sqlite" else func.greatest(LessonProgress.furthest_position, position)})


def lesson_progress(user_id: int, lesson_id: int) -> LessonProgress | None:
    return db.session.get(LessonProgress, (user_id, lesson_id))


def progress_by_lesson(user_id: int, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    if not lesson_ids:
        return {}
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id,
                                                           LessonProgress.lesson_id.in_(lesson_ids)))
    return {p.lesson_id: p for p in rows}


def answered_positions(user_id: int, lesson_id: int) -> set[int]:
    """Positions of the checkpoint questions answered in the student's current run of a lesson."""
    own_run = select(Attempt.id).where(
        Attempt.user_id == user_id, Attempt.kind == AttemptKind.LESSON, Attempt.lesson_id == lesson_id,
        Attempt.status == AttemptStatus.OPEN).scalar_subquery()
    return set(db.session.scalars(
        select(Screen.position)
        .join(Response, and_(Response.question_id == Screen.question_id, Response.attempt_id == own_run))
        .where(Screen.lesson_id == lesson_id)))


def screen_titles(lesson_id: int) -> list[tuple[int, str, str, int | None]]:
    """(position, kind, title, checkpoint number) of every screen: for the lesson overview."""
    return list(db.session.execute(select(Screen.position, Screen.kind, Screen.title, Screen.checkpoint_number)
                                   .where(Screen.lesson_id == lesson_id).order_by(Screen.position)))
