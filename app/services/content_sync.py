"""Store parsed content in the database: idempotent, versioning questions, retiring what is gone."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, select

from ..content.model import ContentError, ContentSet, Problem
from ..content.model import Lesson as LessonSource
from ..content.model import Quiz as QuizSource
from ..content.render import (
    RENDERER_VERSION,
    RenderedQuestion,
    RenderError,
    render_inline,
    render_lesson,
    term_anchor,
)
from ..extensions import db
from ..models import (
    Course,
    FinalQuizItem,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Screen,
    utcnow,
)


@dataclass
class SyncReport:
    courses_created: int = 0
    courses_updated: int = 0
    lessons_created: int = 0
    lessons_updated: int = 0
    lessons_unchanged: int = 0
    lessons_retired: int = 0
    questions_created: int = 0
    question_versions_created: int = 0
    questions_retired: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(v for k, v in asdict(self).items() if k not in ("lessons_unchanged", "problems"))


def glossary_url(course_slug: str) -> str:
    return f"/courses/{course_slug}/glossary"


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def sync_content(content: ContentSet) -> SyncReport:
    """Bring the database in line with `content` in one transaction."""
    report = SyncReport(problems=list(content.problems))
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    for source in content.courses.values():
        course = courses.get(source.id)
        glossary = content.glossaries.get(source.id)
        try:
            entries = [{"term": e.term, "anchor": term_anchor(e.term), "definition_html": render_inline(e.definition),
                        "english": e.english} for e in (glossary.entries if glossary else ())]
        except RenderError as exc:
            report.problems.append(Problem(glossary.path, 1, f"glossary cannot be rendered: {exc}"))
            entries = course.glossary if course else []
        values = {"title": source.title, "language": source.language, "level": source.level,
                  "description": source.description, "glossary": entries, "retired": False}
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

    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    for source in content.lessons.values():
        quiz = content.quizzes.get(source.id)
        try:
            rendered = render_lesson(source, quiz, glossary_url(source.course))
        except ContentError as exc:
            report.problems.extend(exc.problems)
            continue
        sync_lesson(report, source, quiz, rendered, courses[source.course], lessons.get(source.id))
    for lesson in lessons.values():
        if not lesson.retired and lesson.slug not in content.lessons and lesson.source_path not in content.lesson_paths:
            lesson.retired = True
            report.lessons_retired += 1
            for question in db.session.scalars(select(Question).where(Question.lesson_id == lesson.id)):
                question.retired = True
    db.session.commit()
    return report


def sync_lesson(report: SyncReport, source: LessonSource, quiz: QuizSource | None, rendered, course: Course,
                lesson: Lesson | None) -> None:
    content_hash = digest(RENDERER_VERSION, asdict(source), asdict(quiz) if quiz else None, course.glossary)
    if lesson is not None and lesson.content_hash == content_hash and not lesson.retired:
        report.lessons_unchanged += 1
        return
    values = {"course_id": course.id, "title": source.title, "language": source.language, "minutes": source.minutes,
              "position": f"{source.folder}/{source.stem}", "screen_count": len(rendered.screens),
              "source_path": source.path, "content_hash": content_hash, "retired": False, "updated_at": utcnow()}
    if lesson is None:
        lesson = Lesson(slug=source.id, **values)
        db.session.add(lesson)
        report.lessons_created += 1
    else:
        for k, v in values.items():
            setattr(lesson, k, v)
        report.lessons_updated += 1
    db.session.flush()
    goals = sync_goals(lesson, source)
    questions = sync_questions(report, lesson, rendered.questions, goals)
    db.session.execute(delete(Screen).where(Screen.lesson_id == lesson.id))
    db.session.execute(delete(FinalQuizItem).where(FinalQuizItem.lesson_id == lesson.id))
    db.session.add_all(
        Screen(lesson_id=lesson.id, position=s.position, kind=s.kind, title=s.title, body_html=s.body_html,
               notes_html=s.notes_html, question_id=questions[s.question_id].id if s.question_id else None,
               checkpoint_number=s.checkpoint_number, checkpoint_item=s.checkpoint_item,
               checkpoint_size=s.checkpoint_size)
        for s in rendered.screens
    )
    db.session.add_all(FinalQuizItem(lesson_id=lesson.id, position=i, question_id=questions[qid].id)
                       for i, qid in enumerate(rendered.final, start=1))
    db.session.flush()


def sync_goals(lesson: Lesson, source: LessonSource) -> dict[str, LearningGoal]:
    existing = {g.slug: g for g in db.session.scalars(select(LearningGoal).where(LearningGoal.lesson_id == lesson.id))}
    wanted = {g.id for g in source.goals}
    for position, goal_source in enumerate(source.goals, start=1):
        goal = existing.get(goal_source.id)
        if goal is None:
            goal = LearningGoal(slug=goal_source.id, lesson_id=lesson.id, text=goal_source.text, position=position)
            db.session.add(goal)
            existing[goal_source.id] = goal
        goal.text, goal.position, goal.retired = goal_source.text, position, False
    for slug, goal in existing.items():
        if slug not in wanted:
            goal.retired = True
    db.session.flush()
    return existing


def sync_questions(report: SyncReport, lesson: Lesson, sources: tuple[RenderedQuestion, ...],
                   goals: dict[str, LearningGoal]) -> dict[str, Question]:
    existing = {q.slug: q for q in db.session.scalars(select(Question).where(Question.lesson_id == lesson.id))}
    wanted = {q.id for q in sources}
    for source in sources:
        version_hash = digest(source.type, source.stem_html, source.options, sorted(source.goals))
        question = existing.get(source.id)
        if question is None:
            question = Question(slug=source.id, lesson_id=lesson.id)
            db.session.add(question)
            db.session.flush()
            existing[source.id] = question
            report.questions_created += 1
        question.retired = False
        current = question.current_version
        if current is not None and current.content_hash == version_hash:
            if (current.rationale, current.source) != (source.rationale, source.source):
                current.rationale, current.source = source.rationale, source.source  # reviewer notes only
            continue
        version = QuestionVersion(
            question_id=question.id, number=(current.number + 1) if current else 1, type=source.type,
            stem_html=source.stem_html, options=[dict(o) for o in source.options], rationale=source.rationale,
            source=source.source, content_hash=version_hash, goals=[goals[g] for g in source.goals])
        db.session.add(version)
        db.session.flush()
        question.current_version = version
        report.question_versions_created += 1
    for slug, question in existing.items():
        if slug not in wanted and not question.retired:
            question.retired = True
            report.questions_retired += 1
    db.session.flush()
    return existing
