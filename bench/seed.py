"""Bench data written straight into the throwaway database, in a few bulk statements.

- students with an open final quiz each (the submission load needs one unused attempt per request);
- classes of 30, 300 and 3,000 students with graded final attempts (the gradebook load);
- signed session cookies and CSRF tokens for them, minted in-process: no argon2 hash and no HTTP
  login per student (the students cannot log in with a password at all).

Everything goes through the app's models and services (`sessions.hash_token`, `attempts.drawn_questions`,
`grading.grade`, and the demo class's `add_class` and `pick_answer`), so the rows look exactly like the
ones real requests write.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text

from app.extensions import db
from app.learning.grading import grade, total_score
from app.models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    ClassStudent,
    FinalQuizItem,
    Lesson,
    Question,
    Response,
    User,
    UserSession,
    utcnow,
)
from app.services import attempts as attempt_service
from app.services import demo_class, sessions

NO_LOGIN = "!bench-student-no-login"  # not an argon2 hash: no password matches it


@dataclass(frozen=True)
class Submission:
    """One prepared final-quiz submission: POST `path` with `body` and `cookie`."""

    attempt_id: int
    path: str
    cookie: str
    body: str


def quiz_lesson(min_questions: int = 10) -> tuple[int, str, int]:
    """(id, slug, quiz length) of the lesson with the longest final quiz (ten questions or more if any)."""
    row = db.session.execute(
        select(Lesson.id, Lesson.slug, func.count(FinalQuizItem.question_id).label("n"))
        .join(FinalQuizItem, FinalQuizItem.lesson_id == Lesson.id)
        .join(Question, Question.id == FinalQuizItem.question_id)
        .where(Lesson.retired.is_(False), Question.retired.is_(False))
        .group_by(Lesson.id, Lesson.slug).order_by(func.count(FinalQuizItem.question_id).desc(), Lesson.slug)
    ).first()
    if row is None:
        raise RuntimeError("no lesson has a final quiz")
    return row.id, row.slug, row.n


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert plain rows with ids chosen here: one executemany, no RETURNING (which SQLite would
    do row by row). On PostgreSQL the id sequence is moved past them afterwards."""
    table = model.__table__
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(start, start + len(rows)))
    if rows:
        db.session.execute(table.insert(), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {ids[-1]})"))
    return ids


QUIZ_TIME = timedelta(minutes=5)  # within the idle timeout (30 minutes by default)


def add_students(prefix: str, count: int) -> list[int]:
    """`count` students who cannot log in with a password; returns their ids in order."""
    now = utcnow()
    rows = [{"username": f"{prefix}{i:05d}", "display_name": f"Bench {prefix}{i:05d}", "password_hash": NO_LOGIN,
             "role": "student", "locale": "en", "created_at": now} for i in range(count)]
    return insert_rows(User, rows)


def add_sessions(user_ids: list[int], idle: timedelta = timedelta()) -> dict[int, str]:
    """A live server-side session per user, last used `idle` ago; returns user id -> cookie token."""
    now = utcnow()
    tokens = {user_id: secrets.token_urlsafe(32) for user_id in user_ids}
    insert_rows(UserSession, [
        {"user_id": user_id, "token_hash": sessions.hash_token(token), "created_at": now - idle,
         "last_seen_at": now - idle,
         "expires_at": now + timedelta(hours=8), "user_agent": "bench"} for user_id, token in tokens.items()])
    return tokens


def session_cookies(app, tokens: dict[int, str]) -> dict[int, tuple[str, str]]:
    """user id -> (Cookie header, CSRF form token), signed like a real login on 127.0.0.1 by wrk."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    cookies = {}
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        # Flask-Login's session protection compares this with the request's address and user agent
        identifier = app.login_manager._session_identifier_generator()
        for user_id, token in tokens.items():
            session.clear()
            g.pop("csrf_token", None)  # Flask-WTF keeps the request's token here: one per student
            session.update({"_user_id": token, "_fresh": True, "_id": identifier})
            csrf = generate_csrf()
            cookies[user_id] = (f"{name}={serializer.dumps(dict(session))}", csrf)
    return cookies


def open_finals(app, prefix: str, count: int, seed: int = 12) -> tuple[list[Submission], int]:
    """`count` students, each logged in with an open final quiz of the longest quiz; commits.
    Returns the submissions and the number of questions in each."""
    lesson_id, slug, _length = quiz_lesson()
    rng = random.Random(seed)
    students = add_students(prefix, count)
    versions = attempt_service.drawn_questions(students[0], lesson_id, rng)
    now = utcnow()
    attempt_ids = insert_rows(Attempt, [
        {"user_id": user_id, "lesson_id": lesson_id, "kind": AttemptKind.FINAL, "status": AttemptStatus.OPEN,
         "started_at": now} for user_id in students])
    insert_rows(AttemptSlot, [
        {"attempt_id": attempt_id, "number": number, "question_id": v.question_id, "question_version_id": v.id,
         "option_order": list(range(len(v.options)))}
        for attempt_id in attempt_ids for number, v in enumerate(versions, start=1)])
    # Each student last used their session when the quiz page opened, minutes ago (answering sends
    # nothing): handing it in also refreshes the session's last-seen time, as it would in class.
    cookies = session_cookies(app, add_sessions(students, QUIZ_TIME))
    db.session.commit()
    submissions = []
    for user_id, attempt_id in zip(students, attempt_ids, strict=True):
        cookie, csrf = cookies[user_id]
        # a mix of right and wrong answers: option 0 or 1 of each question, as the student saw them
        fields = [("csrf_token", csrf)] + [(f"q{n}", str(rng.randrange(min(2, len(v.options)))))
                                           for n, v in enumerate(versions, start=1)]
        body = "&".join(f"{k}={_quote(v)}" for k, v in fields)
        submissions.append(Submission(attempt_id, f"/attempts/{attempt_id}/submit", cookie, body))
    return submissions, len(versions)


def submission_audit(attempt_ids: list[int]) -> dict[str, int]:
    """How the prepared attempts ended: submitted, still open, and submitted ones missing an answer."""
    rows = db.session.execute(
        select(Attempt.id, Attempt.status, Attempt.score, func.count(AttemptSlot.id.distinct()),
               func.count(Response.id.distinct()))
        .outerjoin(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
        .outerjoin(Response, Response.attempt_id == Attempt.id)
        .where(Attempt.id.in_(attempt_ids)).group_by(Attempt.id, Attempt.status, Attempt.score)).all()
    submitted = [r for r in rows if r[1] == AttemptStatus.SUBMITTED]
    return {"submitted": len(submitted), "open": sum(1 for r in rows if r[1] == AttemptStatus.OPEN),
            "incomplete": sum(1 for r in submitted if r[2] is None or r[3] != r[4]),
            "answers": sum(r[4] for r in submitted)}


def graded_class(teacher_id: int, size: int, lesson_ids: list[int], seed: int = 7) -> int:
    """A class of `size` students, `lesson_ids` assigned, one or two graded final attempts per student
    and lesson (the second only for some), with every answer stored; returns the class id. Commits."""
    rng = random.Random(seed + size)
    now = utcnow()
    group = demo_class.add_class(teacher_id, f"Bench class of {size}", f"B{size:07d}"[:16],
                                 [(lesson_id, {"pass_mark": 60}) for lesson_id in lesson_ids])
    students = add_students(f"c{size}-", size)
    insert_rows(ClassStudent, [{"class_id": group.id, "user_id": s, "joined_at": now} for s in students])
    drawn = {lesson_id: attempt_service.drawn_questions(students[0], lesson_id, rng) for lesson_id in lesson_ids}
    plan = [(user_id, lesson_id) for user_id in students for lesson_id in lesson_ids
            for _ in range(1 if rng.random() < 0.7 else 2)]
    ability = {user_id: rng.random() for user_id in students}  # strong and weak students
    # per planned attempt: the grade of each question, in quiz order
    graded = [[grade(v.type, len(v.options), v.correct_indexes,
                     demo_class.pick_answer(v, 0.3 + 0.6 * ability[user_id], rng)) for v in drawn[lesson_id]]
              for user_id, lesson_id in plan]
    totals = [total_score([g.score for g in grades], [v.points for v in drawn[lesson_id]])  # (score, max_score)
              for grades, (_user_id, lesson_id) in zip(graded, plan, strict=True)]
    attempt_ids = insert_rows(Attempt, [
        {"user_id": u, "lesson_id": lesson, "kind": AttemptKind.FINAL, "status": AttemptStatus.SUBMITTED,
         "started_at": now - timedelta(days=2), "submitted_at": now - timedelta(days=1),
         "score": score, "max_score": max_score}
        for (u, lesson), (score, max_score) in zip(plan, totals, strict=True)])
    slots = [{"attempt_id": a, "number": n, "question_id": v.question_id, "question_version_id": v.id,
              "option_order": list(range(len(v.options)))}
             for a, (_u, lesson) in zip(attempt_ids, plan, strict=True) for n, v in enumerate(drawn[lesson], 1)]
    slot_ids = insert_rows(AttemptSlot, slots)
    every_grade = [g for grades in graded for g in grades]
    insert_rows(Response, [
        {"attempt_id": slot["attempt_id"], "slot_id": slot_id, "question_id": slot["question_id"],
         "question_version_id": slot["question_version_id"], "selected": list(g.selected), "score": g.score,
         "outcome": g.outcome, "created_at": now - timedelta(days=1)}
        for slot, slot_id, g in zip(slots, slot_ids, every_grade, strict=True)])
    db.session.commit()
    return group.id


def _quote(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value)

