"""Classes: creating them, join codes (guessing throttled), rosters, co-teachers, archiving,
assignments with their policy, resets of one attempt, and the policy checks the quiz flow asks.

Helpers flush; each function a view calls commits once. Lookups answer None for what the user
may not see, so a view answers 404 and never tells that someone else's class exists.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..learning.mastery import MasteryMethod
from ..models import (
    Assignment,
    Attempt,
    AttemptKind,
    AttemptReset,
    AttemptStatus,
    ClassGroup,
    ClassStudent,
    ClassTeacher,
    CountingRule,
    CourseSettings,
    KeyReveal,
    Lesson,
    LoginThrottle,
    User,
    utcnow,
)
from . import throttle
from .accounts import normalise_username

# Join codes: no look-alikes (0/O, 1/I/l) and no vowels-only words; 8 of 31 symbols = 39 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Wrong codes: an account waits from its 5th wrong code in a row (as for logins); an address, shared
# by a whole class behind one NAT, from its 30th.
ACCOUNT_FREE_FAILURES = throttle.FREE_FAILURES
ADDRESS_FREE_FAILURES = 30


class ClassError(ValueError):
    """A request a user can get wrong; `reason` names it for the view's message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- join codes -----------------------------------------------------------------------------------

def normalise_code(raw: str) -> str:
    """Upper case without spaces or hyphens: 'abcd-efgh ' and 'ABCDEFGH' are one code."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def format_code(code: str) -> str:
    """The code as shown to people: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def new_code() -> str:
    """A fresh code not used by any class (checked; the unique index guards the last race)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(ClassGroup.id).where(ClassGroup.join_code == code)) is None:
            return code


# --- teachers' lookups ----------------------------------------------------------------------------

def teacher_class(user, class_id: int) -> ClassGroup | None:
    """The class if `user` teaches it (owner or co-teacher), else None."""
    if not getattr(user, "is_teacher", False):
        return None
    return db.session.scalar(select(ClassGroup).join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
                             .where(ClassGroup.id == class_id, ClassTeacher.user_id == user.id))


@dataclass(frozen=True)
class ClassSummary:
    group: ClassGroup
    students: int
    assignments: int


def teacher_classes(user_id: int) -> list[ClassSummary]:
    """The classes a teacher teaches, active first, with roster and assignment counts (3 queries)."""
    groups = list(db.session.scalars(
        select(ClassGroup).join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
        .where(ClassTeacher.user_id == user_id)
        .order_by(ClassGroup.archived_at.is_not(None), ClassGroup.name, ClassGroup.id)))
    ids = [g.id for g in groups]
    students = dict(db.session.execute(select(ClassStudent.class_id, func.count()).where(
        ClassStudent.class_id.in_(ids)).group_by(ClassStudent.class_id)).all()) if ids else {}
    assigned = dict(db.session.execute(select(Assignment.class_id, func.count()).where(
        Assignment.class_id.in_(ids)).group_by(Assignment.class_id)).all()) if ids else {}
    return [ClassSummary(g, students.get(g.id, 0), assigned.get(g.id, 0)) for g in groups]


def class_teachers(group: ClassGroup) -> list[tuple[User, str]]:
    return list(db.session.execute(
        select(User, ClassTeacher.role).join(ClassTeacher, ClassTeacher.user_id == User.id)
        .where(ClassTeacher.class_id == group.id).order_by(ClassTeacher.id)).all())


def roster(group: ClassGroup) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ClassStudent, ClassStudent.user_id == User.id)
        .where(ClassStudent.class_id == group.id).order_by(User.display_name, User.username, User.id)))


def assignments(group: ClassGroup) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).join(Lesson, Lesson.id == Assignment.lesson_id)
        .where(Assignment.class_id == group.id)
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Lesson.position, Assignment.id)))


def class_assignment(group: ClassGroup, assignment_id: int) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(Assignment.id == assignment_id,
                                                      Assignment.class_id == group.id))


def assignable_lessons() -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).where(Lesson.retired.is_(False))
                                   .order_by(Lesson.course_id, Lesson.position)))


# --- teachers' changes (each commits once) --------------------------------------------------------

def _writable(group: ClassGroup) -> None:
    if group.archived:
        raise ClassError("archived")


def create_class(teacher_id: int, name: str, *, demo: bool = False) -> ClassGroup:
    group = ClassGroup(name=name, join_code=new_code(), code_open=True, is_demo=demo)
    db.session.add(group)
    db.session.flush()
    db.session.add(ClassTeacher(class_id=group.id, user_id=teacher_id, role="owner"))
    db.session.commit()
    return group


def regenerate_code(group: ClassGroup) -> str:
    """A new code; the old one stops working at once. Also reopens a closed code."""
    _writable(group)
    group.join_code = new_code()
    group.code_open = True
    db.session.commit()
    return group.join_code


def set_code_open(group: ClassGroup, is_open: bool) -> None:
    _writable(group)
    group.code_open = is_open
    db.session.commit()


def set_archived(group: ClassGroup, archived: bool) -> None:
    """Archive at the end of the year: read-only, hidden from students' dashboards, still exportable."""
    group.archived_at = utcnow() if archived else None
    db.session.commit()


def add_co_teacher(group: ClassGroup, username: str) -> User:
    _writable(group)
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise ClassError("unknown_user")
    if not user.is_teacher:
        raise ClassError("not_a_teacher")
    exists = db.session.scalar(select(ClassTeacher.id).where(ClassTeacher.class_id == group.id,
                                                             ClassTeacher.user_id == user.id))
    if exists is None:
        db.session.add(ClassTeacher(class_id=group.id, user_id=user.id, role="co_teacher"))
        try:
            db.session.commit()
        except IntegrityError:  # added by someone else at the same moment: same result
            db.session.rollback()
    return user


def remove_co_teacher(group: ClassGroup, user_id: int) -> None:
    _writable(group)
    removed = db.session.execute(delete(ClassTeacher).where(
        ClassTeacher.class_id == group.id, ClassTeacher.user_id == user_id,
        ClassTeacher.role == "co_teacher")).rowcount
    if not removed:
        db.session.rollback()
        raise ClassError("not_a_co_teacher")
    db.session.commit()


def remove_student(group: ClassGroup, user_id: int) -> None:
    """Off the roster; the student's attempts stay theirs (the gradebook no longer lists them)."""
    _writable(group)
    removed = db.session.execute(delete(ClassStudent).where(
        ClassStudent.class_id == group.id, ClassStudent.user_id == user_id)).rowcount
    if not removed:
        db.session.rollback()
        raise ClassError("not_a_student")
    db.session.commit()


@dataclass(frozen=True)
class Policy:
    lesson_slug: str
    due_at: datetime | None
    attempts_allowed: int | None
    counting: str
    pass_mark: int
    key_reveal: str

    def check(self) -> None:
        if self.attempts_allowed is not None and not 1 <= self.attempts_allowed <= 100:
            raise ClassError("attempts")
        if self.counting not in CountingRule.ALL:
            raise ClassError("counting")
        if not 0 <= self.pass_mark <= 100:
            raise ClassError("pass_mark")
        if self.key_reveal not in KeyReveal.ALL:
            raise ClassError("key_reveal")
        if self.key_reveal == KeyReveal.AFTER_DUE and self.due_at is None:
            raise ClassError("reveal_needs_due")


def assign_lesson(group: ClassGroup, policy: Policy) -> Assignment:
    _writable(group)
    policy.check()
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == policy.lesson_slug, Lesson.retired.is_(False)))
    if lesson is None:
        raise ClassError("unknown_lesson")
    assignment = Assignment(class_id=group.id, lesson_id=lesson.id)
    _apply(assignment, policy)
    db.session.add(assignment)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ClassError("already_assigned") from None
    return assignment


def update_assignment(group: ClassGroup, assignment: Assignment, policy: Policy) -> None:
    _writable(group)
    policy.check()
    _apply(assignment, policy)
    db.session.commit()


def _apply(assignment: Assignment, policy: Policy) -> None:
    assignment.due_at = policy.due_at
    assignment.attempts_allowed = policy.attempts_allowed
    assignment.counting = policy.counting
    assignment.pass_mark = policy.pass_mark
    assignment.key_reveal = policy.key_reveal


def remove_assignment(group: ClassGroup, assignment: Assignment) -> None:
    """The assignment goes; the students' attempts stay in their history."""
    _writable(group)
    db.session.delete(assignment)
    db.session.commit()


def reset_attempt(group: ClassGroup, student_id: int, attempt_id: int, teacher_id: int) -> Attempt:
    """Mark one attempt of a student of this class, on a lesson assigned to it, as reset: it stays
    in the history but no longer counts (nor uses up an allowed attempt). An open lesson run is
    closed too, so the next checkpoint answer starts a fresh run. An open final quiz cannot be reset."""
    _writable(group)
    attempt = db.session.scalar(
        select(Attempt).join(ClassStudent, ClassStudent.user_id == Attempt.user_id)
        .join(Assignment, (Assignment.lesson_id == Attempt.lesson_id) & (Assignment.class_id == group.id))
        .where(Attempt.id == attempt_id, Attempt.user_id == student_id, ClassStudent.class_id == group.id))
    if attempt is None:
        raise ClassError("unknown_attempt")
    if attempt.kind == AttemptKind.FINAL and attempt.status == AttemptStatus.OPEN:
        raise ClassError("attempt_open")
    if db.session.get(AttemptReset, attempt.id) is not None:
        return attempt  # already reset: harmless
    db.session.add(AttemptReset(attempt_id=attempt.id, reset_by=teacher_id))
    if attempt.kind == AttemptKind.LESSON and attempt.status == AttemptStatus.OPEN:
        db.session.execute(update(Attempt).where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
                           .values(status=AttemptStatus.CLOSED, submitted_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # a second click at the same moment
        db.session.rollback()
    return attempt


# --- students: joining ----------------------------------------------------------------------------

@dataclass(frozen=True)
class JoinResult:
    outcome: str  # joined | already | wrong | closed | archived | throttled
    group: ClassGroup | None = None
    retry_at: datetime | None = None


def _throttle_key(kind: str, value: str) -> str:
    return hashlib.sha256(f"join-{kind}:{value}".encode()).hexdigest()


def _locked_until(keys: list[str], now: datetime) -> datetime | None:
    rows = db.session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    waits = [until for until in rows if until is not None and until > now]
    return max(waits) if waits else None


def _count_failure(key: str, free: int, now: datetime) -> None:
    """failures + 1 in one atomic upsert (forgotten after a day); from `free` failures on, a wait
    that doubles each time, as for logins."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    table = LoginThrottle.__table__
    statement = insert(table).values(key=key, failures=1, last_failure_at=now, locked_until=None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((table.c.last_failure_at <= now - throttle.FORGET_AFTER, 1),
                               else_=table.c.failures + 1),
              "last_failure_at": now},
    ).returning(table.c.failures)
    failures = db.session.execute(statement).scalar_one()
    if failures >= free:
        wait = throttle.delay_after(failures - free + throttle.FREE_FAILURES)
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(locked_until=now + wait))


def join_class(user_id: int, raw_code: str, address: str, now: datetime | None = None) -> JoinResult:
    """Join a class with its code. Wrong codes count against the account and the address; while
    either waits, no code is checked at all (so a guess cannot be confirmed by timing either)."""
    now = now or utcnow()
    keys = [_throttle_key("account", str(user_id)), _throttle_key("address", address or "-")]
    retry_at = _locked_until(keys, now)
    if retry_at is not None:
        return JoinResult("throttled", retry_at=retry_at)
    code = normalise_code(raw_code)
    group = db.session.scalar(select(ClassGroup).where(ClassGroup.join_code == code)) if code else None
    if group is None:
        _count_failure(keys[0], ACCOUNT_FREE_FAILURES, now)
        _count_failure(keys[1], ADDRESS_FREE_FAILURES, now)
        db.session.commit()
        return JoinResult("wrong")
    if group.archived:
        return JoinResult("archived", group)
    if not group.code_open:
        return JoinResult("closed", group)
    already = db.session.scalar(select(ClassStudent.id).where(ClassStudent.class_id == group.id,
                                                              ClassStudent.user_id == user_id))
    if already is not None:
        return JoinResult("already", group)
    db.session.add(ClassStudent(class_id=group.id, user_id=user_id))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0]))  # the account found its class
    try:
        db.session.commit()
    except IntegrityError:  # a double click: the other request joined
        db.session.rollback()
        return JoinResult("already", group)
    return JoinResult("joined", group)


def student_classes(user_id: int) -> list[ClassGroup]:
    """The student's classes that are not archived."""
    return list(db.session.scalars(
        select(ClassGroup).join(ClassStudent, ClassStudent.class_id == ClassGroup.id)
        .where(ClassStudent.user_id == user_id, ClassGroup.archived_at.is_(None))
        .order_by(ClassGroup.name, ClassGroup.id)))


# --- policy checks for the quiz flow --------------------------------------------------------------

def student_assignments_for_lesson(user_id: int, lesson_id: int) -> list[Assignment]:
    """Assignments of this lesson in the student's active classes (usually none or one)."""
    return list(db.session.scalars(
        select(Assignment).join(ClassStudent, ClassStudent.class_id == Assignment.class_id)
        .join(ClassGroup, ClassGroup.id == Assignment.class_id)
        .where(ClassStudent.user_id == user_id, Assignment.lesson_id == lesson_id,
               ClassGroup.archived_at.is_(None))))


def counted_finals(user_id: int, lesson_id: int) -> int:
    """Final quizzes of this student and lesson that used up an attempt: started, not reset."""
    return db.session.scalar(
        select(func.count()).select_from(Attempt)
        .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
        .where(Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.FINAL,
               AttemptReset.attempt_id.is_(None)))


def attempts_allowed(user_id: int, lesson_id: int) -> int | None:
    """The strictest number of final-quiz attempts the student's assignments allow (None: no limit)."""
    limits = [a.attempts_allowed for a in student_assignments_for_lesson(user_id, lesson_id)
              if a.attempts_allowed is not None]
    return min(limits) if limits else None


def attempts_left(user_id: int, lesson_id: int) -> int | None:
    """How many more final quizzes the student may start on this lesson; None: unlimited."""
    allowed = attempts_allowed(user_id, lesson_id)
    if allowed is None:
        return None
    return max(0, allowed - counted_finals(user_id, lesson_id))


def key_reveal_allows(key_reveal: str, due_at: datetime | None, now: datetime) -> bool:
    if key_reveal == KeyReveal.IMMEDIATELY:
        return True
    if key_reveal == KeyReveal.AFTER_DUE:
        return due_at is not None and now >= due_at
    return False


# --- a course's mastery method --------------------------------------------------------------------

def set_mastery_method(course_id: int, method: str, decay_weight: float, n_correct: int) -> None:
    """Store the course's method; every page computes mastery from the answers when it is shown,
    so the change applies everywhere at once. The values are checked by MasteryMethod first."""
    MasteryMethod(method=method, decay_weight=decay_weight, n_correct=n_correct)  # raises ValueError if invalid
    settings = db.session.get(CourseSettings, course_id)
    if settings is None:
        settings = CourseSettings(course_id=course_id)
        db.session.add(settings)
    settings.mastery_method = method
    settings.decay_weight = decay_weight
    settings.n_correct = n_correct
    settings.updated_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # two teachers saved the first settings at once: the later one wins
        db.session.rollback()
        set_mastery_method(course_id, method, decay_weight, n_correct)


@dataclass(frozen=True)
class KeyPolicy:
    """May the student see this lesson's final-quiz answers now; if not, never or from `reveal_at`."""

    visible: bool
    never: bool = False
    reveal_at: datetime | None = None


def key_policy(user_id: int, lesson_id: int, now: datetime | None = None) -> KeyPolicy:
    """The strictest answer-key policy of the student's assignments of this lesson (one statement)."""
    now = now or utcnow()
    waiting = [a for a in student_assignments_for_lesson(user_id, lesson_id)
               if not key_reveal_allows(a.key_reveal, a.due_at, now)]
    if not waiting:
        return KeyPolicy(True)
    if any(a.key_reveal == KeyReveal.NEVER or a.due_at is None for a in waiting):
        return KeyPolicy(False, never=True)
    return KeyPolicy(False, reveal_at=max(a.due_at for a in waiting))
