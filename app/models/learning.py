"""What students do: attempts, responses and reading progress."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import utcnow

if TYPE_CHECKING:  # resolved by name in SQLAlchemy's registry at run time
    from .content import Lesson, Question, QuestionVersion


class FinalQuizItem(db.Model):
    __tablename__ = "final_quiz_items"
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    question: Mapped[Question] = relationship()


class AttemptKind:
    """What an attempt collects."""

    LESSON = "lesson"  # one run through a lesson's checkpoints
    FINAL = "final"  # one try at the end-of-lesson quiz


class AttemptStatus:
    OPEN = "open"  # a final quiz not handed in yet; a lesson run still collecting answers
    SUBMITTED = "submitted"  # a final quiz handed in and graded
    CLOSED = "closed"  # a lesson run the student ended by starting the lesson again


class Attempt(db.Model):
    """A student's attempt: a lesson run collects checkpoint answers, a final is the end quiz."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_lesson", "user_id", "lesson_id", "kind"),
        # one open lesson run per student and lesson, even under concurrent requests
        Index("uq_attempts_lesson_run", "user_id", "lesson_id", unique=True,
              sqlite_where=text("kind = 'lesson' AND status = 'open'"),
              postgresql_where=text("kind = 'lesson' AND status = 'open'")),
        # at most one open final quiz per student and lesson: two tabs starting at once get the same one
        Index("uq_attempts_open_final", "user_id", "lesson_id", unique=True,
              sqlite_where=text("kind = 'final' AND status = 'open'"),
              postgresql_where=text("kind = 'final' AND status = 'open'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    kind: Mapped[str] = mapped_column(String(16))  # AttemptKind
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.OPEN)  # AttemptStatus
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lesson: Mapped[Lesson] = relationship()
    slots: Mapped[list[AttemptSlot]] = relationship(back_populates="attempt", order_by="AttemptSlot.number")
    responses: Mapped[list[Response]] = relationship(back_populates="attempt", order_by="Response.id")


class AttemptSlot(db.Model):
    """One question of an attempt as the student saw it: the exact version and the option order.

    A final quiz writes its slots when it starts (number = place in the quiz); a lesson run
    writes one with each checkpoint answer (number = the slide position it was answered on).
    Review and regrading read the slots, never a new draw or a new shuffle.
    """

    __tablename__ = "attempt_slots"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    number: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    # stored option indexes in the order they were displayed, e.g. [2, 0, 1]
    option_order: Mapped[list] = mapped_column(JSON)
    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version: Mapped[QuestionVersion] = relationship()


class Response(db.Model):
    __tablename__ = "responses"
    # one row per try: a checkpoint may be tried twice before its key is shown (a8_learning_rules)
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", "try_number", name="uq_responses_try"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slots.id"))
    # copies of the slot's question and version, for statistics without a join: the slot's foreign
    # key vouches for them; keys of their own cost a lookup and a share lock per answer on rows a
    # whole class answers at once (migrations/versions/a12_response_copies.py)
    question_id: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(Integer)
    selected: Mapped[list] = mapped_column(JSON)  # stored option indexes, whatever order was shown
    score: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    try_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # False only for a checkpoint try after which the student may try again (no key shown)
    reveals_key: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    slot: Mapped[AttemptSlot] = relationship()
    version: Mapped[QuestionVersion] = relationship(
        primaryjoin="foreign(Response.question_version_id) == QuestionVersion.id", viewonly=True)


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    last_position: Mapped[int] = mapped_column(Integer, default=1)
    furthest_position: Mapped[int] = mapped_column(Integer, default=1)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
