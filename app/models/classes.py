"""Classes a teacher runs: class groups, their teachers and students, join codes, assignments of
lessons with an attempt and answer-key policy, resets of single attempts, and each course's
mastery method. Written only by `app/services/classes.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import utcnow

CLASS_ROLES = ("owner", "co_teacher")


class CountingRule:
    """Which submitted attempt of an assignment counts."""

    HIGHEST, LATEST, FIRST, AVERAGE = "highest", "latest", "first", "average"
    ALL = (HIGHEST, LATEST, FIRST, AVERAGE)


class KeyReveal:
    """When students see the correct answers of the assignment's final quiz."""

    IMMEDIATELY, AFTER_DUE, NEVER = "immediately", "after_due", "never"
    ALL = (IMMEDIATELY, AFTER_DUE, NEVER)


class ClassGroup(db.Model):
    """A class: a teacher's group of students, joined with a code."""

    __tablename__ = "class_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # normalised (upper case, no separators); unique while set, so a code names one class
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    code_open: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)  # read-only, hidden from dashboards
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class ClassTeacher(db.Model):
    """A teacher of a class: the one who made it (owner) and co-teachers, who see and do the same."""

    __tablename__ = "class_teachers"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # one of CLASS_ROLES
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ClassStudent(db.Model):
    """A student on a class's roster."""

    __tablename__ = "class_students"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(db.Model):
    """A lesson assigned to a class, with its policy. `attempts_allowed` None means unlimited."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("class_id", "lesson_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    counting: Mapped[str] = mapped_column(String(16), default=CountingRule.HIGHEST)
    pass_mark: Mapped[int] = mapped_column(Integer, default=60)  # percent
    key_reveal: Mapped[str] = mapped_column(String(16), default=KeyReveal.IMMEDIATELY)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lesson = relationship("Lesson")


class AttemptReset(db.Model):
    """A teacher reset this attempt: it stays in the history, marked, and no longer counts."""

    __tablename__ = "attempt_resets"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    reset_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reset_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CourseSettings(db.Model):
    """A course's mastery method, chosen by its teacher; a course without a row uses the default."""

    __tablename__ = "course_settings"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    mastery_method: Mapped[str] = mapped_column(String(24), default="latest")
    decay_weight: Mapped[float] = mapped_column(Float, default=0.65)
    n_correct: Mapped[int] = mapped_column(Integer, default=3)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
