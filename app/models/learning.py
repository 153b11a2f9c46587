"""What students do: attempts, responses and reading progress."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
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


class Attempt(db.Model):
    """A student's attempt: kind 'lesson' collects checkpoint answers, 'final' is the end quiz."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_lesson", "user_id", "lesson_id", "kind"),
        # one checkpoint-collecting attempt per student and lesson, even under concurrent requests
        Index("uq_attempts_lesson_run", "user_id", "lesson_id", unique=True,
              sqlite_where=text("kind = 'lesson'"), postgresql_where=text("kind = 'lesson'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    kind: Mapped[str] = mapped_column(String(16))  # lesson | final
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | submitted
    # final quizzes: the question version ids asked, fixed when the attempt starts
    version_ids: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lesson: Mapped[Lesson] = relationship()
    responses: Mapped[list[Response]] = relationship(back_populates="attempt", order_by="Response.position")


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    selected: Mapped[list] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    version: Mapped[QuestionVersion] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    last_position: Mapped[int] = mapped_column(Integer, default=1)
    furthest_position: Mapped[int] = mapped_column(Integer, default=1)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
