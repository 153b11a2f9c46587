"""Checkpoint answers and end-of-lesson quizzes: grading on the server, exactly once.

Helpers here only flush; each function a view calls (`answer_checkpoint`, `start_final`,
`restart_lesson`; handing in a final quiz: hand_in.py) commits once, so a refused answer writes nothing.
Forms post the option positions the student SAW; they are mapped back to stored option
indexes through the attempt's slot before `grade()`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..learning.draw import draw_final
from ..learning.grading import CORRECT, InvalidResponse, grade
from ..learning.shuffle import is_order_of, keeps_order, keyed_rng, option_order, to_stored
from ..models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    FinalQuizItem,
    LearningGoal,
    Lesson,
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


# built once: building a statement costs more Python time than SQLite takes to run it
_ATTEMPT_SLOTS = (
    select(AttemptSlot).where(AttemptSlot.attempt_id == bindparam("attempt_id"))
    # the question's Markdown source is for authors; students' pages never read it
    .options(joinedload(AttemptSlot.version).defer(QuestionVersion.markdown)).order_by(AttemptSlot.number))

def attempt_slots(attempt: Attempt) -> list[AttemptSlot]:
    """The attempt's questions in order, each with its version and option order (one joined query)."""
    return list(db.session.scalars(_ATTEMPT_SLOTS, {"attempt_id": attempt.id}).unique())
