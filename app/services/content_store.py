"""The database is the home of content: every course file, glossary, lesson and quiz bank is a
`ContentDocument` whose whole source is saved as numbered `ContentRevision`s. Files are the way in
and out; the rendered tables (courses, lessons, screens, questions...) are built from the sources
in the database, so any app machine can rebuild them from PostgreSQL alone.

Entry points (each commits once; parsing and rendering of the whole site happen BEFORE the short
write transaction, so a slow file never keeps the database locked):

- `sync_files(root, resolve=None) -> SyncReport`: import `lessons/` and `quizzes/` under root. A
  changed file becomes a new revision (origin "file"); an unchanged file adds nothing; a deleted
  file retires its document (its course or lesson leaves the site; a restored file brings it back).
  When a file AND the database changed since the last sync, the document is left alone and the
  conflict is reported, unless `resolve="theirs"` (the file wins) or `resolve="ours"` (the
  database wins; export writes it out later). Then the site is rebuilt from the stored sources.
- `rebuild() -> SyncReport`: rebuild the rendered tables from the stored sources (no files).
- `export_files(root, record_synced=True) -> ExportReport`: write every live document's current
  revision to root, byte for byte (files that already match are not touched), and record them as
  synced with the files. Images (`lessons/<course>/media/*`, `MediaFile`) travel the same way
  in both directions, read as bytes apart from the texts (`app/services/media.py`).
- `save_revision(path, text, *, author_id, message, origin) -> SaveResult`: for editors and
  importers. Validates the text together with the rest of the site exactly as `flask content
  check` does (parse, cross-check, render); either stores a new revision and rebuilds what it
  affects in one transaction, or returns the problems (path:line) and writes nothing.
- `revisions(path)` (newest first), `revision(path, number)`, `compare(path, a, b)` (a unified
  diff), `course_documents(course_slug)`, and `restore(path, number, author_id)`, which saves an
  old revision's text again as a new revision (origin "restore").

The writing entry points end the session's transaction (they read, roll back, build, then write
and commit): call them with no unsaved changes of your own in the session.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import and_, select, text
from sqlalchemy.exc import IntegrityError

from ..content.loader import MAX_FILE_BYTES, read_tree
from ..content.media import is_media_path, read_media_tree
from ..content.model import Problem
from ..content.site import SiteBuild, build_site
from ..content.sources import source_hash
from ..extensions import db
from ..models import REVISION_ORIGINS, ContentDocument, ContentRevision, MediaFile, utcnow
from .content_sync import SyncReport, apply_build
from .media import MediaChange, apply_media_changes, hashes_after, media_states, plan_media_import

logger = logging.getLogger(__name__)

THEIRS, OURS = "theirs", "ours"
MAX_ATTEMPTS = 3  # a concurrent save between our read and our write: read and build again
# a path the editors may create; files synced from disk may have other (still safe) names
PATH_PATTERN = re.compile(r"^(lessons|quizzes)/[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


class StaleContent(Exception):
    """A document changed between reading the sources and writing the result."""


# --- reading the stored sources ----------------------------------------------------------------

@dataclass(frozen=True)
class DocumentState:
    path: str
    current_number: int
    synced_number: int | None
    synced_hash: str | None
    retired: bool
    source: str
    source_hash: str


def document_states() -> dict[str, DocumentState]:
    """Every document with the source of its current revision, as plain values."""
    rows = db.session.execute(
        select(ContentDocument.path, ContentDocument.current_number, ContentDocument.synced_number,
               ContentDocument.synced_hash, ContentDocument.retired, ContentRevision.source,
               ContentRevision.source_hash)
        .join(ContentRevision, and_(ContentRevision.document_id == ContentDocument.id,
                                    ContentRevision.number == ContentDocument.current_number)))
    return {row.path: DocumentState(*row) for row in rows}


def live_sources(states: dict[str, DocumentState]) -> dict[str, str]:
    return {path: state.source for path, state in states.items() if not state.retired}


def read_states() -> dict[str, DocumentState]:
    states = document_states()
    db.session.rollback()  # end the read transaction before the slow part
    return states


def read_media_states():
    states = media_states()
    db.session.rollback()
    return states


# --- planned changes to documents ------------------------------------------------------------

@dataclass
class DocumentChange:
    path: str
    expected_number: int | None  # the current revision number we planned against; None: new document
    new_source: str | None = None  # store this text as a new revision
    origin: str = "file"
    message: str = ""
    author_id: int | None = None
    retired: bool | None = None
    synced: str | None = None  # "file": the file holds the (new) current revision;
    #                            "hash": only remember the file's hash; "gone": the file is gone
    file_hash: str | None = None


def plan_file_import(states: dict[str, DocumentState], files: dict[str, str], unreadable: set[str],
                     resolve: str | None) -> tuple[list[DocumentChange], list[Problem]]:
    """What `sync` must change so the database takes in the files; and the conflicts it leaves alone."""
    changes: list[DocumentChange] = []
    conflicts: list[Problem] = []
    for path, content in sorted(files.items()):
        state, file_hash = states.get(path), source_hash(content)
        if state is None:
            changes.append(DocumentChange(path, None, content, message="from file", synced="file", file_hash=file_hash))
            continue
        file_changed = file_hash != state.synced_hash
        db_changed = state.current_number != state.synced_number
        if not file_changed:
            continue  # the database is the same or newer: nothing to take in
        if content == state.source:
            changes.append(DocumentChange(path, state.current_number, retired=False, synced="file", file_hash=file_hash))
        elif db_changed and resolve is None and not state.retired:
            conflicts.append(Problem(path, 1, f"conflict: the file and the database (revision {state.current_number}) "
                                              "both changed since the last sync; left as it is (use --theirs to "
                                              "take the file or --ours to keep the database)"))
        elif db_changed and resolve == OURS and not state.retired:
            changes.append(DocumentChange(path, state.current_number, synced="hash", file_hash=file_hash))
        else:
            changes.append(DocumentChange(path, state.current_number, content, message="from file", retired=False,
                                          synced="file", file_hash=file_hash))
    unreadable_folders = tuple(p.rstrip("/") + "/" for p in unreadable)
    for path, state in sorted(states.items()):
        if path in files or path in unreadable or path.startswith(unreadable_folders) or state.retired \
                or state.synced_hash is None:
            continue  # present (readable or not), or never written to a file: not deleted
        if state.current_number != state.synced_number and resolve != THEIRS:
            if resolve == OURS:
                changes.append(DocumentChange(path, state.current_number, synced="gone"))
            else:
                conflicts.append(Problem(path, 1, f"conflict: the file was deleted but the database changed it "
                                                  f"(revision {state.current_number}); left as it is (use --theirs "
                                                  "to delete it or --ours to keep it)"))
            continue
        changes.append(DocumentChange(path, state.current_number, retired=True, synced="gone"))
    return changes, conflicts


def sources_after(states: dict[str, DocumentState], changes: list[DocumentChange]) -> dict[str, str]:
    sources = live_sources(states)
    for change in changes:
        if change.retired:
            sources.pop(change.path, None)
            continue
        if change.new_source is not None:
            sources[change.path] = change.new_source
        elif change.retired is False and change.path in states:
            sources[change.path] = states[change.path].source
    return sources


# --- the one write transaction ---------------------------------------------------------------

def write(changes: list[DocumentChange], build: SiteBuild, report: SyncReport,
          media_changes: list[MediaChange] = ()) -> None:
    """Store the document and media changes and the rendered site, then commit once."""
    try:
        lock_for_writing()
        apply_changes(changes, report)
        apply_media_changes(list(media_changes))
        label_courses(build.course_of_path)
        apply_build(build, current_revision_ids(), report)
        db.session.commit()
    except IntegrityError:  # another writer stored the same revision number first
        db.session.rollback()
        raise StaleContent() from None
    except BaseException:
        db.session.rollback()
        raise


def lock_for_writing() -> None:
    """SQLite: take the write lock first (waiting up to the busy timeout), so a transaction that
    read first cannot fail later on a snapshot another writer made stale."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("BEGIN IMMEDIATE"))


def apply_changes(changes: list[DocumentChange], report: SyncReport) -> None:
    if not changes:
        return
    documents = {d.path: d for d in db.session.scalars(
        select(ContentDocument).where(ContentDocument.path.in_([c.path for c in changes])))}
    for change in changes:
        document = documents.get(change.path)
        if document is None:
            if change.expected_number is not None:
                raise StaleContent()
            parts = PurePosixPath(change.path).parts
            document = ContentDocument(path=change.path, kind=document_kind(change.path), course_slug=parts[1],
                                       current_number=0, retired=False)
            db.session.add(document)
            db.session.flush()
        elif document.current_number != change.expected_number:
            raise StaleContent()
        if change.new_source is not None:
            document.current_number += 1
            db.session.add(ContentRevision(
                document_id=document.id, number=document.current_number, source=change.new_source,
                source_hash=source_hash(change.new_source), author_id=change.author_id,
                message=change.message[:500], origin=change.origin))
            report.revisions_created += 1
        if change.retired is not None and document.retired != change.retired:
            document.retired = change.retired
            report.documents_retired += int(change.retired)
        if change.synced == "file":
            document.synced_number, document.synced_hash = document.current_number, change.file_hash
        elif change.synced == "hash":
            document.synced_hash = change.file_hash
        elif change.synced == "gone":
            document.synced_hash = None
        document.updated_at = utcnow()
    db.session.flush()


def label_courses(course_of_path: dict[str, str]) -> None:
    """Record the course id each parsed document belongs to (its folder name until then)."""
    for document in db.session.scalars(select(ContentDocument).where(ContentDocument.path.in_(course_of_path))):
        if document.course_slug != course_of_path[document.path]:
            document.course_slug = course_of_path[document.path]


def current_revision_ids() -> dict[str, int]:
    return dict(db.session.execute(
        select(ContentDocument.path, ContentRevision.id)
        .join(ContentRevision, and_(ContentRevision.document_id == ContentDocument.id,
                                    ContentRevision.number == ContentDocument.current_number))
        .where(ContentDocument.retired.is_(False))).all())


def document_kind(path: str) -> str:
    area, _course, name = PurePosixPath(path).parts
    if area == "quizzes":
        return "quiz"
    return {"course.md": "course", "glossary.md": "glossary"}.get(name, "lesson")


# --- entry points ----------------------------------------------------------------------------

def sync_files(root: Path, resolve: str | None = None) -> SyncReport:
    """Import the files under root as revisions, then rebuild the site from the stored sources."""
    if resolve not in (None, THEIRS, OURS):
        raise ValueError(f"resolve must be None, {THEIRS!r} or {OURS!r}")
    if not any((Path(root) / area).is_dir() for area in ("lessons", "quizzes")):
        # a wrong content folder must not look like every file was deleted
        problem = Problem(Path(root).as_posix(), 1, "no lessons/ or quizzes/ folder: nothing imported or retired")
        return run_sync(lambda states: ([], []), [problem])
    files, unreadable = read_tree(root)
    unreadable_paths = {p.path for p in unreadable}
    media, unreadable_media = read_media_tree(root)  # bytes, kept apart from the Markdown texts
    unreadable_media_paths = {p.path for p in unreadable_media}
    return run_sync(lambda states: plan_file_import(states, files, unreadable_paths, resolve),
                    [*unreadable, *unreadable_media],
                    media_plan=lambda states: plan_media_import(states, media, unreadable_media_paths, resolve))


def rebuild() -> SyncReport:
    """Rebuild the rendered tables from the sources in the database alone."""
    return run_sync(lambda states: ([], []))


def run_sync(plan, extra_problems: list[Problem] = (), media_plan=None) -> SyncReport:
    """Read the stored sources, plan the document (and media) changes, build the site, then write once."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        states = read_states()
        stored_media = read_media_states()
        changes, conflicts = plan(states)
        media_changes, media_conflicts, media_problems = media_plan(stored_media) if media_plan else ([], [], [])
        build = build_site(sources_after(states, changes), hashes_after(stored_media, media_changes))
        problems = sorted([*extra_problems, *media_problems, *build.problems], key=lambda p: (p.path, p.line))
        report = SyncReport(problems=problems, conflicts=[*conflicts, *media_conflicts])
        try:
            write(changes, build, report, media_changes)
            return report
        except StaleContent:
            if attempt == MAX_ATTEMPTS:
                raise
            logger.info("content changed while syncing; reading it again")
    raise AssertionError("unreachable")


NOT_WRITTEN = "not written: a symbolic link or a path outside the content folder"


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def export_files(root: Path, record_synced: bool = True) -> ExportReport:
    """Write the current revision of every live document under root, byte for byte."""
    report = ExportReport()
    states = read_states()
    real_root = root.resolve()
    exported: dict[str, DocumentState] = {}
    for path, state in sorted(states.items()):
        if state.retired:
            continue
        target = root / path
        if not safe_layout_path(path) or target.is_symlink() \
                or not target.parent.resolve().is_relative_to(real_root):
            report.problems.append(Problem(path, 1, NOT_WRITTEN))
            continue
        _write_if_changed(report, path, target, state.source.encode("utf-8"))
        exported[path] = state
    exported_media = export_media(root, real_root, report)
    if record_synced and (exported or exported_media):
        lock_for_writing()
        for document in db.session.scalars(select(ContentDocument).where(ContentDocument.path.in_(exported))):
            state = exported[document.path]
            if document.current_number == state.current_number:  # not saved again meanwhile
                document.synced_number, document.synced_hash = state.current_number, state.source_hash
        for media in db.session.scalars(select(MediaFile).where(MediaFile.path.in_(exported_media))):
            if media.sha256 == exported_media[media.path]:
                media.synced_sha256 = media.stored_sha256_at_sync = media.sha256
        db.session.commit()
    else:
        db.session.rollback()
    return report


def export_media(root: Path, real_root: Path, report: ExportReport) -> dict[str, str]:
    """Write every stored image to lessons/<course>/media/<name>, byte for byte: {path: sha256}."""
    exported: dict[str, str] = {}
    for path, data, sha256 in db.session.execute(select(MediaFile.path, MediaFile.data, MediaFile.sha256)
                                                 .order_by(MediaFile.path)):
        target = root / path
        if not is_media_path(path) or target.is_symlink() or target.parent.is_symlink() \
                or not target.parent.parent.resolve().is_relative_to(real_root):
            report.problems.append(Problem(path, 1, NOT_WRITTEN))
            continue
        _write_if_changed(report, path, target, data)
        exported[path] = sha256
    db.session.rollback()  # end the read before the write transaction
    return exported


def _write_if_changed(report: ExportReport, path: str, target: Path, data: bytes) -> None:
    """Write `data` to `target` unless the file holds exactly these bytes already; report which."""
    if target.is_file() and target.read_bytes() == data:
        report.unchanged.append(path)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        report.written.append(path)


@dataclass
class SaveResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    number: int | None = None  # the revision number the document now has
    report: SyncReport | None = None


def safe_layout_path(path: str) -> bool:
    """lessons|quizzes/<folder>/<name>.md with no hidden, empty or parent parts."""
    parts = path.split("/")
    return (len(parts) == 3 and parts[0] in ("lessons", "quizzes") and parts[2].endswith(".md")
            and all(part and not part.startswith(".") for part in parts))


def check_path(path: str, states: dict[str, DocumentState]) -> Problem | None:
    if path in states and safe_layout_path(path):
        return None  # an existing document keeps the name its file had
    if not PATH_PATTERN.match(path):
        return Problem(path, 1, "a content path is lessons/<course>/<name>.md or quizzes/<course>/<name>.md "
                                "(a-z, 0-9 and hyphens)")
    return None


def save_revision(path: str, text: str, *, author_id: int | None, message: str, origin: str) -> SaveResult:
    """Store `text` as the next revision of `path` if the whole site still checks with it."""
    if origin not in REVISION_ORIGINS:
        raise ValueError(f"origin must be one of {REVISION_ORIGINS}")
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return SaveResult(False, [Problem(path, 1, f"text is too large (over {MAX_FILE_BYTES} bytes)")])
    if "\x00" in text:
        return SaveResult(False, [Problem(path, 1, "text contains a NUL character")])
    for attempt in range(1, MAX_ATTEMPTS + 1):
        states = read_states()
        problem = check_path(path, states)
        if problem is not None:
            return SaveResult(False, [problem])
        state = states.get(path)
        if state is not None and not state.retired and state.source == text:
            return SaveResult(True, [], state.current_number)  # nothing changed: no empty revision
        before = live_sources(states)
        media = hashes_after(read_media_states(), [])
        build = build_site({**before, path: text}, media)
        problems = new_problems(build, before, path, media)
        if problems:
            return SaveResult(False, problems)
        change = DocumentChange(path, state.current_number if state else None, text, origin=origin,
                                message=message, author_id=author_id, retired=False)
        report = SyncReport(problems=build.problems)
        try:
            write([change], build, report)
        except StaleContent:
            if attempt == MAX_ATTEMPTS:
                return SaveResult(False, [Problem(path, 1, "someone else saved this at the same time; try again")])
            continue
        return SaveResult(True, [], (state.current_number if state else 0) + 1, report)
    raise AssertionError("unreachable")


def new_problems(build: SiteBuild, before: dict[str, str], path: str,
                 media: dict[str, str] | None = None) -> list[Problem]:
    """Problems of the saved file, and problems it causes elsewhere (not those already there)."""
    own = [p for p in build.problems if p.path == path]
    elsewhere = [p for p in build.problems if p.path != path]
    if elsewhere:
        existing = set(build_site(before, media).problems)
        elsewhere = [p for p in elsewhere if p not in existing]
    return own + elsewhere


def restore(path: str, number: int, author_id: int | None) -> SaveResult:
    """Save revision `number` of `path` again, as a new revision."""
    old = revision(path, number)
    if old is None:
        return SaveResult(False, [Problem(path, 1, f"there is no revision {number}")])
    return save_revision(path, old.source, author_id=author_id, message=f"restored revision {number}",
                         origin="restore")


def course_documents(course_slug: str) -> list[ContentDocument]:
    """The live documents of one course (course file, glossary, lessons, quizzes), by path."""
    return list(db.session.scalars(select(ContentDocument).where(
        ContentDocument.course_slug == course_slug, ContentDocument.retired.is_(False)).order_by(ContentDocument.path)))


def compare(path: str, old_number: int, new_number: int) -> list[str] | None:
    """A unified diff of two revisions of a document (None if either does not exist)."""
    old, new = revision(path, old_number), revision(path, new_number)
    if old is None or new is None:
        return None
    return list(difflib.unified_diff(old.source.splitlines(), new.source.splitlines(),
                                     f"{path} (revision {old_number})", f"{path} (revision {new_number})",
                                     lineterm=""))


def revisions(path: str) -> list[ContentRevision]:
    """Every revision of a document, newest first (empty for an unknown path)."""
    return list(db.session.scalars(select(ContentRevision).join(ContentDocument)
                                   .where(ContentDocument.path == path).order_by(ContentRevision.number.desc())))


def revision(path: str, number: int) -> ContentRevision | None:
    return db.session.scalar(select(ContentRevision).join(ContentDocument)
                             .where(ContentDocument.path == path, ContentRevision.number == number))
