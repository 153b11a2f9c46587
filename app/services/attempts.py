"""Checkpoint answers and end-of-lesson quizzes: grading on the server, exactly once.

Helpers here only flush; each function a view calls (`answer_checkpoint`, `start_final`,
`submit_final`, `restart_lesson`) commits once, so a refused answer writes nothing.
Forms post the option positions the student SAW; they are mapped back to stored option
indexes through the attempt's slot before `grade()`.
"""

from __future__ import annotations

import json
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, exists, func, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..learning.draw import draw_final
from ..learning.grading import CORRECT, InvalidResponse, grade, total_score
from ..learning.shuffle import is_order_of, keeps_order, keyed_rng, option_order, to_stored
from ..models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    FinalQuizItem,
    LearningGoal,
    Lesson,
    LessonProgress,
    Question,
    QuestionVersion,
    Response,
    Screen,
    question_version_goals,
    utcnow,
)


class NotFound(LookupError):
    """The object does not exist or does not belong to this user (both answer 404)."""


class StaleQuestion(ValueError):
    """The question changed since the page was shown."""


@dataclass(frozen=True)
class CheckpointResult:
    response: Response
    version: QuestionVersion
    created: bool


# --- option order ---

def checkpoint_order(user_id: int, question_id: int, run: int, version: QuestionVersion) -> tuple[int, ...]:
    """The order a student sees a checkpoint's options in during one lesson run.

    Viewing a slide writes no attempt, so the order is a keyed function of (student, question,
    run): every reload shows the same order, the next run a new one, and the order is stored
    in the run's slot with the answer. `run` counts the student's earlier (closed) runs."""
    rng = keyed_rng(current_app.config["SECRET_KEY"].encode(), "checkpoint", user_id, question_id, run)
    return option_order(len(version.options), keeps_order(version.type, version.fixed_order), rng)


def _slot(attempt_id: int, number: int, version: QuestionVersion, order: tuple[int, ...]) -> AttemptSlot:
    if not is_order_of(order, len(version.options)):
        raise ValueError("an option order must show every option once")
    return AttemptSlot(attempt_id=attempt_id, number=number, question_id=version.question_id,
                       question_version_id=version.id, option_order=list(order))


# --- checkpoints (lesson runs) ---

def _open_run_query(user_id: int, lesson_id: int):
    return select(Attempt).where(Attempt.user_id == user_id, Attempt.lesson_id == lesson_id,
                                 Attempt.kind == AttemptKind.LESSON, Attempt.status == AttemptStatus.OPEN)


def closed_runs(user_id: int, lesson_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.LESSON,
        Attempt.status == AttemptStatus.CLOSED))


def _open_run(user_id: int, lesson_id: int) -> Attempt:
    """The open lesson run that collects checkpoint answers, made if needed (flushed, not committed).

    Call it before anything else is pending: a lost race rolls the session back."""
    attempt = db.session.scalar(_open_run_query(user_id, lesson_id))
    if attempt is not None:
        return attempt
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id, kind=AttemptKind.LESSON, status=AttemptStatus.OPEN)
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:  # another request of this student made it first
        db.session.rollback()
        attempt = db.session.scalar(_open_run_query(user_id, lesson_id))
    return attempt


class UnknownTry(ValueError):
    """The form names a try that cannot come next (a forged or very old form)."""


def answer_checkpoint(user_id: int, screen: Screen, version_id: int, displayed: set[int],
                      try_number: int = 1) -> CheckpointResult:
    """Grade one try of a checkpoint, given as displayed positions (docs/grading.md).

    A lesson allows 1 or 2 tries: a try that is not fully right and leaves a try over is stored
    with `reveals_key=False` (the page shows only the chosen options' feedback); a right try or
    the last one reveals the key. Each try is graded exactly once: the form names its try, and
    a repeated submission of a try already graded (or any try after the key was shown) returns
    the latest result unchanged. A refused one (StaleQuestion, InvalidResponse, UnknownTry)
    writes nothing."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.question_id != screen.question_id:
        raise StaleQuestion("question version does not belong to this slide")
    run = closed_runs(user_id, screen.lesson_id)
    order = checkpoint_order(user_id, screen.question_id, run, version)
    if any(not 0 <= p < len(order) for p in displayed):
        raise InvalidResponse("unknown option")
    attempt = _open_run(user_id, screen.lesson_id)
    tries = checkpoint_tries(attempt.id, screen.question_id)
    if tries and (tries[-1].reveals_key or try_number <= len(tries)):
        return CheckpointResult(tries[-1], tries[-1].version, created=False)
    if try_number != len(tries) + 1:
        raise UnknownTry(try_number)
    if tries and tries[0].question_version_id != version.id:
        raise StaleQuestion("a second try answers the version of the first")
    slot = tries[0].slot if tries else _slot(attempt.id, screen.position, version, order)
    order = tuple(slot.option_order)
    result = grade(version.type, len(version.options), version.correct_indexes, to_stored(order, displayed))
    db.session.add(slot)
    response = Response(attempt_id=attempt.id, slot=slot, question_id=screen.question_id,
                        question_version_id=version.id, selected=list(result.selected), score=result.score,
                        outcome=result.outcome, try_number=try_number,
                        reveals_key=result.outcome == CORRECT or try_number >= _tries_allowed(screen))
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:  # a double click that arrived at the same time
        db.session.rollback()
        latest = checkpoint_tries(attempt.id, screen.question_id)[-1]
        return CheckpointResult(latest, latest.version, created=False)
    return CheckpointResult(response, version, created=True)


def _tries_allowed(screen: Screen) -> int:
    # the slide view loaded the lesson already: usually no query
    return db.session.get(Lesson, screen.lesson_id).checkpoint_tries


def checkpoint_tries(attempt_id: int, question_id: int) -> list[Response]:
    """The tries of one checkpoint in one lesson run, first try first."""
    return list(db.session.scalars(select(Response).where(
        Response.attempt_id == attempt_id, Response.question_id == question_id).order_by(Response.try_number)))


def restart_lesson(user_id: int, lesson_id: int) -> bool:
    """Close the student's open lesson run: the next checkpoint answer starts a fresh run (with
    new option orders); the closed run's answers stay in the history. False if none was open."""
    closed = db.session.execute(
        update(Attempt).where(Attempt.user_id == user_id, Attempt.lesson_id == lesson_id,
                              Attempt.kind == AttemptKind.LESSON, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.CLOSED, submitted_at=utcnow())).rowcount
    db.session.commit()
    return closed > 0


# --- final quiz ---

def final_questions(lesson_id: int) -> list[QuestionVersion]:
    rows = db.session.execute(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(FinalQuizItem, FinalQuizItem.question_id == Question.id)
        .where(FinalQuizItem.lesson_id == lesson_id, Question.retired.is_(False))
        .order_by(FinalQuizItem.position))
    return list(rows.scalars())


def drawn_questions(user_id: int, lesson_id: int, rng: random.Random) -> list[QuestionVersion]:
    """The questions of a new final-quiz attempt, drawn per learning goal (docs/grading.md).

    The quiz file's `final:` list sets the length of the quiz; the questions come from each
    required goal's pool (every active question of the lesson that measures the goal; optional
    goals too when the lesson includes them), those this
    student has not answered yet first, and never the previous attempt's set again when the
    pools allow another. Four queries, whatever the size of the pools.
    """
    length = db.session.scalar(select(func.count()).select_from(FinalQuizItem).join(
        Question, Question.id == FinalQuizItem.question_id).where(
        FinalQuizItem.lesson_id == lesson_id, Question.retired.is_(False)))
    if not length:
        return []
    # optional goals are left out of the draw unless the lesson says `final_includes_optional: true`
    includes_optional = select(Lesson.final_includes_optional).where(Lesson.id == lesson_id).scalar_subquery()
    pool_rows = db.session.execute(
        select(LearningGoal.id, QuestionVersion)
        .join(question_version_goals, question_version_goals.c.goal_id == LearningGoal.id)
        .join(QuestionVersion, QuestionVersion.id == question_version_goals.c.question_version_id)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(LearningGoal.lesson_id == lesson_id, LearningGoal.retired.is_(False),
               or_(LearningGoal.optional.is_(False), includes_optional),
               Question.lesson_id == lesson_id, Question.retired.is_(False))
        .order_by(LearningGoal.position, Question.id)).all()
    pools: dict[str, list[str]] = {}
    versions: dict[str, QuestionVersion] = {}
    for goal_id, version in pool_rows:
        pools.setdefault(str(goal_id), []).append(str(version.question_id))
        versions[str(version.question_id)] = version
    if not pools:
        return final_questions(lesson_id)
    answered = {str(q) for q in db.session.scalars(
        select(Response.question_id).join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.user_id == user_id, Attempt.lesson_id == lesson_id).distinct())}
    previous_attempt = (select(Attempt.id).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.FINAL,
        Attempt.status == AttemptStatus.SUBMITTED).order_by(Attempt.id.desc()).limit(1).scalar_subquery())
    previous = {str(q) for q in db.session.scalars(
        select(AttemptSlot.question_id).where(AttemptSlot.attempt_id == previous_attempt))}
    per_goal = -(-length // len(pools))  # ceiling: every goal asked as often as the length allows
    drawn = draw_final(pools, answered, previous or None, per_goal, rng)
    return [versions[question_id] for question_id in drawn]


def has_final_quiz(lesson_id: int) -> bool:
    return db.session.scalar(select(exists().where(
        FinalQuizItem.lesson_id == lesson_id, FinalQuizItem.question_id == Question.id,
        Question.retired.is_(False))))


def open_final(user_id: int, lesson_id: int) -> Attempt | None:
    """The student's end-quiz attempt that is started but not handed in, if any (at most one)."""
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.FINAL,
        Attempt.status == AttemptStatus.OPEN))


def submitted_finals(user_id: int, lesson_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == AttemptKind.FINAL,
        Attempt.status == AttemptStatus.SUBMITTED).order_by(Attempt.submitted_at)))


def start_final(user_id: int, lesson_id: int, rng: random.Random | None = None) -> Attempt | None:
    """The open end-quiz attempt of this student, made if needed; None if the lesson has no quiz.

    Two requests starting at once get the same attempt: the database allows one open final
    per student and lesson, and the loser of the race returns the winner's attempt."""
    attempt = open_final(user_id, lesson_id)
    if attempt is not None:
        return attempt
    rng = rng or random.SystemRandom()
    versions = drawn_questions(user_id, lesson_id, rng)
    if not versions:
        return None
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id, kind=AttemptKind.FINAL, status=AttemptStatus.OPEN)
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return open_final(user_id, lesson_id)
    _add_final_slots(attempt, versions, rng)
    db.session.commit()
    return attempt


def _add_final_slots(attempt: Attempt, versions: list[QuestionVersion], rng: random.Random) -> None:
    """One slot per question, in quiz order, each with its own shuffled option order."""
    db.session.add_all(
        _slot(attempt.id, number, v, option_order(len(v.options), keeps_order(v.type, v.fixed_order), rng))
        for number, v in enumerate(versions, start=1))
    db.session.flush()


def owned_attempt(user_id: int, attempt_id: int, kind: str = AttemptKind.FINAL) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id or attempt.kind != kind:
        raise NotFound("attempt")
    return attempt


# Statements of the submission path, built once: building a statement and its cache key costs
# more Python time than SQLite takes to run it. The writes are table (Core) statements: nothing
# reads the written rows back before the commit, which expires the loaded objects anyway.
_ATTEMPT_SLOTS = (
    select(AttemptSlot).where(AttemptSlot.attempt_id == bindparam("attempt_id"))
    # the question's Markdown source is for authors; students' pages never read it
    .options(joinedload(AttemptSlot.version).defer(QuestionVersion.markdown)).order_by(AttemptSlot.number))
_attempts, _progress = Attempt.__table__, LessonProgress.__table__
_CLAIM = (_attempts.update().where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.status == AttemptStatus.OPEN)
          .values(status=AttemptStatus.SUBMITTED, submitted_at=bindparam("now"), score=bindparam("score"),
                  max_score=bindparam("max_score")))
_INSERT_RESPONSES = Response.__table__.insert()


def _completion_upsert(insert_for_dialect):
    """The lesson is completed at `now` unless it was earlier: one upsert."""
    now = bindparam("now")
    statement = insert_for_dialect(_progress).values(
        user_id=bindparam("user_id"), lesson_id=bindparam("lesson_id"), last_position=1, furthest_position=1,
        completed_at=now, updated_at=now)
    return statement.on_conflict_do_update(index_elements=["user_id", "lesson_id"],
                                           set_={"completed_at": func.coalesce(_progress.c.completed_at, now)})


# SQLite; on PostgreSQL the completion is part of _SUBMIT_IN_ONE_STATEMENT
_MARK_COMPLETED = _completion_upsert(sqlite_insert)


@dataclass(frozen=True, slots=True)
class VersionToGrade:
    """What grading reads of a question version: its type, whether each option is right, its points."""
    type: str
    options: tuple[dict, ...]  # {"correct": bool} per stored option
    points: int

    @property
    def correct_indexes(self) -> frozenset[int]:
        return QuestionVersion.correct_indexes.fget(self)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class SlotToGrade:
    id: int
    number: int
    question_id: int
    question_version_id: int
    option_order: list[int]
    version: VersionToGrade


@dataclass(frozen=True, slots=True)
class AttemptToGrade:
    """A final attempt as handing it in needs it, without ORM objects."""
    id: int
    user_id: int
    lesson_id: int
    status: str
    slots: list[SlotToGrade]


class GradingFacts:
    """What grading needs of each question version, kept per process.

    A version's type, options' correctness and points never change: an edit makes a new version,
    and refreshing a version's HTML (the same source, tests/web/test_content_revisions.py) keeps
    them. So they are read from the database once per process, not with every submission: the
    options' JSON, feedback and all, is most of what handing in a quiz would otherwise read."""

    def __init__(self, max_items: int = 20_000):
        self.max_items = max_items
        self._items: OrderedDict[int, VersionToGrade] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_ids: list[int]) -> dict[int, VersionToGrade]:
        with self._lock:
            found = {vid: self._items[vid] for vid in version_ids if vid in self._items}
        missing = [vid for vid in version_ids if vid not in found]
        if missing:
            versions = QuestionVersion.__table__
            rows = db.session.connection().execute(
                select(versions.c.id, versions.c.type, versions.c.options, versions.c.points)
                .where(versions.c.id.in_(missing)))
            loaded = {vid: VersionToGrade(kind, tuple({"correct": bool(o["correct"])} for o in options), points)
                      for vid, kind, options, points in rows}
            with self._lock:
                self._items.update(loaded)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
            found.update(loaded)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def grading_facts() -> GradingFacts:
    """This app's kept grading facts (one app, one database: version ids are the database's own)."""
    return current_app.extensions.setdefault("lesmark_grading_facts", GradingFacts())


def _attempt_to_grade_statement():
    slots = AttemptSlot.__table__
    return (select(_attempts.c.status, _attempts.c.lesson_id, slots.c.id, slots.c.number, slots.c.question_id,
                   slots.c.question_version_id, slots.c.option_order)
            .select_from(_attempts.outerjoin(slots, slots.c.attempt_id == _attempts.c.id))
            .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.user_id == bindparam("user_id"),
                   _attempts.c.kind == AttemptKind.FINAL)
            .order_by(slots.c.number))


_ATTEMPT_TO_GRADE = _attempt_to_grade_statement()


def attempt_to_grade(user_id: int, attempt_id: int) -> AttemptToGrade:
    """This student's final attempt with its slots, for `submit_final`, in one statement (two the
    first time this process grades one of its questions); NotFound if it is not theirs."""
    rows = db.session.connection().execute(_ATTEMPT_TO_GRADE, {"attempt_id": attempt_id, "user_id": user_id}).all()
    if not rows:
        raise NotFound("attempt")
    facts = grading_facts().get([row.question_version_id for row in rows if row.id is not None])
    slots = [SlotToGrade(slot_id, number, question_id, version_id, order, facts[version_id])
             for _status, _lesson, slot_id, number, question_id, version_id, order in rows if slot_id is not None]
    return AttemptToGrade(attempt_id, user_id, rows[0].lesson_id, rows[0].status, slots)


def attempt_slots(attempt: Attempt) -> list[AttemptSlot]:
    """The attempt's questions in order, each with its version and option order (one joined query)."""
    return list(db.session.scalars(_ATTEMPT_SLOTS, {"attempt_id": attempt.id}).unique())


def submit_final(attempt: Attempt | AttemptToGrade, answers: dict[int, set[int]],
                 slots: list[AttemptSlot] | list[SlotToGrade] | None = None) -> bool:
    """Grade the attempt once. `answers` maps slot number -> displayed positions chosen; `slots`
    are the attempt's slots if the caller has loaded them already.

    Returns False (and changes nothing) when the attempt was already submitted, so a double
    click, a second tab or a replayed request is graded exactly once. Three statements and
    one commit: the claim (with the score), every answer in one executemany, the lesson's completion;
    on PostgreSQL the three are one statement.
    """
    slots = attempt_slots(attempt) if slots is None else slots
    grades = []
    for slot in slots:
        chosen = answers.get(slot.number, set())
        if any(not 0 <= p < len(slot.option_order) for p in chosen):
            raise InvalidResponse("unknown option")
        version = slot.version
        grades.append(grade(version.type, len(version.options), version.correct_indexes,
                            to_stored(slot.option_order, chosen)))
    now = utcnow()
    score, max_score = total_score([g.score for g in grades], [slot.version.points for slot in slots])
    rows = [{"attempt_id": attempt.id, "slot_id": slot.id, "question_id": slot.question_id,
             "question_version_id": slot.question_version_id, "selected": list(g.selected), "score": g.score,
             "outcome": g.outcome, "created_at": now}
            for slot, g in zip(slots, grades, strict=True)]
    # table statements on the session's connection: the ORM session's own execute() adds nothing here
    # but its overhead (about a tenth of a submission)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        claimed = connection.execute(_SUBMIT_IN_ONE_STATEMENT, {
            "attempt_id": attempt.id, "now": now, "score": score, "max_score": max_score,
            "open": AttemptStatus.OPEN, "submitted": AttemptStatus.SUBMITTED,
            "answers": json.dumps([{k: v for k, v in row.items() if k not in ("attempt_id", "created_at")}
                                   for row in rows])}).scalar_one()
        if claimed != 1:
            db.session.rollback()
            return False
        db.session.commit()
        return True
    # The conditional UPDATE is the lock: only one request can move the attempt out of 'open'.
    claimed = connection.execute(_CLAIM, {"attempt_id": attempt.id, "now": now, "score": score,
                                          "max_score": max_score}).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    connection.execute(_INSERT_RESPONSES, rows)  # one executemany, no RETURNING: nothing reads the ids back
    connection.execute(_MARK_COMPLETED, {"user_id": attempt.user_id, "lesson_id": attempt.lesson_id, "now": now})
    db.session.commit()  # expires `attempt`: its new status and score load when next read
    return True


# PostgreSQL: the claim, every answer and the lesson's completion in one statement (data-modifying
# CTEs run exactly once and all together, under the claim's row lock): one round trip instead of
# three. The answers come as one JSON array, so the statement is the same for any quiz length and
# the server keeps it prepared. tests/web/test_submission_cost.py and test_concurrency.py run it.
_SUBMIT_IN_ONE_STATEMENT = text("""
WITH claimed AS (
    UPDATE attempts SET status = :submitted, submitted_at = :now, score = :score, max_score = :max_score
    WHERE id = :attempt_id AND status = :open
    RETURNING id, user_id, lesson_id
), answers AS (
    INSERT INTO responses (attempt_id, slot_id, question_id, question_version_id, selected, score, outcome,
                           created_at)
    SELECT claimed.id, a.slot_id, a.question_id, a.question_version_id, a.selected, a.score, a.outcome, :now
    FROM claimed CROSS JOIN jsonb_to_recordset(CAST(:answers AS jsonb)) AS a(
        slot_id integer, question_id integer, question_version_id integer, selected json,
        score double precision, outcome varchar)
), completed AS (
    INSERT INTO lesson_progress (user_id, lesson_id, last_position, furthest_position, completed_at, updated_at)
    SELECT user_id, lesson_id, 1, 1, :now, :now FROM claimed
    ON CONFLICT (user_id, lesson_id) DO UPDATE SET completed_at = coalesce(lesson_progress.completed_at, :now)
)
SELECT count(*) FROM claimed
""")
