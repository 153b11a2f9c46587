"""A class's gradebook (students x assignments), its per-goal mastery heat map, one student's
record and the answers behind it. Read-only.

Constant cost: every page loads its rows with a fixed number of statements (IN lists over the
roster and the assigned lessons), whatever the number of students or attempts; the arithmetic is
plain Python on those rows (`counting_percent`, `assignment_status`, `class_mastery`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..learning.mastery import GoalMastery, MasteryMethod, class_mastery
from ..models import (
    Assignment,
    Attempt,
    AttemptKind,
    AttemptReset,
    AttemptSlot,
    AttemptStatus,
    ClassGroup,
    ClassStudent,
    CountingRule,
    Course,
    CourseSettings,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Response,
    User,
    question_version_goals,
    utcnow,
)
from . import paging
from .answers import counted_answers
from .paging import Pagination

NOT_STARTED, IN_PROGRESS, SUBMITTED, LATE, PASSED = "not_started", "in_progress", "submitted", "late", "passed"


# --- pure rules ------------------------------------------------------------------------------------

def counting_percent(rule: str, percents: Sequence[float]) -> float | None:
    """The score that counts, from the submitted attempts' percentages in the order they were
    handed in; None when nothing was submitted."""
    if not percents:
        return None
    if rule == CountingRule.LATEST:
        return percents[-1]
    if rule == CountingRule.FIRST:
        return percents[0]
    if rule == CountingRule.AVERAGE:
        return sum(percents) / len(percents)
    return max(percents)  # HIGHEST


def assignment_status(submitted_at: Sequence[datetime], percent: float | None, pass_mark: int,
                      due_at: datetime | None, in_progress: bool, now: datetime) -> tuple[str, bool]:
    """(status, late) of one student on one assignment.

    Late: a due date has passed and no attempt was handed in by it (handed in afterwards, or not
    at all). Passed: the counting score reaches the pass mark (late or not: the mark says late).
    """
    on_time = due_at is None or any(at <= due_at for at in submitted_at)
    late = not on_time and (bool(submitted_at) or now > due_at)
    if percent is not None:
        if round(percent, 9) >= pass_mark:
            return PASSED, late
        return (LATE if late else SUBMITTED), late
    if late:
        return LATE, True
    return (IN_PROGRESS if in_progress else NOT_STARTED), False


def attempt_percent(score: float | None, max_score: int | None) -> float | None:
    if score is None or not max_score:
        return None
    return 100.0 * score / max_score


# --- gradebook -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptRow:
    id: int
    user_id: int
    lesson_id: int
    kind: str
    status: str
    percent: float | None
    started_at: datetime
    submitted_at: datetime | None
    reset: bool

    @property
    def seconds(self) -> int | None:
        if self.submitted_at is None:
            return None
        return max(0, int((self.submitted_at - self.started_at).total_seconds()))


@dataclass(frozen=True)
class Cell:
    status: str
    late: bool
    percent: float | None
    submitted: int  # submitted final quizzes that count
    reset: int  # reset attempts (kept in the history)
    attempt_id: int | None  # the attempt a click opens: the counting one (the latest for an average)


@dataclass
class Gradebook:
    group: ClassGroup
    assignments: list[tuple[Assignment, Lesson]]
    students: list  # User, or a roster row (id, display_name, username) on a page
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (user id, assignment id)
    sort: str = "name"
    pagination: Pagination | None = None  # None: every student (the export)
    query: str = ""
    class_size: int = 0


SORT_DEFAULT = "name"


def assigned_lessons(group: ClassGroup) -> list[tuple[Assignment, Lesson]]:
    return list(db.session.execute(
        select(Assignment, Lesson).join(Lesson, Lesson.id == Assignment.lesson_id)
        .where(Assignment.class_id == group.id)
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Lesson.position, Assignment.id)).all())


def roster_users(group: ClassGroup) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ClassStudent, ClassStudent.user_id == User.id)
        .where(ClassStudent.class_id == group.id).order_by(User.display_name, User.username, User.id)))


def roster_rows(group: ClassGroup) -> list:
    """Id, display name and username of every student, in name order (case aside). One light
    statement: a page sorts and filters these, then loads the rest for its own students only."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.username).join(ClassStudent, ClassStudent.user_id == User.id)
        .where(ClassStudent.class_id == group.id)).all()
    return sorted(rows, key=name_key)


def name_key(user) -> tuple:
    return user.display_name.casefold(), user.username, user.id


def _attempt_rows(user_ids: Iterable[int] | Select, lesson_ids: Iterable[int]) -> list[AttemptRow]:
    """Attempts of these students (ids, or a query of ids) on these lessons, oldest first."""
    if not isinstance(user_ids, Select):
        user_ids = list(user_ids)
    lesson_ids = list(lesson_ids)
    if (isinstance(user_ids, list) and not user_ids) or not lesson_ids:
        return []
    rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.lesson_id, Attempt.kind, Attempt.status, Attempt.score,
               Attempt.max_score, Attempt.started_at, Attempt.submitted_at, AttemptReset.attempt_id)
        .outerjoin(AttemptReset, AttemptReset.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids), Attempt.lesson_id.in_(lesson_ids))
        .order_by(Attempt.started_at, Attempt.id))
    return [AttemptRow(r[0], r[1], r[2], r[3], r[4], attempt_percent(r[5], r[6]), r[7], r[8], r[9] is not None)
            for r in rows]


def cell_for(assignment: Assignment, attempts: list[AttemptRow], now: datetime) -> Cell:
    """One student's cell from their attempts on the assignment's lesson (any order)."""
    finals = sorted((a for a in attempts if a.kind == AttemptKind.FINAL and a.status == AttemptStatus.SUBMITTED
                     and not a.reset and a.percent is not None),
                    key=lambda a: (a.submitted_at, a.id))
    percents = [a.percent for a in finals]
    percent = counting_percent(assignment.counting, percents)
    in_progress = any(not a.reset and (a.kind == AttemptKind.LESSON or a.status == AttemptStatus.OPEN)
                      for a in attempts)
    status, late = assignment_status([a.submitted_at for a in finals], percent, assignment.pass_mark,
                                     assignment.due_at, in_progress, now)
    attempt_id = None
    if finals:
        if assignment.counting == CountingRule.FIRST:
            attempt_id = finals[0].id
        elif assignment.counting == CountingRule.HIGHEST:
            attempt_id = max(finals, key=lambda a: (a.percent, -a.id)).id
        else:
            attempt_id = finals[-1].id
    return Cell(status, late, percent, len(finals), sum(1 for a in attempts if a.reset), attempt_id)


def _cells(students: Sequence, assigned: Sequence[tuple[Assignment, Lesson]], rows: Iterable[AttemptRow],
           now: datetime) -> dict[tuple[int, int], Cell]:
    by_key: dict[tuple[int, int], list[AttemptRow]] = {}
    for row in rows:
        by_key.setdefault((row.user_id, row.lesson_id), []).append(row)
    return {(student.id, assignment.id): cell_for(assignment, by_key.get((student.id, lesson.id), []), now)
            for student in students for assignment, lesson in assigned}


def gradebook(group: ClassGroup, sort: str = SORT_DEFAULT, now: datetime | None = None) -> Gradebook:
    """Every student x assignment with the counting score, status and late marks (3 statements)."""
    now = now or utcnow()
    assigned = assigned_lessons(group)
    students = roster_users(group)
    rows = _attempt_rows((s.id for s in students), (lesson.id for _, lesson in assigned))
    book = Gradebook(group, assigned, students, _cells(students, assigned, rows, now), class_size=len(students))
    book.sort = sort_students(book, sort)
    return book


def gradebook_page(group: ClassGroup, sort: str = SORT_DEFAULT, page: str | int | None = 1,
                   per_page: str | int | None = None, query: str = "", now: datetime | None = None) -> Gradebook:
    """One page of the gradebook: the students whose name matches `query`, in `sort` order, page
    `page` (brought within bounds, see `paging`). 3 statements, 4 when sorted by a score (that
    column's attempts of the whole class), whatever the class size; only the page's cells are built."""
    now = now or utcnow()
    assigned = assigned_lessons(group)
    everyone = roster_rows(group)
    students = paging.matching(everyone, query, lambda u: u.display_name, lambda u: u.username)
    book = Gradebook(group, assigned, students, query=query, class_size=len(everyone))
    column = sorted_assignment(book, sort)
    if column is not None:
        assignment, lesson = column
        class_ids = select(ClassStudent.user_id).where(ClassStudent.class_id == group.id)
        book.cells = _cells(students, [column], _attempt_rows(class_ids, [lesson.id]), now)
    book.sort = sort_students(book, sort)
    book.pagination = paging.paginate(len(book.students), page, per_page)
    book.students = book.students[book.pagination.offset:book.pagination.offset + book.pagination.per_page]
    rows = _attempt_rows((s.id for s in book.students), (lesson.id for _, lesson in assigned))
    book.cells = _cells(book.students, assigned, rows, now)
    return book


def sorted_assignment(book: Gradebook, sort: str) -> tuple[Assignment, Lesson] | None:
    """The assignment whose score `sort` orders by, if it names one of the book's."""
    key = sort.lstrip("-")
    return next(((a, lesson) for a, lesson in book.assignments if key == f"a{a.id}"), None)


def sort_students(book: Gradebook, sort: str) -> str:
    """Order `book.students` by `sort` ("name", "-name", "a<assignment id>", "-a<id>"); unknown
    values fall back to the name. Students without a score come last either way. Needs the cells
    of the sorted column only. Returns the sort used."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    by_name = sorted(book.students, key=name_key)
    column = sorted_assignment(book, sort)
    if column is not None:
        assignment_id = column[0].id
        scored = [u for u in by_name if book.cells[(u.id, assignment_id)].percent is not None]
        unscored = [u for u in by_name if book.cells[(u.id, assignment_id)].percent is None]
        scored.sort(key=lambda u: book.cells[(u.id, assignment_id)].percent, reverse=descending)
        book.students = scored + unscored
        return f"-a{assignment_id}" if descending else f"a{assignment_id}"
    book.students = list(reversed(by_name)) if key == "name" and descending else by_name
    return "-name" if key == "name" and descending else SORT_DEFAULT


# --- mastery per course ----------------------------------------------------------------------------

def method_of(settings: CourseSettings | None) -> MasteryMethod:
    if settings is None:
        return MasteryMethod()
    return MasteryMethod(method=settings.mastery_method, decay_weight=settings.decay_weight,
                         n_correct=settings.n_correct)


def course_methods(course_ids: Iterable[int]) -> dict[int, MasteryMethod]:
    """The mastery method of each course (the default where its teacher chose none). One statement."""
    course_ids = list(course_ids)
    found = {s.course_id: s for s in db.session.scalars(
        select(CourseSettings).where(CourseSettings.course_id.in_(course_ids)))} if course_ids else {}
    return {cid: method_of(found.get(cid)) for cid in course_ids}


# --- heat map --------------------------------------------------------------------------------------

@dataclass
class HeatMap:
    group: ClassGroup
    goals: list[tuple[LearningGoal, Lesson]]
    students: list  # roster rows (id, display_name, username) of the page
    mastery: dict[int, dict[str, GoalMastery]]  # user id -> goal id (str) -> GoalMastery
    methods: dict[int, MasteryMethod]  # course id -> method
    pagination: Pagination
    query: str = ""
    class_size: int = 0

    @property
    def goals_by_lesson(self) -> list[tuple[Lesson, list[tuple[int, LearningGoal]]]]:
        """The goals numbered as the table's columns (1, 2, ...), grouped by lesson in that order."""
        groups: list[tuple[Lesson, list[tuple[int, LearningGoal]]]] = []
        for number, (goal, lesson) in enumerate(self.goals, start=1):
            if not groups or groups[-1][0].id != lesson.id:
                groups.append((lesson, []))
            groups[-1][1].append((number, goal))
        return groups


def _goals(lesson_ids: list[int]) -> list[tuple[LearningGoal, Lesson]]:
    if not lesson_ids:
        return []
    return list(db.session.execute(
        select(LearningGoal, Lesson).join(Lesson, Lesson.id == LearningGoal.lesson_id)
        .where(LearningGoal.lesson_id.in_(lesson_ids), LearningGoal.retired.is_(False))
        .order_by(Lesson.course_id, Lesson.position, LearningGoal.position)).all())


def _goal_questions(lesson_ids: list[int]) -> dict[int, list[int]]:
    if not lesson_ids:
        return {}
    membership = db.session.execute(
        select(question_version_goals.c.goal_id, Question.id)
        .join(QuestionVersion, QuestionVersion.id == question_version_goals.c.question_version_id)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.lesson_id.in_(lesson_ids), Question.retired.is_(False)).order_by(Question.id))
    result: dict[int, list[int]] = {}
    for goal_id, question_id in membership:
        result.setdefault(goal_id, []).append(question_id)
    return result


def mastery_of(user_ids: list[int], goals: list[tuple[LearningGoal, Lesson]],
               methods: dict[int, MasteryMethod]) -> dict[int, dict[str, GoalMastery]]:
    """Goal mastery of every student with each goal's course method (2 statements)."""
    lesson_ids = sorted({lesson.id for _, lesson in goals})
    goal_questions = _goal_questions(lesson_ids)
    answers = counted_answers(user_ids, lesson_ids)
    result: dict[int, dict[str, GoalMastery]] = {uid: {} for uid in user_ids}
    for course_id, method in methods.items():
        course_goals = {str(goal.id): [str(q) for q in goal_questions.get(goal.id, [])]
                        for goal, lesson in goals if lesson.course_id == course_id}
        if not course_goals:
            continue
        for uid, per_goal in class_mastery(answers, course_goals, method, user_ids).items():
            if uid in result:
                result[uid].update(per_goal)
    return result


def heat_map(group: ClassGroup, page: str | int | None = 1, per_page: str | int | None = None,
             query: str = "") -> HeatMap:
    """One page of students (name order, filtered by `query`) x learning goals of the assigned
    lessons (6 statements, whatever the class size: mastery is computed for the page only)."""
    assigned = assigned_lessons(group)
    everyone = roster_rows(group)
    students = paging.matching(everyone, query, lambda u: u.display_name, lambda u: u.username)
    pagination = paging.paginate(len(students), page, per_page)
    students = students[pagination.offset:pagination.offset + pagination.per_page]
    goals = _goals([lesson.id for _, lesson in assigned])
    methods = course_methods(sorted({lesson.course_id for _, lesson in assigned}))
    return HeatMap(group, goals, students, mastery_of([s.id for s in students], goals, methods), methods,
                   pagination, query, len(everyone))


# --- one student -----------------------------------------------------------------------------------

@dataclass
class StudentRecord:
    group: ClassGroup
    student: User
    assignments: list[tuple[Assignment, Lesson, Cell]]
    attempts: list[tuple[AttemptRow, Lesson]]
    goals: list[tuple[LearningGoal, Lesson]]
    mastery: dict[str, GoalMastery]
    methods: dict[int, MasteryMethod]


def roster_student(group: ClassGroup, user_id: int) -> User | None:
    return db.session.scalar(select(User).join(ClassStudent, ClassStudent.user_id == User.id)
                             .where(ClassStudent.class_id == group.id, User.id == user_id))


def student_record(group: ClassGroup, student: User, now: datetime | None = None) -> StudentRecord:
    now = now or utcnow()
    assigned = assigned_lessons(group)
    lessons = {lesson.id: lesson for _, lesson in assigned}
    rows = _attempt_rows([student.id], lessons)
    cells = [(a, lesson, cell_for(a, [r for r in rows if r.lesson_id == lesson.id], now)) for a, lesson in assigned]
    goals = _goals(list(lessons))
    methods = course_methods(sorted({lesson.course_id for lesson in lessons.values()}))
    mastery = mastery_of([student.id], goals, methods)[student.id]
    attempts = [(r, lessons[r.lesson_id]) for r in sorted(rows, key=lambda r: (r.started_at, r.id), reverse=True)]
    return StudentRecord(group, student, cells, attempts, goals, mastery, methods)


def class_attempt(group: ClassGroup, attempt_id: int) -> Attempt | None:
    """An attempt of a student on the roster, on a lesson assigned to the class; else None."""
    return db.session.scalar(
        select(Attempt).join(ClassStudent, ClassStudent.user_id == Attempt.user_id)
        .join(Assignment, (Assignment.lesson_id == Attempt.lesson_id) & (Assignment.class_id == group.id))
        .where(Attempt.id == attempt_id, ClassStudent.class_id == group.id))


def attempt_answers(attempt: Attempt) -> list[tuple[AttemptSlot, Response | None]]:
    """The attempt's questions in order with the answer given to each (2 statements)."""
    slots = list(db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id)
                                    .options(selectinload(AttemptSlot.version)).order_by(AttemptSlot.number)))
    responses = {r.slot_id: r for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))}
    return [(slot, responses.get(slot.id)) for slot in slots]


def is_reset(attempt_id: int) -> bool:
    return db.session.get(AttemptReset, attempt_id) is not None


# --- students' own dashboard -----------------------------------------------------------------------

@dataclass(frozen=True)
class StudentAssignment:
    group: ClassGroup
    assignment: Assignment
    lesson: Lesson
    cell: Cell


def student_assignments(user_id: int, now: datetime | None = None) -> list[StudentAssignment]:
    """The student's assignments in active classes with their status (3 statements)."""
    now = now or utcnow()
    rows = list(db.session.execute(
        select(ClassGroup, Assignment, Lesson)
        .join(ClassStudent, ClassStudent.class_id == ClassGroup.id)
        .join(Assignment, Assignment.class_id == ClassGroup.id)
        .join(Lesson, Lesson.id == Assignment.lesson_id)
        .where(ClassStudent.user_id == user_id, ClassGroup.archived_at.is_(None))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, ClassGroup.name, Lesson.position)).all())
    attempts = _attempt_rows([user_id], {lesson.id for _, _, lesson in rows})
    return [StudentAssignment(g, a, lesson, cell_for(a, [r for r in attempts if r.lesson_id == lesson.id], now))
            for g, a, lesson in rows]


def courses_of(lessons: Iterable[Lesson]) -> dict[int, Course]:
    ids = sorted({lesson.course_id for lesson in lessons})
    return {c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(ids)))} if ids else {}
