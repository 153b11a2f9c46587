"""Development only: the demo class "Demo — 2A", so the class pages and the item analysis have
something to show on a first start (`flask demo`; never with LESMARK_ENV=production).

26 synthetic students who cannot log in (their password hash is no hash), each with an ability
that sets how often they answer right: strong and weak students, realistic times. On every
question a wrong answer picks among the distractors except the last one, so that distractor is
never chosen; the third question of the first lesson's final quiz has a tempting wrong option
that most students choose. The same seed gives the same class every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..learning.grading import grade, total_score
from ..models import (
    Assignment,
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    ClassGroup,
    ClassStudent,
    ClassTeacher,
    FinalQuizItem,
    Lesson,
    LessonProgress,
    Question,
    QuestionVersion,
    Response,
    Screen,
    User,
    utcnow,
)
from .classes import new_code

DEMO_CLASS = "Demo — 2A"
DEMO_LESSONS = ("nl-l1", "nl-l2", "nl-l3")
TEMPTING = ("nl-l1", 3)  # lesson and final-quiz position of the question most students get wrong
NO_LOGIN = "!demo-student-no-login"  # not an argon2 hash: no password ever matches it
NAMES = (
    "Sanne de Vries", "Daan Jansen", "Emma Bakker", "Luuk Visser", "Noor Smit", "Milan Meijer",
    "Julia de Boer", "Sem Mulder", "Tess de Groot", "Finn Bos", "Lotte Vos", "Jesse Peters",
    "Fleur Hendriks", "Thijs van Dijk", "Zoë Dekker", "Bram van Leeuwen", "Eva Brouwer", "Lars de Wit",
    "Anna Kovács", "Bence Tóth", "Aino Virtanen", "Eero Mäkinen", "Yasmin El Amrani", "Mehmet Yılmaz",
    "Sophie Willems", "Ruben Claes",
)


@dataclass(frozen=True)
class DemoReport:
    created: bool
    students: int
    attempts: int


def seed_demo_class(teacher_username: str, seed: int = 2026) -> DemoReport:
    """Make the demo class of this teacher unless it exists (commits once)."""
    teacher = db.session.scalar(select(User).where(User.username == teacher_username))
    if teacher is None or not teacher.is_teacher:
        raise LookupError(f"no teacher {teacher_username!r}")
    existing = db.session.scalar(select(ClassGroup).join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
                                 .where(ClassGroup.name == DEMO_CLASS, ClassGroup.is_demo.is_(True),
                                        ClassTeacher.user_id == teacher.id))
    if existing is not None:
        return DemoReport(False, 0, 0)
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.slug.in_(DEMO_LESSONS), Lesson.retired.is_(False))
                                      .order_by(Lesson.position)))
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible on purpose)
    now = utcnow().replace(microsecond=0)
    policies = (  # due dates: one past, one next week, none
        dict(due_at=now - timedelta(days=7), attempts_allowed=None, counting="highest", pass_mark=60,
             key_reveal="immediately"),
        dict(due_at=now + timedelta(days=7), attempts_allowed=2, counting="latest", pass_mark=55,
             key_reveal="after_due"),
        dict(due_at=None, attempts_allowed=3, counting="average", pass_mark=70, key_reveal="never"),
    )
    group = add_class(teacher.id, DEMO_CLASS, new_code(),
                      [(lesson.id, policy) for lesson, policy in zip(lessons, policies, strict=False)], is_demo=True)
    students = _students(group)
    attempts = 0
    for index, student in enumerate(students):
        ability = 0.35 + 0.6 * index / (len(students) - 1)  # from weak to strong
        for order, lesson in enumerate(lessons):
            if index % 7 == order:  # a few students have not started a lesson yet
                continue
            day = now - timedelta(days=12 - 3 * order, hours=rng.randint(0, 8))
            attempts += _lesson_run(student, lesson, ability, day, rng)
            tries = 1 if ability > 0.8 else rng.choice((1, 1, 2))
            for attempt_number in range(tries):
                when = day + timedelta(hours=1, days=attempt_number)
                attempts += _final(student, lesson, min(0.97, ability + 0.1 * attempt_number), when, rng)
    db.session.commit()
    return DemoReport(True, len(students), attempts)


def add_class(teacher_id: int, name: str, join_code: str, assignments: list[tuple[int, dict]], *,
              is_demo: bool = False) -> ClassGroup:
    """A class with a closed join code, owned by the teacher, with each (lesson id, policy columns)
    assigned. Flushes; the caller commits."""
    group = ClassGroup(name=name, join_code=join_code, code_open=False, is_demo=is_demo)
    db.session.add(group)
    db.session.flush()
    db.session.add(ClassTeacher(class_id=group.id, user_id=teacher_id, role="owner"))
    db.session.add_all(Assignment(class_id=group.id, lesson_id=lesson_id, **policy) for lesson_id, policy in assignments)
    return group


def _students(group: ClassGroup) -> list[User]:
    students = []
    for number, name in enumerate(NAMES, start=1):
        username = f"demo-2a-{number:02d}"
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=f"{name} (demo)", password_hash=NO_LOGIN, role="student")
            db.session.add(user)
            db.session.flush()
        db.session.add(ClassStudent(class_id=group.id, user_id=user.id))
        students.append(user)
    return students


def pick_answer(version: QuestionVersion, ability: float, rng: random.Random, tempting: bool = False) -> set[int]:
    """The stored option indexes a student of this ability (the chance of answering right) picks:
    a wrong answer is never the last distractor; a tempting question is mostly answered wrong."""
    correct = sorted(version.correct_indexes)
    distractors = [i for i in range(len(version.options)) if i not in version.correct_indexes]
    chosen_right = rng.random() < (ability * 0.35 if tempting else ability)
    if chosen_right or not distractors:
        return set(correct)
    pool = distractors[:1] if tempting or len(distractors) == 1 else distractors[:-1]  # the last is never chosen
    if version.type == "multiple":
        return {*correct[:-1], rng.choice(pool)} if len(correct) > 1 else {rng.choice(pool)}
    return {rng.choice(pool)}


def _record(attempt: Attempt, versions: list[tuple[int, QuestionVersion]], ability: float, when: datetime,
            rng: random.Random, tempting_position: int | None) -> list[float]:
    scores = []
    for number, version in versions:
        order = list(range(len(version.options)))
        if not version.fixed_order and version.type != "truefalse":
            rng.shuffle(order)
        slot = AttemptSlot(attempt_id=attempt.id, number=number, question_id=version.question_id,
                           question_version_id=version.id, option_order=order)
        db.session.add(slot)
        db.session.flush()
        result = grade(version.type, len(version.options), version.correct_indexes,
                       pick_answer(version, ability, rng, number == tempting_position))
        db.session.add(Response(attempt_id=attempt.id, slot_id=slot.id, question_id=version.question_id,
                                question_version_id=version.id, selected=list(result.selected), score=result.score,
                                outcome=result.outcome, created_at=when))
        scores.append(result.score)
    return scores


def _lesson_run(student: User, lesson: Lesson, ability: float, when: datetime, rng: random.Random) -> int:
    versions = list(db.session.execute(
        select(Screen.position, QuestionVersion).join(Question, Question.id == Screen.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Screen.lesson_id == lesson.id, Screen.kind == "question").order_by(Screen.position)).all())
    if not versions:
        return 0
    run = Attempt(user_id=student.id, lesson_id=lesson.id, kind=AttemptKind.LESSON, status=AttemptStatus.OPEN,
                  started_at=when)
    db.session.add(run)
    db.session.flush()
    _record(run, [(position, version) for position, version in versions], ability, when, rng, None)
    return 1


def _final(student: User, lesson: Lesson, ability: float, started: datetime, rng: random.Random) -> int:
    versions = list(db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .join(FinalQuizItem, FinalQuizItem.question_id == Question.id)
        .where(FinalQuizItem.lesson_id == lesson.id, Question.retired.is_(False)).order_by(FinalQuizItem.position)))
    if not versions:
        return 0
    submitted = started + timedelta(minutes=rng.randint(4, 15), seconds=rng.randint(0, 59))
    attempt = Attempt(user_id=student.id, lesson_id=lesson.id, kind=AttemptKind.FINAL, status=AttemptStatus.OPEN,
                      started_at=started)
    db.session.add(attempt)
    db.session.flush()
    tempting = TEMPTING[1] if lesson.slug == TEMPTING[0] else None
    scores = _record(attempt, list(enumerate(versions, start=1)), ability, submitted, rng, tempting)
    attempt.score, attempt.max_score = total_score(scores, [version.points for version in versions])
    attempt.status, attempt.submitted_at = AttemptStatus.SUBMITTED, submitted
    progress = db.session.get(LessonProgress, (student.id, lesson.id))
    if progress is None:
        db.session.add(LessonProgress(user_id=student.id, lesson_id=lesson.id, completed_at=submitted,
                                      updated_at=submitted))
    return 1
