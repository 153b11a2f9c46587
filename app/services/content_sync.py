"""Write a built site (`app.content.site.SiteBuild`) into the tables the pages read.

Split by concern: `sync_courses`, `sync_lessons`, `retire_missing`; `apply_build` runs the three.
Nothing here parses or renders (that is done before, outside any transaction) and nothing
commits: the entry points in `app/services/content_store.py` call this inside their one short
write transaction.

Identity is by slug across the whole site: a question moved to another lesson's quiz file keeps
its row, versions and answers (its home lesson changes); so does a goal. A question version is
immutable: a changed source makes a new version; only a renderer upgrade refreshes its HTML.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..content.lessons import expand_screens
from ..content.model import Problem
from ..content.site import BuiltLesson, BuiltQuestion, SiteBuild, glossary_url
from ..extensions import db
from ..models import (
    ContentDocument,
    ContentRevision,
    Course,
    FinalQuizItem,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Screen,
    utcnow,
)

__all__ = ["SyncReport", "apply_build", "glossary_url", "retire_missing", "sync_courses", "sync_lessons"]

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    revisions_created: int = 0
    documents_retired: int = 0
    courses_created: int = 0
    courses_updated: int = 0
    courses_retired: int = 0
    lessons_created: int = 0
    lessons_updated: int = 0
    lessons_unchanged: int = 0
    lessons_retired: int = 0
    questions_created: int = 0
    question_versions_created: int = 0
    questions_retired: int = 0
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(v for k, v in asdict(self).items() if k not in ("lessons_unchanged", "problems", "conflicts"))


def apply_build(build: SiteBuild, revision_ids: dict[str, int], report: SyncReport) -> None:
    """Make the rendered tables match `build`; `revision_ids` maps a path to its current revision id."""
    courses = sync_courses(build, revision_ids, report)
    sync_lessons(build, courses, revision_ids, report)
    retire_missing(build, report)
    db.session.flush()


def sync_courses(build: SiteBuild, revision_ids: dict[str, int], report: SyncReport) -> dict[str, Course]:
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    for built in build.courses.values():
        source = built.source
        course = courses.get(source.id)
        values = {"title": source.title, "language": source.language, "level": source.level,
                  "description": source.description, "retired": False, "revision_id": revision_ids.get(source.path)}
        if built.glossary is not None or course is None:
            values["glossary"] = built.glossary or []
        if course is None:
            course = Course(slug=source.id, **values)
            db.session.add(course)
            courses[source.id] = course
            report.courses_created += 1
        elif any(getattr(course, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(course, k, v)
            report.courses_updated += 1
    db.session.flush()
    return courses


def sync_lessons(build: SiteBuild, courses: dict[str, Course], revision_ids: dict[str, int],
                 report: SyncReport) -> None:
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    goals = {goal.slug: goal for goal in db.session.scalars(select(LearningGoal))}
    questions = {question.slug: question for question in db.session.scalars(select(Question))}
    rebuilt: set[int] = set()
    for built in build.lessons.values():
        counts = asdict(report)
        try:
            # a savepoint per lesson: a database refusal costs this lesson, never the whole sync
            with db.session.begin_nested():
                lesson = sync_lesson(report, built, courses[built.source.course], lessons.get(built.source.id),
                                     goals, questions, revision_ids)
            if lesson is not None:
                lessons[built.source.id] = lesson
                rebuilt.add(lesson.id)
        except IntegrityError as exc:
            logger.warning("lesson %s could not be stored", built.source.path, exc_info=True)
            for name, value in counts.items():
                if isinstance(value, int):
                    setattr(report, name, value)
            report.problems.append(Problem(built.source.path, 1, f"lesson could not be stored ({exc.orig})"))
    # a question is retired when no quiz file names it any more (it may have moved to another lesson)
    wanted = {q.rendered.id for built in build.lessons.values() for q in built.questions}
    for question in questions.values():
        if question.lesson_id in rebuilt and question.slug not in wanted and not question.retired:
            question.retired = True
            report.questions_retired += 1
    db.session.flush()


def sync_lesson(report: SyncReport, built: BuiltLesson, course: Course, lesson: Lesson | None,
                goals: dict[str, LearningGoal], questions: dict[str, Question],
                revision_ids: dict[str, int]) -> Lesson | None:
    """Store one lesson; None when it was already up to date."""
    source, quiz = built.source, built.quiz
    pointers = {"revision_id": revision_ids.get(source.path),
                "quiz_revision_id": revision_ids.get(quiz.path) if quiz else None}
    if lesson is not None and lesson.content_hash == built.content_hash and not lesson.retired \
            and lesson.course_id == course.id:
        for k, v in pointers.items():
            setattr(lesson, k, v)
        report.lessons_unchanged += 1
        return None
    values = {"course_id": course.id, "title": source.title, "language": source.language, "minutes": source.minutes,
              "position": built.position, "screen_count": len(built.rendered.screens), "source_path": source.path,
              "content_hash": built.content_hash, "retired": False, "updated_at": utcnow(),
              "checkpoint_tries": source.checkpoint_tries, "final_includes_optional": source.final_includes_optional,
              **pointers}
    if lesson is None:
        lesson = Lesson(slug=source.id, **values)
        db.session.add(lesson)
        report.lessons_created += 1
    else:
        for k, v in values.items():
            setattr(lesson, k, v)
        report.lessons_updated += 1
    db.session.flush()
    goal_rows = sync_goals(lesson, built, goals)
    question_rows = sync_questions(report, lesson, built.questions, goal_rows, questions)
    db.session.execute(delete(Screen).where(Screen.lesson_id == lesson.id))
    db.session.execute(delete(FinalQuizItem).where(FinalQuizItem.lesson_id == lesson.id))
    optional = optional_positions(built)
    db.session.add_all(
        Screen(lesson_id=lesson.id, position=s.position, kind=s.kind, title=s.title, body_html=s.body_html,
               notes_html=s.notes_html, question_id=question_rows[s.question_id].id if s.question_id else None,
               checkpoint_number=s.checkpoint_number, checkpoint_item=s.checkpoint_item,
               checkpoint_size=s.checkpoint_size, optional=s.position in optional)
        for s in built.rendered.screens
    )
    db.session.add_all(FinalQuizItem(lesson_id=lesson.id, position=i, question_id=question_rows[qid].id)
                       for i, qid in enumerate(built.rendered.final, start=1))
    db.session.flush()
    return lesson


def optional_positions(built: BuiltLesson) -> set[int]:
    """Screens of optional goals: content slides marked optional, and checkpoint questions whose
    goals are all optional."""
    optional_goals = {g.id for g in built.source.goals if g.optional}
    positions = set()
    for screen in expand_screens(built.source):
        question = built.quiz.question(screen.question_id) if built.quiz and screen.question_id else None
        if screen.optional or (question is not None and question.goals
                               and set(question.goals) <= optional_goals):
            positions.add(screen.position)
    return positions


def sync_goals(lesson: Lesson, built: BuiltLesson, goals: dict[str, LearningGoal]) -> dict[str, LearningGoal]:
    """The lesson's goals by slug, found across the site (a goal may move between lessons)."""
    wanted = {g.id for g in built.source.goals}
    for goal in goals.values():
        if goal.lesson_id == lesson.id and goal.slug not in wanted:
            goal.retired = True
    for position, source in enumerate(built.source.goals, start=1):
        goal = goals.get(source.id)
        if goal is None:
            goal = LearningGoal(slug=source.id, lesson_id=lesson.id, text=source.text, position=position)
            db.session.add(goal)
            goals[source.id] = goal
        goal.lesson_id, goal.text, goal.position, goal.retired = lesson.id, source.text, position, False
        goal.optional = source.optional
    db.session.flush()
    return {slug: goals[slug] for slug in wanted}


def sync_questions(report: SyncReport, lesson: Lesson, built_questions: tuple[BuiltQuestion, ...],
                   goals: dict[str, LearningGoal], questions: dict[str, Question]) -> dict[str, Question]:
    rows: dict[str, Question] = {}
    for built in built_questions:
        rendered = built.rendered
        question = questions.get(rendered.id)
        if question is None:
            question = Question(slug=rendered.id, lesson_id=lesson.id)
            db.session.add(question)
            db.session.flush()
            questions[rendered.id] = question
            report.questions_created += 1
        question.lesson_id, question.retired = lesson.id, False
        rows[rendered.id] = question
        current = question.current_version
        if current is not None and keeps_version(current, built, goals):
            continue
        version = QuestionVersion(
            question_id=question.id, number=(current.number + 1) if current else 1, type=rendered.type,
            stem_html=rendered.stem_html, options=[dict(o) for o in rendered.options], rationale=rendered.rationale,
            source=rendered.source, markdown=built.markdown, content_hash=built.content_hash,
            goals=[goals[g] for g in rendered.goals])
        if hasattr(QuestionVersion, "fixed_order"):
            version.fixed_order = bool(getattr(rendered, "fixed_order", False))
        version.feedback_html, version.points = rendered.feedback_html, rendered.points
        db.session.add(version)
        db.session.flush()
        question.current_version = version
        report.question_versions_created += 1
    db.session.flush()
    return rows


def keeps_version(current: QuestionVersion, built: BuiltQuestion, goals: dict[str, LearningGoal]) -> bool:
    """True when `current` already is this source; its HTML may be refreshed (a renderer upgrade)."""
    rendered = built.rendered
    html = {"stem_html": rendered.stem_html, "options": [dict(o) for o in rendered.options],
            "feedback_html": rendered.feedback_html}
    if current.content_hash == built.content_hash:
        for k, v in html.items():
            if getattr(current, k) != v:
                setattr(current, k, v)
        return True
    # A version stored before sources were kept (no markdown) adopts its source once if it
    # shows exactly the same question: filling in the missing source is not a new version.
    if not current.markdown and all(getattr(current, k) == v for k, v in html.items()) \
            and (current.type, current.rationale, current.source) == (rendered.type, rendered.rationale,
                                                                      rendered.source) \
            and {g.slug for g in current.goals} == set(rendered.goals) \
            and all(g.lesson_id == goals[g.slug].lesson_id for g in current.goals):
        current.markdown, current.content_hash = built.markdown, built.content_hash
        return True
    return False


def retire_missing(build: SiteBuild, report: SyncReport) -> None:
    """Retire courses and lessons no live document defines any more.

    A document that is still there but does not build (a broken file) keeps its course or lesson
    online as it was; a document that builds but now defines another id retires the old one."""
    paths = document_paths()
    present_but_broken = build.paths - build.built_paths
    retired_courses: set[int] = set()
    for course in db.session.scalars(select(Course)):
        if course.retired:
            retired_courses.add(course.id)
            continue
        path = paths.get(course.revision_id) or f"lessons/{course.slug}/course.md"
        if course.slug not in build.courses and path not in present_but_broken:
            course.retired = True
            retired_courses.add(course.id)
            report.courses_retired += 1
    for lesson in db.session.scalars(select(Lesson).where(Lesson.retired.is_(False))):
        path = paths.get(lesson.revision_id) or lesson.source_path
        gone = lesson.slug not in build.lessons and path not in present_but_broken
        if gone or lesson.course_id in retired_courses:
            retire_lesson(lesson, report)


def retire_lesson(lesson: Lesson, report: SyncReport) -> None:
    lesson.retired = True
    report.lessons_retired += 1
    for question in db.session.scalars(select(Question).where(Question.lesson_id == lesson.id,
                                                              Question.retired.is_(False))):
        question.retired = True
        report.questions_retired += 1


def document_paths() -> dict[int, str]:
    """Revision id -> its document's path, for revisions that courses and lessons were built from."""
    pointed = select(Lesson.revision_id).union(select(Course.revision_id))
    return dict(db.session.execute(
        select(ContentRevision.id, ContentDocument.path).join(ContentDocument)
        .where(ContentRevision.id.in_(pointed))).all())
