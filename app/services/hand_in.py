"""Handing in a final quiz: graded on the server, stored exactly once.

Three parts, so that a submission served by Flask (`quiz.submit`, the API) and one answered below
Flask (app/direct_submissions.py) run the same code: read what grading needs (`attempt_to_grade`,
or `session_and_attempt` joined with the session check), grade (`grade_final`), write the result
(`write_graded`: statements only, the caller commits). `submit_final` is the two last for Flask.

The statements are built once, and those of the hand-in compiled once (`DriverStatement`): building
a statement and its cache key costs more Python time than SQLite takes to run it. The writes are
table (Core) statements: nothing reads the written rows back before the commit, which expires any
loaded objects anyway.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import Connection, DateTime, and_, bindparam, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import one_writer_at_a_time
from ..driver_statements import DriverStatement
from ..extensions import db
from ..learning.grading import InvalidResponse, grade, total_score
from ..learning.shuffle import to_stored
from ..models import (
    Attempt,
    AttemptKind,
    AttemptSlot,
    AttemptStatus,
    LessonProgress,
    QuestionVersion,
    Response,
    UserSession,
    utcnow,
)
from ..models.content import correct_indexes_of
from . import sessions
from .attempts import NotFound, attempt_slots

_attempts, _slots, _progress = Attempt.__table__, AttemptSlot.__table__, LessonProgress.__table__
_responses = Response.__table__


@dataclass(frozen=True, slots=True)
class VersionToGrade:
    """What grading reads of a question version: its type, whether each option is right, its points."""
    type: str
    options: tuple[dict, ...]  # {"correct": bool} per stored option
    points: int
    correct_indexes: frozenset[int]  # the key, worked out once

    @classmethod
    def of(cls, kind: str, options: list[dict], points: int) -> VersionToGrade:
        kept = tuple({"correct": bool(option["correct"])} for option in options)
        return cls(kind, kept, points, correct_indexes_of(kept))


class SlotToGrade(NamedTuple):
    """A slot as grading reads it (a named tuple: a quiz makes a dozen per submission, and a tuple is
    the cheapest object to make)."""
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

    def get(self, version_ids: list[int], connection: Connection | None = None) -> dict[int, VersionToGrade]:
        """The facts of these versions; those not kept yet are read on `connection` (default: the
        ORM session's)."""
        with self._lock:
            found = {vid: self._items[vid] for vid in version_ids if vid in self._items}
        missing = [vid for vid in version_ids if vid not in found]
        if missing:
            versions = QuestionVersion.__table__
            rows = (connection or db.session.connection()).execute(
                select(versions.c.id, versions.c.type, versions.c.options, versions.c.points)
                .where(versions.c.id.in_(missing)))
            loaded = {vid: VersionToGrade.of(kind, options, points) for vid, kind, options, points in rows}
            with self._lock:
                self._items.update(loaded)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
            found.update(loaded)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def grading_facts(app: Flask | None = None) -> GradingFacts:
    """This app's kept grading facts (one app, one database: version ids are the database's own)."""
    return (app or current_app).extensions.setdefault("lesmark_grading_facts", GradingFacts())


# --- reading what grading needs --------------------------------------------------------------------

_TO_GRADE_COLUMNS = (_attempts.c.status, _attempts.c.lesson_id, _slots.c.id, _slots.c.number, _slots.c.question_id,
                     _slots.c.question_version_id, _slots.c.option_order)
_ATTEMPT_TO_GRADE = (select(*_TO_GRADE_COLUMNS)
                     .select_from(_attempts.outerjoin(_slots, _slots.c.attempt_id == _attempts.c.id))
                     .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.user_id == bindparam("user_id"),
                            _attempts.c.kind == AttemptKind.FINAL)
                     .order_by(_slots.c.number))

_records = UserSession.__table__
# the session check (its very conditions) with the attempt outer-joined, so a live session is found
# even where the attempt is not the student's (app/direct_submissions.py). Of the session only what
# handing in needs: its user, its id and whether its refresh is due, worked out by the database.
_SESSION_AND_ATTEMPT = DriverStatement(
    select(_records.c.user_id, _records.c.id, sessions.TOUCH_DUE, *_TO_GRADE_COLUMNS)
    .select_from(_records.outerjoin(_attempts, and_(_attempts.c.id == bindparam("attempt_id"),
                                                    _attempts.c.user_id == _records.c.user_id,
                                                    _attempts.c.kind == AttemptKind.FINAL))
                 .outerjoin(_slots, _slots.c.attempt_id == _attempts.c.id))
    .where(sessions.LIVE_SESSION.whereclause)
    .order_by(_slots.c.number))


def _to_grade(attempt_id: int, user_id: int, rows, facts: GradingFacts, connection: Connection) -> AttemptToGrade:
    """An AttemptToGrade from rows of (status, lesson id, the slot's columns), one per slot."""
    kept = facts.get([version_id for _s, _l, slot_id, _n, _q, version_id, _o in rows if slot_id is not None],
                     connection)
    slots = [SlotToGrade(slot_id, number, question_id, version_id, order, kept[version_id])
             for _status, _lesson, slot_id, number, question_id, version_id, order in rows if slot_id is not None]
    return AttemptToGrade(attempt_id, user_id, rows[0][1], rows[0][0], slots)


def attempt_to_grade(user_id: int, attempt_id: int) -> AttemptToGrade:
    """This student's final attempt with its slots, for `submit_final`, in one statement (two the
    first time this process grades one of its questions); NotFound if it is not theirs."""
    connection = db.session.connection()
    rows = connection.execute(_ATTEMPT_TO_GRADE, {"attempt_id": attempt_id, "user_id": user_id}).all()
    if not rows:
        raise NotFound("attempt")
    return _to_grade(attempt_id, user_id, rows, grading_facts(), connection)


@dataclass(frozen=True, slots=True)
class SessionToHandIn:
    """The live session a submission comes with: its user, its record and whether to refresh it."""
    user_id: int
    record_id: int
    touch_due: bool


def session_and_attempt(connection: Connection, facts: GradingFacts, token: str, attempt_id: int, now: datetime,
                        idle: timedelta) -> tuple[SessionToHandIn | None, AttemptToGrade | None]:
    """(the live session of `token`, its student's final attempt to grade) in one statement; (None,
    None) when the session is not live, (session, None) when the attempt is not theirs."""
    parameters = sessions.live_session_parameters(token, now, idle)
    if parameters is None:
        return None, None
    rows = _SESSION_AND_ATTEMPT.rows(connection, {**parameters, "attempt_id": attempt_id})
    if not rows:
        return None, None
    user_id, record_id, touch_due, status = rows[0][:4]
    session = SessionToHandIn(user_id, record_id, bool(touch_due))
    if status is None:  # no attempt of theirs: the outer join found none
        return session, None
    return session, _to_grade(attempt_id, user_id, [row[3:] for row in rows], facts, connection)


# --- grading and writing ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GradedFinal:
    """A graded final attempt, ready to be written."""
    attempt_id: int
    user_id: int
    lesson_id: int
    score: float
    max_score: float
    answers: list[dict]  # one per slot: the response row without attempt_id and created_at
    now: datetime


def grade_final(attempt: Attempt | AttemptToGrade, answers: dict[int, set[int]],
                slots: list[AttemptSlot] | list[SlotToGrade]) -> GradedFinal:
    """Grade every slot; `answers` maps slot number -> displayed positions chosen (InvalidResponse
    for a position the student was not shown)."""
    grades = []
    for slot in slots:
        chosen = answers.get(slot.number, set())
        if any(not 0 <= p < len(slot.option_order) for p in chosen):
            raise InvalidResponse("unknown option")
        version = slot.version
        grades.append(grade(version.type, len(version.options), version.correct_indexes,
                            to_stored(slot.option_order, chosen)))
    score, max_score = total_score([g.score for g in grades], [slot.version.points for slot in slots])
    rows = [{"slot_id": slot.id, "question_id": slot.question_id, "question_version_id": slot.question_version_id,
             "selected": list(g.selected), "score": g.score, "outcome": g.outcome}
            for slot, g in zip(slots, grades, strict=True)]
    return GradedFinal(attempt.id, attempt.user_id, attempt.lesson_id, score, max_score, rows, utcnow())


_CLAIM = DriverStatement(
    _attempts.update().where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.status == AttemptStatus.OPEN)
    .values(status=AttemptStatus.SUBMITTED, submitted_at=bindparam("now"), score=bindparam("score"),
            max_score=bindparam("max_score")))

# what each answer of GradedFinal.answers gives a row of `responses`, and the values in that order
_ANSWER_COLUMNS = ("slot_id", "question_id", "question_version_id", "selected", "score", "outcome")
_answer_values = itemgetter(*_ANSWER_COLUMNS)


@lru_cache(maxsize=512)
def _answer_names(row: int) -> tuple[str, ...]:
    """The parameters of row `row` of `_insert_answers`."""
    return tuple(f"{name}_{row}" for name in _ANSWER_COLUMNS)


@lru_cache(maxsize=64)
def _insert_answers(count: int) -> DriverStatement:
    """SQLite: the answers of a quiz of `count` questions in one INSERT of `count` rows (measured
    at half the time of inserting them from one JSON array, which SQLite parses again for each
    value it takes out)."""
    columns = _responses.c
    return DriverStatement(_responses.insert().values([
        {"attempt_id": bindparam("attempt_id", type_=columns.attempt_id.type),
         "created_at": bindparam("now", type_=columns.created_at.type), "try_number": 1, "reveals_key": True,
         **{name: bindparam(key, type_=columns[name].type)
           for name, key in zip(_ANSWER_COLUMNS, _answer_names(row), strict=True)}}
        for row in range(count)]))


def _completion_upsert():
    """The lesson is completed at `now` unless it was earlier: one upsert."""
    now = bindparam("now")
    statement = sqlite_insert(_progress).values(
        user_id=bindparam("user_id"), lesson_id=bindparam("lesson_id"), last_position=1, furthest_position=1,
        completed_at=now, updated_at=now)
    return statement.on_conflict_do_update(index_elements=["user_id", "lesson_id"],
                                           set_={"completed_at": func.coalesce(_progress.c.completed_at, now)})


_MARK_COMPLETED = DriverStatement(_completion_upsert())  # SQLite; on PostgreSQL in _SUBMIT_IN_ONE_STATEMENT
_TOUCH_RECORD = DriverStatement(sessions.TOUCH_RECORD)

# PostgreSQL: the claim, every answer, the lesson's completion and the session's refresh in one
# statement (data-modifying CTEs run exactly once and all together, under the claim's row lock): one
# round trip instead of four. The answers come as one JSON array, so the statement is the same for
# any quiz length and the server keeps it prepared. A NULL :touch_record refreshes no session.
# tests/web/test_submission_cost.py and test_concurrency.py run it.
_SUBMIT_IN_ONE_STATEMENT = DriverStatement(text("""
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
), touched AS (
    UPDATE user_sessions SET last_seen_at = :touched_at WHERE id = CAST(:touch_record AS integer)
)
SELECT count(*) FROM claimed
""").bindparams(bindparam("now", type_=DateTime), bindparam("touched_at", type_=DateTime)))


def write_graded(connection: Connection, graded: GradedFinal, touch: tuple[int, datetime] | None = None) -> bool:
    """Write a graded attempt on `connection`, and the session refresh `touch` (record id, time) if
    given; the caller commits, or rolls back on False.

    The conditional UPDATE is the lock: only one request can move the attempt out of 'open', so a
    double click, a second tab or a replayed request is graded exactly once. False (nothing of the
    attempt written) when it was handed in already."""
    parameters = {"attempt_id": graded.attempt_id, "now": graded.now, "score": graded.score,
                  "max_score": graded.max_score}
    if connection.dialect.name == "postgresql":
        return _SUBMIT_IN_ONE_STATEMENT.execute(connection, {
            **parameters, "open": AttemptStatus.OPEN, "submitted": AttemptStatus.SUBMITTED,
            "touch_record": touch and touch[0], "touched_at": touch[1] if touch else graded.now,
            "answers": json.dumps(graded.answers)}).scalar_one() == 1
    answers = {"attempt_id": graded.attempt_id, "now": graded.now}
    for row, answer in enumerate(graded.answers):
        answers.update(zip(_answer_names(row), _answer_values(answer), strict=True))
    if _CLAIM.execute(connection, parameters).rowcount != 1:
        return False
    if graded.answers:
        _insert_answers(len(graded.answers)).execute(connection, answers)
    _MARK_COMPLETED.execute(connection, {"user_id": graded.user_id, "lesson_id": graded.lesson_id, "now": graded.now})
    if touch is not None:
        _TOUCH_RECORD.execute(connection, {"record_id": touch[0], "now": touch[1]})
    return True


def submit_final(attempt: Attempt | AttemptToGrade, answers: dict[int, set[int]],
                 slots: list[AttemptSlot] | list[SlotToGrade] | None = None) -> bool:
    """Grade the attempt once and commit; `slots` are its slots if the caller has loaded them already.

    Returns False (and changes nothing) when the attempt was already submitted. Three statements
    (four with the session's refresh) and one commit on SQLite, one statement on PostgreSQL.
    """
    graded = grade_final(attempt, answers, attempt_slots(attempt) if slots is None else slots)
    with one_writer_at_a_time(db.engine):
        # the session refresh that would be written with the commit goes into the same statements
        if not write_graded(db.session.connection(), graded, sessions.take_touch(db.session)):
            db.session.rollback()
            return False
        db.session.commit()  # expires `attempt`: its new status and score load when next read
    return True
