"""Teachers and their courses: who may edit what, and the use cases of the browser editors.

Ownership: a course has owners and co-editors (`CourseMember`). Teachers edit only the courses
they hold; admins edit every course. A course nobody holds (every course after `flask content
sync`, until an admin assigns an owner) is edited by admins only. Lookups for an editor answer
None for a course or lesson the user may not edit, so the view answers 404 and never says that
it exists.

Content is saved through `content_store.save_revision` (which validates like `flask content
check` and commits once, or writes nothing); membership and role changes commit once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import func, or_, select

from ..content import editing
from ..content.lessons import parse_lesson
from ..content.model import ContentError, Problem
from ..content.quizzes import parse_quiz
from ..extensions import db
from ..models import (
    COURSE_ROLES,
    ROLES,
    ContentDocument,
    Course,
    CourseMember,
    Lesson,
    Question,
    Response,
    User,
)
from . import content_store
from .accounts import normalise_username

OWNER, EDITOR = COURSE_ROLES
USERS_PER_PAGE = 25


class AuthoringError(ValueError):
    """A request a user can get wrong (unknown user, last owner...): a 4xx with this message key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- who may edit what -------------------------------------------------------------------------

def is_admin(user) -> bool:
    return getattr(user, "role", None) == "admin"


def course_role(user, course: Course) -> str | None:
    """'owner' or 'editor' for a member, 'admin' for an admin who is not a member, else None."""
    role = db.session.scalar(select(CourseMember.role).where(CourseMember.course_id == course.id,
                                                             CourseMember.user_id == user.id))
    return role or ("admin" if is_admin(user) else None)


def editable_course(user, slug: str) -> Course | None:
    course = db.session.scalar(select(Course).where(Course.slug == slug, Course.retired.is_(False)))
    if course is None or not user.is_teacher or course_role(user, course) is None:
        return None
    return course


def editable_lesson(user, slug: str) -> Lesson | None:
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug, Lesson.retired.is_(False)))
    if lesson is None or editable_course(user, lesson.course.slug) is None:
        return None
    return lesson


def teacher_courses(user) -> list[Course]:
    """The courses a teacher holds; every live course for an admin."""
    query = select(Course).where(Course.retired.is_(False)).order_by(Course.title)
    if not is_admin(user):
        query = query.join(CourseMember, CourseMember.course_id == Course.id).where(CourseMember.user_id == user.id)
    return list(db.session.scalars(query))


def ownerless_courses() -> list[Course]:
    owned = select(CourseMember.course_id).where(CourseMember.role == OWNER)
    return list(db.session.scalars(select(Course).where(Course.retired.is_(False), Course.id.not_in(owned))
                                   .order_by(Course.slug)))


def course_members(course: Course) -> list[tuple[User, str]]:
    rows = db.session.execute(select(User, CourseMember.role).join(CourseMember, CourseMember.user_id == User.id)
                              .where(CourseMember.course_id == course.id)
                              .order_by(CourseMember.role.desc(), User.username))
    return [(user, role) for user, role in rows]


def can_manage_members(user, course: Course) -> bool:
    return course_role(user, course) in (OWNER, "admin")


# --- membership and roles (each commits once) --------------------------------------------------

def add_member(course_slug: str, username: str, role: str) -> CourseMember:
    """Make a teacher an owner or co-editor of a course (or change their course role)."""
    if role not in COURSE_ROLES:
        raise AuthoringError("unknown_role")
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise AuthoringError("unknown_course")
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise AuthoringError("unknown_user")
    if not user.is_teacher:
        raise AuthoringError("not_a_teacher")
    member = db.session.scalar(select(CourseMember).where(CourseMember.course_id == course.id,
                                                          CourseMember.user_id == user.id))
    if member is None:
        member = CourseMember(course_id=course.id, user_id=user.id, role=role)
        db.session.add(member)
    else:
        if member.role == OWNER and role != OWNER and owner_count(course.id) == 1:
            raise AuthoringError("last_owner")
        member.role = role
    db.session.commit()
    return member


def remove_member(course: Course, user_id: int, actor) -> None:
    member = db.session.scalar(select(CourseMember).where(CourseMember.course_id == course.id,
                                                          CourseMember.user_id == user_id))
    if member is None:
        raise AuthoringError("not_a_member")
    if member.role == OWNER and owner_count(course.id) == 1 and not is_admin(actor):
        raise AuthoringError("last_owner")  # an admin may leave a course without owner again
    db.session.delete(member)
    db.session.commit()


def owner_count(course_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CourseMember)
                             .where(CourseMember.course_id == course_id, CourseMember.role == OWNER))


def set_role(user_id: int, role: str) -> User:
    """Change an account's role; the last admin cannot be demoted."""
    if role not in ROLES:
        raise AuthoringError("unknown_role")
    user = db.session.get(User, user_id)
    if user is None:
        raise AuthoringError("unknown_user")
    if user.role == "admin" and role != "admin":
        admins = db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
        if admins <= 1:
            raise AuthoringError("last_admin")
    if user.role != role:
        user.role = role
        if role == "student":  # a student edits nothing: course memberships end with the role
            for member in db.session.scalars(select(CourseMember).where(CourseMember.user_id == user.id)):
                db.session.delete(member)
        db.session.commit()
    return user


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    page: int
    pages: int
    total: int


def list_users(search: str = "", page: int = 1) -> UserPage:
    """Accounts by username, USERS_PER_PAGE a page, filtered by a part of the username or name."""
    query = select(User)
    search = (search or "").strip()[:80]
    if search:
        pattern = "%" + search.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(User.username).like(pattern, escape="\\"),
                                func.lower(User.display_name).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // USERS_PER_PAGE))
    page = min(max(1, page), pages)
    users = list(db.session.scalars(query.order_by(User.username)
                                    .limit(USERS_PER_PAGE).offset((page - 1) * USERS_PER_PAGE)))
    return UserPage(users, page, pages, total)


# --- the documents of a lesson -----------------------------------------------------------------

def document_path(lesson: Lesson, kind: str) -> str:
    """lessons/<folder>/<name>.md, or the quiz bank beside it in quizzes/."""
    path = PurePosixPath(lesson.source_path)
    if kind == "lesson":
        return path.as_posix()
    return PurePosixPath("quizzes", *path.parts[1:]).as_posix()


def current_source(path: str) -> str | None:
    document = db.session.scalar(select(ContentDocument).where(ContentDocument.path == path,
                                                               ContentDocument.retired.is_(False)))
    if document is None:
        return None
    stored = content_store.revision(path, document.current_number)
    return stored.source if stored else None


@dataclass
class Bank:
    """A lesson's quiz bank as the editor shows it."""

    path: str
    source: str | None  # None: the lesson has no quiz bank yet
    layout: editing.BankLayout | None
    questions: dict  # id -> content.model.Question
    problems: list[Problem]


def quiz_bank(lesson: Lesson) -> Bank:
    path = document_path(lesson, "quiz")
    source = current_source(path)
    if source is None:
        return Bank(path, None, None, {}, [])
    try:
        quiz = parse_quiz(path, source)
        bank_layout = editing.layout(path, source)
    except ContentError as exc:
        return Bank(path, source, None, {}, exc.problems)
    return Bank(path, source, bank_layout, {q.id: q for q in quiz.questions}, [])


def answered_question_ids(lesson: Lesson) -> set[str]:
    """Slugs of the lesson's questions that someone has answered (an edit makes a new version)."""
    return set(db.session.scalars(select(Question.slug).join(Response, Response.question_id == Question.id)
                                  .where(Question.lesson_id == lesson.id).distinct()))


def new_question_id(lesson: Lesson, bank: Bank) -> str:
    taken = set(db.session.scalars(select(Question.slug))) | set(bank.questions)
    return editing.next_question_id(lesson.slug, taken)


def broken_bank(bank: Bank) -> content_store.SaveResult:
    return content_store.SaveResult(False, bank.problems or [Problem(bank.path, 1, "the quiz bank cannot be read")])


def save_question(lesson: Lesson, author_id: int, draft: editing.QuestionDraft, question_id: str | None,
                  in_final: bool, message: str) -> tuple[content_store.SaveResult, str]:
    """Write a new or changed question into the lesson's quiz bank as a new revision."""
    bank = quiz_bank(lesson)
    if bank.source is not None and bank.layout is None:
        return broken_bank(bank), question_id or ""
    if question_id is None:
        question_id = new_question_id(lesson, bank)
    if bank.layout is None:
        text = editing.new_bank(lesson.slug, question_id, draft, in_final)
    else:
        text = editing.put_question(bank.layout, question_id, draft, in_final)
    return save(bank.path, text, author_id, message, "question saved"), question_id


def duplicate_question(lesson: Lesson, author_id: int, question_id: str) -> tuple[content_store.SaveResult, str]:
    bank = quiz_bank(lesson)
    if bank.layout is None:
        return broken_bank(bank), ""
    new_id = new_question_id(lesson, bank)
    text = editing.copy_question(bank.layout, question_id, new_id)
    return save(bank.path, text, author_id, f"copy of {question_id}", "copy"), new_id


def move_question(lesson: Lesson, author_id: int, question_id: str, step: int) -> content_store.SaveResult:
    bank = quiz_bank(lesson)
    if bank.layout is None:
        return broken_bank(bank)
    text = editing.move_question(bank.layout, question_id, step)
    if text is None:  # already first or last: nothing to do
        return content_store.SaveResult(True, [], None)
    return save(bank.path, text, author_id, f"moved {question_id}", "")


def retire_question(lesson: Lesson, author_id: int, question_id: str) -> content_store.SaveResult:
    """Take the question out of the bank: it leaves the lesson; answers given to it stay."""
    bank = quiz_bank(lesson)
    if bank.layout is None:
        return broken_bank(bank)
    text = editing.remove_question(bank.layout, question_id)
    return save(bank.path, text, author_id, f"retired {question_id}", "")


def create_lesson(course: Course, author_id: int, lesson_id: str, title: str, minutes: int,
                  goal: str) -> content_store.SaveResult:
    """A new lesson at the end of the course: front matter, one goal and a title slide."""
    import json

    folder = course_folder(course)
    taken = db.session.scalar(select(func.count()).select_from(Lesson).where(Lesson.slug == lesson_id))
    paths = list(db.session.scalars(select(ContentDocument.path).where(ContentDocument.path.like(f"lessons/{folder}/%"))))
    if taken or any(PurePosixPath(p).stem.split("-", 1)[-1] == lesson_id for p in paths):
        return content_store.SaveResult(False, [Problem(f"lessons/{folder}/", 1, f"the id {lesson_id!r} is taken")])
    numbers = [int(PurePosixPath(p).stem.split("-", 1)[0]) for p in paths
               if PurePosixPath(p).stem.split("-", 1)[0].isdigit()]
    path = f"lessons/{folder}/{max(numbers, default=0) + 1:02d}-{lesson_id}.md"
    # JSON strings are YAML strings: a title or goal with a colon or quotes stays one value
    text = (f"---\nid: {lesson_id}\ncourse: {course.slug}\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"language: {course.language}\nminutes: {minutes}\ngoals:\n  - id: {lesson_id}-g1\n"
            f"    text: {json.dumps(goal, ensure_ascii=False)}\n---\n\n# {' '.join(title.split())}\n")
    return content_store.save_revision(path, text, author_id=author_id, message="new lesson", origin="editor")


def course_folder(course: Course) -> str:
    """The folder of the course's files (its course.md), usually the course id."""
    path = db.session.scalar(select(ContentDocument.path).where(ContentDocument.kind == "course",
                                                                ContentDocument.course_slug == course.slug))
    return PurePosixPath(path).parts[1] if path else course.slug


def save_lesson(lesson: Lesson, author_id: int, text: str, message: str) -> content_store.SaveResult:
    """Save the lesson's Markdown; its id and course stay (progress and attempts hang on them)."""
    path, text = document_path(lesson, "lesson"), normalise_newlines(text)
    parsed, _problems = lesson_preview(path, text)
    if parsed is not None and (parsed.id, parsed.course) != (lesson.slug, lesson.course.slug):
        lines = text.split("\n")
        line = next((n for n, row in enumerate(lines, 1) if row.startswith(("id:", "course:"))), 1)
        return content_store.SaveResult(False, [Problem(path, line, f"the lesson keeps its id {lesson.slug!r} and "
                                                                   f"course {lesson.course.slug!r} (progress "
                                                                   "hangs on them)")])
    return save(path, text, author_id, message, "lesson saved")


def restore(lesson: Lesson, kind: str, number: int, author_id: int) -> content_store.SaveResult:
    return content_store.restore(document_path(lesson, kind), number, author_id)


def save(path: str, text: str, author_id: int, message: str, default_message: str) -> content_store.SaveResult:
    return content_store.save_revision(path, text, author_id=author_id, message=(message or "").strip()
                                       or default_message, origin="editor")


def normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def lesson_preview(path: str, text: str):
    """Parse posted lesson text for a preview: (Lesson, []) or (None, problems)."""
    try:
        return parse_lesson(path, normalise_newlines(text)), []
    except ContentError as exc:
        return None, exc.problems


# --- the history of one question inside its bank -------------------------------------------------

@dataclass(frozen=True)
class QuestionChange:
    revision: object  # ContentRevision of the quiz bank
    block: str | None  # the question's source in that revision (None: not in the bank)
    lines: list[str]  # unified diff against the previous change


def question_history(lesson: Lesson, question_id: str) -> list[QuestionChange]:
    """The bank revisions that changed this question (added, edited, removed), newest first."""
    import difflib

    changes, previous = [], None
    for revision in reversed(content_store.revisions(document_path(lesson, "quiz"))):
        block = editing.question_block(revision.source, question_id)
        if block != previous and not (block is None and previous is None):
            lines = list(difflib.unified_diff((previous or "").splitlines(), (block or "").splitlines(),
                                              lineterm="", n=20))
            changes.append(QuestionChange(revision, block, lines))
        previous = block
    return changes[::-1]


def restore_question(lesson: Lesson, author_id: int, question_id: str, number: int) -> content_store.SaveResult | None:
    """Put the question back as it was in bank revision `number` (a new revision); None if it was not there."""
    path = document_path(lesson, "quiz")
    old = content_store.revision(path, number)
    block = editing.question_block(old.source, question_id) if old else None
    if block is None:
        return None
    bank = quiz_bank(lesson)
    if bank.layout is None:
        return broken_bank(bank)
    return content_store.save_revision(path, editing.with_block(bank.layout, question_id, block), author_id=author_id,
                                       message=f"restored {question_id} from revision {number}", origin="restore")


# --- import from GIFT, Aiken or Markdown (issue 8), through the quiz-bank service ---------------

MAX_IMPORT_BYTES = 300_000  # the content store's file limit; `flask quiz import` reads no more either


@dataclass
class ImportPreview:
    result: object  # interchange.ImportResult
    plan: object | None  # quiz_bank.ImportPlan (None when nothing can be planned)
    notes: dict  # imported question line -> weight-mapping sentence (English, from the interchange layer)


def decode_upload(data: bytes) -> tuple[str | None, int | None]:
    """(text, None), or (None, line of the first byte that is not UTF-8)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, data.count(b"\n", 0, exc.start) + 1


def import_preview(lesson: Lesson, text: str, text_format: str, goals: tuple[str, ...]) -> ImportPreview:
    """What importing `text` into the lesson's quiz bank would add. Writes nothing."""
    from ..content.interchange import import_questions
    from ..content.interchange.weights import describe
    from . import quiz_bank

    target = quiz_bank.find_lesson(lesson.course.slug, lesson.slug)
    result = import_questions(text, text_format, language=target.language)
    plan = quiz_bank.plan_import(target, result.questions, tuple(goals))
    notes = {q.line: describe(q.weight_mapping) for q in result.questions if q.weight_mapping is not None}
    return ImportPreview(result, plan, notes)


def store_import(preview: ImportPreview, author_id: int, message: str):
    from . import quiz_bank

    return quiz_bank.store_import(preview.plan, author_id=author_id, message=(message or "").strip())


def author_names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
