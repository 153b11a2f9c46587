"""Load a content tree (lessons/ and quizzes/) and check the files against each other.

Two steps, so texts that come from the database can be checked like files on disk:
`read_tree(root)` reads the files safely into {relative posix path: text}, and
`load_sources(files)` parses and cross-checks those texts without touching the disk.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from .courses import parse_course, parse_glossary
from .lessons import parse_lesson
from .model import ContentError, ContentSet, Glossary, Lesson, Problem, Quiz
from .quizzes import parse_quiz

logger = logging.getLogger(__name__)

COURSE_FILE = "course.md"
GLOSSARY_FILE = "glossary.md"
AREAS = ("lessons", "quizzes")
MAX_FILE_BYTES = 300_000
MAX_FILES = 2_000  # per tree: a course has a handful of files; this only stops runaway trees
MAX_TREE_BYTES = 50_000_000
MAX_PATH_CHARS = 500  # the source path columns in the database


def load_content(root: Path) -> ContentSet:
    """Read root/lessons and root/quizzes. Broken files are reported and left out."""
    files, problems = read_tree(root)
    content = load_sources(files)
    content.problems[:0] = problems
    return content


# --- reading files ---------------------------------------------------------------------------

def read_tree(root: Path) -> tuple[dict[str, str], list[Problem]]:
    """Every `lessons/<course>/<name>.md` and `quizzes/<course>/<name>.md` under root, as text.

    A file is read only if it is a regular file inside root (symlinks are followed only when
    they stay inside root), at most MAX_FILE_BYTES long and UTF-8. Anything else is a problem
    at line 1 of that path and the other files are still read. Hidden files and folders
    (editor backups, lock files) are ignored, as static-site generators do.
    """
    root = Path(root)
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return {}, [Problem(root.as_posix(), 1, "content folder not found")]
    files: dict[str, str] = {}
    problems: list[Problem] = []
    total = 0
    for rel in _candidate_paths(root, real_root, problems):
        if len(files) + len(problems) >= MAX_FILES:
            problems.append(Problem(rel, 1, f"too many files in the content folder (at most {MAX_FILES}); "
                                            "this one and the rest were not read"))
            break
        try:
            text = read_text_file(root / rel, real_root)
        except ContentError as exc:
            problems.append(Problem(rel, 1, exc.problems[0].message))
            continue
        total += len(text)
        if total > MAX_TREE_BYTES:
            problems.append(Problem(rel, 1, "the content folder is too large; this file and the rest were not read"))
            break
        files[rel] = text
    return files, problems


def _candidate_paths(root: Path, real_root: Path, problems: list[Problem]) -> Iterator[str]:
    for area in AREAS:
        if not _folder_inside(root / area, area, real_root, problems):
            continue
        for course_dir in _listing(root / area, area, problems):
            course_rel = f"{area}/{course_dir.name}"
            if not _folder_inside(course_dir, course_rel, real_root, problems):
                continue
            for path in _listing(course_dir, course_rel, problems):
                if path.name.endswith(".md"):
                    yield f"{course_rel}/{path.name}"


def _listing(directory: Path, rel: str, problems: list[Problem]) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        problems.append(Problem(rel, 1, f"folder cannot be read ({exc.strerror or exc})"))
        return []


def _folder_inside(path: Path, rel: str, real_root: Path, problems: list[Problem]) -> bool:
    """True for a folder inside the tree; a folder linked from outside is a problem, a file is ignored."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        if path.is_symlink():
            problems.append(Problem(rel, 1, "broken symbolic link (its target does not exist)"))
        return False
    if not real.is_dir():
        return False
    if not real.is_relative_to(real_root):
        problems.append(Problem(rel, 1, "symbolic link to a folder outside the content folder"))
        return False
    return True


def read_text_file(path: Path, real_root: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read one content file; raise ContentError (one problem, line 1) if it is not a safe text file."""
    data = read_file_bytes(path, real_root, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(path.as_posix(), "file is not UTF-8 text") from None


def read_file_bytes(path: Path, real_root: Path, max_bytes: int) -> bytes:
    """Read one file inside the content folder as bytes (media files too); ContentError if unsafe."""
    where = path.as_posix()
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise _refuse(where, "broken symbolic link (its target does not exist)") from None
        if not target.is_relative_to(real_root):
            raise _refuse(where, "symbolic link to a file outside the content folder")
    else:
        target = path
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW on the resolved path
        # refuses a link swapped in after the check above.
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except IsADirectoryError:
        raise _refuse(where, "is a folder, not a file") from None
    except OSError as exc:
        raise _refuse(where, f"file cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _refuse(where, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise _refuse(where, "is not a regular file (a device, pipe or socket)")
        chunks, size = [], 0
        while size <= max_bytes:  # bounded even if the file grows while we read
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise _refuse(where, f"file cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _refuse(where, f"file is too large (over {max_bytes} bytes)")
    return data


def _refuse(where: str, message: str) -> ContentError:
    return ContentError([Problem(where, 1, message)])


# --- parsing and cross-checking ---------------------------------------------------------------

def load_sources(files: Mapping[str, str]) -> ContentSet:
    """Parse {relative posix path: text} and cross-check the files. Pure: no disk, no database.

    Paths follow the tree layout: `lessons/<course>/course.md`, `lessons/<course>/glossary.md`,
    `lessons/<course>/<lesson>.md` and `quizzes/<course>/<quiz>.md`.
    """
    content = ContentSet()
    course_files, glossary_files, lesson_files, quiz_files = [], [], [], []
    for path in sorted(files):
        parts = PurePosixPath(path).parts
        if len(path) > MAX_PATH_CHARS:
            content.problems.append(Problem(path[:MAX_PATH_CHARS] + "…", 1,
                                            f"file path is longer than {MAX_PATH_CHARS} characters"))
        elif len(parts) != 3 or parts[0] not in AREAS or not parts[2].endswith(".md") or path != "/".join(parts):
            content.problems.append(Problem(path, 1, "unexpected file location (expected "
                                                     "lessons/<course>/<file>.md or quizzes/<course>/<file>.md)"))
        elif parts[0] == "quizzes":
            quiz_files.append(path)
        elif parts[2] == COURSE_FILE:
            course_files.append(path)
        elif parts[2] == GLOSSARY_FILE:
            glossary_files.append(path)
        else:
            lesson_files.append(path)

    def parse_each(paths: list[str], parser: Callable):
        for path in paths:
            result = parse_file(path, files[path], parser, content.problems)
            if result is not None:
                yield result

    for course in parse_each(course_files, parse_course):
        if course.id in content.courses:
            content.problems.append(Problem(course.path, 2, f"duplicate course id {course.id!r}"))
        else:
            content.courses[course.id] = course
    for glossary in parse_each(glossary_files, parse_glossary):
        if glossary.course not in content.courses:
            content.problems.append(Problem(glossary.path, glossary.course_line, f"unknown course {glossary.course!r}"))
        elif glossary.course in content.glossaries:
            content.problems.append(Problem(glossary.path, glossary.course_line,
                                            f"second glossary for course {glossary.course!r}"))
        else:
            content.glossaries[glossary.course] = glossary
    content.lesson_paths = set(lesson_files)
    lessons = list(parse_each(lesson_files, parse_lesson))
    quizzes = list(parse_each(quiz_files, parse_quiz))
    cross_check(content, lessons, quizzes)
    return content


def parse_file(path: str, text: str, parser: Callable, problems: list[Problem]):
    """Run one parser; any failure becomes a problem of that file only."""
    try:
        return parser(path, text)
    except ContentError as exc:
        problems.extend(exc.problems)
    except RecursionError:
        problems.append(Problem(path, 1, "file is nested too deeply to be read"))
    except Exception as exc:  # a parser bug must not stop the other files from loading
        logger.warning("unexpected error while parsing %s", path, exc_info=True)
        problems.append(Problem(path, 1, f"file could not be read ({type(exc).__name__}); please report this"))
    return None


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
