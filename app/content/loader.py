"""Load a content tree (lessons/ and quizzes/) and check the files against each other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .courses import parse_course, parse_glossary
from .lessons import parse_lesson
from .model import ContentError, ContentSet, Glossary, Lesson, Problem, Quiz
from .quizzes import parse_quiz

COURSE_FILE = "course.md"
GLOSSARY_FILE = "glossary.md"


def load_content(root: Path) -> ContentSet:
    """Read root/lessons and root/quizzes. Broken files are reported and left out."""
    content = ContentSet()
    lessons_dir, quizzes_dir = root / "lessons", root / "quizzes"

    def rel(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    def parse_each(paths, parser: Callable):
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                content.problems.append(Problem(rel(path), 1, "file is not UTF-8 text"))
                continue
            try:
                yield parser(rel(path), text)
            except ContentError as exc:
                content.problems.extend(exc.problems)

    md_files = sorted(lessons_dir.glob("*/*.md")) if lessons_dir.is_dir() else []
    for course in parse_each([p for p in md_files if p.name == COURSE_FILE], parse_course):
        if course.id in content.courses:
            content.problems.append(Problem(course.path, 2, f"duplicate course id {course.id!r}"))
        else:
            content.courses[course.id] = course
    for glossary in parse_each([p for p in md_files if p.name == GLOSSARY_FILE], parse_glossary):
        if glossary.course not in content.courses:
            content.problems.append(Problem(glossary.path, 2, f"unknown course {glossary.course!r}"))
        elif glossary.course in content.glossaries:
            content.problems.append(Problem(glossary.path, 2, f"second glossary for course {glossary.course!r}"))
        else:
            content.glossaries[glossary.course] = glossary
    lesson_files = [p for p in md_files if p.name not in (COURSE_FILE, GLOSSARY_FILE)]
    content.lesson_paths = {rel(p) for p in lesson_files}
    lessons = list(parse_each(lesson_files, parse_lesson))
    quiz_files = sorted(quizzes_dir.glob("*/*.md")) if quizzes_dir.is_dir() else []
    quizzes = list(parse_each(quiz_files, parse_quiz))
    cross_check(content, lessons, quizzes)
    return content


def cross_check(content: ContentSet, lessons: list[Lesson], quizzes: list[Quiz]) -> None:
    """Keep each lesson (with its quiz) only if every reference between files resolves."""
    quiz_by_lesson: dict[str, Quiz] = {}
    lesson_ids = {lesson.id for lesson in lessons}
    for quiz in quizzes:
        if quiz.lesson not in lesson_ids:
            content.problems.append(Problem(quiz.path, quiz.lesson_line, f"unknown lesson {quiz.lesson!r}"))
        elif quiz.lesson in quiz_by_lesson:
            content.problems.append(Problem(quiz.path, quiz.lesson_line, f"second quiz file for lesson {quiz.lesson!r} "
                                                          f"(first: {quiz_by_lesson[quiz.lesson].path})"))
        else:
            quiz_by_lesson[quiz.lesson] = quiz
    owners: dict[str, str] = {}  # every id in the site -> file that defines it first
    for lesson in lessons:
        problems = check_lesson(lesson, quiz_by_lesson.get(lesson.id), content, owners)
        if problems:
            content.problems.extend(problems)
            continue
        content.lessons[lesson.id] = lesson
        if lesson.id in quiz_by_lesson:
            content.quizzes[lesson.id] = quiz_by_lesson[lesson.id]


def check_lesson(lesson: Lesson, quiz: Quiz | None, content: ContentSet, owners: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []

    def claim(identifier: str, path: str, line: int, what: str):
        if identifier in owners:
            problems.append(Problem(path, line, f"duplicate {what} id {identifier!r} (also in {owners[identifier]})"))
        else:
            owners[identifier] = path

    if lesson.course not in content.courses:
        problems.append(Problem(lesson.path, lesson.course_line, f"unknown course {lesson.course!r} (no course.md with this id)"))
    claim(lesson.id, lesson.path, 2, "lesson")
    for goal in lesson.goals:
        claim(goal.id, lesson.path, goal.line, "goal")
    goal_ids = {g.id for g in lesson.goals}
    question_ids = set()
    if quiz is not None:
        for question in quiz.questions:
            claim(question.id, quiz.path, question.line, "question")
            question_ids.add(question.id)
            for goal_id in question.goals:
                if goal_id not in goal_ids:
                    problems.append(Problem(quiz.path, question.goals_line,
                                            f"{question.id}: unknown goal id {goal_id!r} "
                                            f"(goals of {lesson.id}: {', '.join(sorted(goal_ids))})"))
    for slide in lesson.slides:
        for question_id in slide.question_ids:
            if question_id not in question_ids:
                where = f"in {quiz.path}" if quiz else f"(no quiz file has 'lesson: {lesson.id}')"
                problems.append(Problem(lesson.path, slide.line, f"checkpoint names unknown question {question_id!r} {where}"))
    glossary: Glossary | None = content.glossaries.get(lesson.course)
    terms = {e.term.casefold() for e in glossary.entries} if glossary else set()
    for link in lesson.glossary_links:
        if link.term.casefold() not in terms:
            problems.append(Problem(lesson.path, link.line, f"glossary link to unknown term {link.term!r}"))
    return problems
