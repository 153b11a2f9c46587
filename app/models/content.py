"""Content models: source documents and their revisions; courses, lessons, goals, screens,
questions and their versions rendered from them.

The database holds the source text of every content file (`ContentDocument` + `ContentRevision`);
the other tables are the rendered form the pages read. Content rows are written only by the
content services (`app/services/content_store.py`, `app/services/content_sync.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import utcnow


class ContentDocument(db.Model):
    """One course file, glossary, lesson or quiz bank, known by the path it is exported to."""

    __tablename__ = "content_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)  # e.g. lessons/<course>/01-x.md
    kind: Mapped[str] = mapped_column(String(16))  # course | glossary | lesson | quiz
    course_slug: Mapped[str] = mapped_column(String(80))
    current_number: Mapped[int] = mapped_column(Integer)
    # The revision the file on disk held at the last sync or export, and that file's sha256;
    # both None for a document that was never written to or read from a file.
    synced_number: Mapped[int | None] = mapped_column(Integer)
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revisions: Mapped[list[ContentRevision]] = relationship(back_populates="document",
                                                            order_by="ContentRevision.number")


REVISION_ORIGINS = ("file", "editor", "import", "restore")


class ContentRevision(db.Model):
    """The whole source text of a document as saved once; never changed afterwards."""

    __tablename__ = "content_revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("content_documents.id"))
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the UTF-8 source
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(500), default="")
    origin: Mapped[str] = mapped_column(String(16))  # one of REVISION_ORIGINS
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    document: Mapped[ContentDocument] = relationship(back_populates="revisions")


class Course(db.Model):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # [{term, anchor, definition_html, english}] rendered at sync time
    glossary: Mapped[list] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"))  # course.md built from
    # changes with every update of the row: part of the key of fragments rendered from the course
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=text("CURRENT_TIMESTAMP"))
    lessons: Mapped[list[Lesson]] = relationship(back_populates="course", order_by="Lesson.position")


class Lesson(db.Model):
    __tablename__ = "lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # NN- prefix of the file name, else order in folder
    screen_count: Mapped[int] = mapped_column(Integer, default=0)
    source_path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # front matter `tries:` (1 or 2 tries per checkpoint before its key is shown)
    checkpoint_tries: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    # front matter `final_includes_optional:`: optional goals' questions may be drawn too
    final_includes_optional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the lesson and quiz revisions these rows were built from
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"))
    quiz_revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    course: Mapped[Course] = relationship(back_populates="lessons")
    goals: Mapped[list[LearningGoal]] = relationship(back_populates="lesson", order_by="LearningGoal.position")


class LearningGoal(db.Model):
    __tablename__ = "learning_goals"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    optional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lesson: Mapped[Lesson] = relationship(back_populates="goals")


class Screen(db.Model):
    """One position of a lesson's slide counter: a content slide or one checkpoint question."""

    __tablename__ = "screens"
    __table_args__ = (UniqueConstraint("lesson_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # content | question
    # part of an optional goal: a slide marked optional, a checkpoint measuring optional goals only
    optional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    title: Mapped[str] = mapped_column(String(300), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    checkpoint_number: Mapped[int | None] = mapped_column(Integer)
    checkpoint_item: Mapped[int | None] = mapped_column(Integer)
    checkpoint_size: Mapped[int | None] = mapped_column(Integer)


question_version_goals = Table(
    "question_version_goals",
    db.metadata,
    Column("question_version_id", ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_id", ForeignKey("learning_goals.id"), primary_key=True),
)


class Question(db.Model):
    """A question's identity, found by slug across the site; `lesson_id` is its current home lesson."""

    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version"))
    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)


class QuestionVersion(db.Model):
    """An immutable version of a question; responses point at the version they answered.

    `markdown` is the question's own source block and `content_hash` is computed from the source
    (never from HTML), so only the rendered HTML may be refreshed in place, by a renderer upgrade."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    stem_html: Mapped[str] = mapped_column(Text)
    # [{html, feedback_html, correct}]: never sent to the browser before an answer is graded
    options: Mapped[list] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # the 'source:' citation line
    markdown: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # "order: fixed" in the quiz file: options always in stored order, never shuffled
    fixed_order: Mapped[bool] = mapped_column(Boolean, default=False)
    # "feedback:" in the quiz file, rendered: like `options`, never sent before the answer is graded
    feedback_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    points: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # weight in the final quiz
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    question: Mapped[Question] = relationship(foreign_keys=[question_id])
    goals: Mapped[list[LearningGoal]] = relationship(secondary=question_version_goals)

    @property
    def correct_indexes(self) -> frozenset[int]:
        return correct_indexes_of(self.options)


def correct_indexes_of(options) -> frozenset[int]:
    """The key of a question version: the indexes of its stored options marked correct (also for
    the grading facts a process keeps, app/services/hand_in.py)."""
    return frozenset(i for i, option in enumerate(options) if option["correct"])


COURSE_ROLES = ("owner", "editor")


class CourseMember(db.Model):
    """A teacher who may edit a course: its owner(s) and co-editors. A course nobody holds is
    edited by admins only (as every course is after `flask content sync`, until one is assigned)."""

    __tablename__ = "course_members"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # one of COURSE_ROLES
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MediaFile(db.Model):
    """An image a lesson shows, stored in the database so every app machine serves the same bytes.

    `path` is where it is exported to (`lessons/<course folder>/media/<name>`); `data` is the safe
    form checked by `app/content/media.py` (a raster image re-encoded, an SVG as it came).
    `synced_sha256` is the hash of the file on disk at the last sync or export (None: never there);
    `stored_sha256_at_sync` is the hash of what was stored from (or written to) that file then. They
    differ for a synced raster image (re-encoded), so "changed in the database since the last sync"
    compares `sha256` with the latter, "changed on disk" the file's hash with the former."""

    __tablename__ = "media_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(80), index=True)  # the course folder
    path: Mapped[str] = mapped_column(String(500), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    synced_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stored_sha256_at_sync: Mapped[str | None] = mapped_column(String(64), nullable=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
