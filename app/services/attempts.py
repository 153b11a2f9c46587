"""Checkpoint answers and end-of-lesson quizzes: grading on the server, exactly once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..learning.grading import grade, total_score
from ..models import (
    Attempt,
    FinalQuizItem,
    LessonProgress,
    Question,
    QuestionVersion,
    Response,
    Screen,
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


def lesson_attempt(user_id: int, lesson_id: int) -> Attempt:
    """The attempt that collects a student's checkpoint answers for one lesson (made once)."""
    query = select(Attempt).where(Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == "lesson")
    attempt = db.session.scalar(query)
    if attempt is not None:
        return attempt
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id, kind="lesson", status="open")
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another request made it first
        db.session.rollback()
        attempt = db.session.scalar(query)
    return attempt


def answer_checkpoint(user_id: int, screen: Screen, version_id: int, selected: set[int]) -> CheckpointResult:
    """Grade one checkpoint answer. A repeated submission returns the first result unchanged."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.question_id != screen.question_id:
        raise StaleQuestion("question version does not belong to this slide")
    attempt = lesson_attempt(user_id, screen.lesson_id)
    existing = _checkpoint_response(attempt.id, screen.question_id)
    if existing is not None:
        return CheckpointResult(existing, existing.version, created=False)
    result = grade(version.type, len(version.options), version.correct_indexes, selected)
    response = Response(attempt_id=attempt.id, question_id=screen.question_id, question_version_id=version.id,
                        position=screen.position, selected=list(result.selected), score=result.score,
                        outcome=result.outcome)
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:  # a double click that arrived at the same time
        db.session.rollback()
        existing = _checkpoint_response(attempt.id, screen.question_id)
        return CheckpointResult(existing, existing.version, created=False)
    return CheckpointResult(response, version, created=True)


def _checkpoint_response(attempt_id: int, question_id: int) -> Response | None:
    return db.session.scalar(select(Response).where(Response.attempt_id == attempt_id,
                                                    Response.question_id == question_id))


def final_questions(lesson_id: int) -> list[QuestionVersion]:
    rows = db.session.execute(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(FinalQuizItem, FinalQuizItem.question_id == Question.id)
        .where(FinalQuizItem.lesson_id == lesson_id, Question.retired.is_(False))
        .order_by(FinalQuizItem.position))
    return list(rows.scalars())


def has_final_quiz(lesson_id: int) -> bool:
    return db.session.scalar(select(exists().where(
        FinalQuizItem.lesson_id == lesson_id, FinalQuizItem.question_id == Question.id,
        Question.retired.is_(False))))


def open_final(user_id: int, lesson_id: int) -> Attempt | None:
    """The student's end-quiz attempt that is started but not handed in, if any."""
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == "final",
        Attempt.status == "open").order_by(Attempt.id.desc()))


def submitted_finals(user_id: int, lesson_id: int) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.lesson_id == lesson_id, Attempt.kind == "final",
        Attempt.status == "submitted").order_by(Attempt.submitted_at)))


def start_final(user_id: int, lesson_id: int) -> Attempt | None:
    """The open end-quiz attempt of this student, made if needed; None if the lesson has no quiz."""
    attempt = open_final(user_id, lesson_id)
    if attempt is not None:
        return attempt
    versions = final_questions(lesson_id)
    if not versions:
        return None
    attempt = Attempt(user_id=user_id, lesson_id=lesson_id, kind="final", status="open",
                      version_ids=[v.id for v in versions])
    db.session.add(attempt)
    db.session.commit()
    return attempt


def owned_attempt(user_id: int, attempt_id: int, kind: str = "final") -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id or attempt.kind != kind:
        raise NotFound("attempt")
    return attempt


def attempt_versions(attempt: Attempt) -> list[QuestionVersion]:
    by_id = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(attempt.version_ids)))}
    return [by_id[i] for i in attempt.version_ids]


def submit_final(attempt: Attempt, answers: dict[int, set[int]]) -> bool:
    """Grade the attempt once. `answers` maps question version id -> chosen option indexes.

    Returns False (and changes nothing) when the attempt was already submitted, so a double
    click, a second tab or a replayed request is graded exactly once.
    """
    versions = attempt_versions(attempt)
    grades = [grade(v.type, len(v.options), v.correct_indexes, answers.get(v.id, set())) for v in versions]
    now = utcnow()
    # The conditional UPDATE is the lock: only one request can move the attempt out of 'open'.
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status="submitted", submitted_at=now)).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    score, max_score = total_score([g.score for g in grades])
    db.session.add_all(
        Response(attempt_id=attempt.id, question_id=v.question_id, question_version_id=v.id, position=i,
                 selected=list(g.selected), score=g.score, outcome=g.outcome, created_at=now)
        for i, (v, g) in enumerate(zip(versions, grades, strict=True), start=1))
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(score=score, max_score=max_score))
    mark_completed(attempt.user_id, attempt.lesson_id, now)
    db.session.commit()
    db.session.refresh(attempt)
    return True


def mark_completed(user_id: int, lesson_id: int, when) -> None:
    progress = db.session.get(LessonProgress, (user_id, lesson_id))
    if progress is None:
        db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson_id, completed_at=when, updated_at=when))
    elif progress.completed_at is None:
        progress.completed_at = when
