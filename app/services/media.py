"""Images of the lessons, stored in the database (`MediaFile`).

They come in three ways, all judged by `app/content/media.py` first:
- `flask content sync` takes in `lessons/<course>/media/*` (`plan_media_import`, called by
  `content_store.sync_files` inside its one write transaction);
- a teacher uploads one on the lesson editor page (`upload`);
- and they go out, byte for byte, with `flask content export` (`content_store.export_files`).
The lessons are rebuilt in the same transaction, so an image's new hash reaches every page URL.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sqlalchemy import select

from ..content.media import (
    NAME_PATTERN,
    CleanMedia,
    MediaError,
    check_media_files,
    clean_media,
    media_path,
    media_url,
    name_for,
    sha256_of,
)
from ..content.model import Problem
from ..extensions import db
from ..models import MediaFile, utcnow


@dataclass(frozen=True)
class MediaState:
    path: str
    sha256: str
    synced_sha256: str | None  # the file's hash at the last sync or export
    stored_sha256_at_sync: str | None  # the stored image's hash then (a raster file is re-encoded)

    @property
    def changed_since_sync(self) -> bool:
        """The stored image changed (an upload) since the last sync or export; False if it was
        never in a file."""
        return self.synced_sha256 is not None and self.sha256 != self.stored_sha256_at_sync


@dataclass
class MediaChange:
    path: str
    clean: CleanMedia | None = None  # store these bytes
    delete: bool = False
    synced: str | None = None  # "file": the file holds what is stored; "hash": only remember the
    #                            file's hash (the stored image stays ahead); "gone": the file was deleted
    file_sha256: str | None = None
    stored_sha256: str | None = None  # synced "file" without new bytes: the stored hash the file matched
    author_id: int | None = None


def media_states() -> dict[str, MediaState]:
    """Every stored media file's hashes (not its bytes)."""
    rows = db.session.execute(select(MediaFile.path, MediaFile.sha256, MediaFile.synced_sha256,
                                     MediaFile.stored_sha256_at_sync))
    return {row.path: MediaState(*row) for row in rows}


@dataclass(frozen=True)
class MediaCounts:
    added: int
    changed: int
    removed: int


def count_media_changes(before: dict[str, MediaState], after: dict[str, MediaState]) -> MediaCounts:
    """How the stored images differ between two readings of `media_states()` (for sync's summary;
    a change of the synced hash alone is not a change of the image)."""
    return MediaCounts(added=len(after.keys() - before.keys()),
                       changed=sum(1 for path in after.keys() & before.keys()
                                   if after[path].sha256 != before[path].sha256),
                       removed=len(before.keys() - after.keys()))


def hashes_after(states: dict[str, MediaState], changes: list[MediaChange]) -> dict[str, str]:
    """{media path: sha256} the lessons will be built against."""
    hashes = {path: state.sha256 for path, state in states.items()}
    for change in changes:
        if change.delete:
            hashes.pop(change.path, None)
        elif change.clean is not None:
            hashes[change.path] = change.clean.sha256
    return hashes


def plan_media_import(states: dict[str, MediaState], files: dict[str, bytes], unreadable: set[str],
                      resolve: str | None) -> tuple[list[MediaChange], list[Problem], list[Problem]]:
    """What sync must change so the database takes in the media files: (changes, conflicts, problems).

    A file is judged (and a raster image re-encoded) only when it differs from what was stored or
    last synced, so export -> sync changes nothing. A file deleted since the last sync deletes the
    stored image; an image uploaded and never exported stays. "Changed on disk" compares the file
    with the file hash of the last sync; "changed in the database" compares the stored image with
    what was stored at that sync (`MediaState.changed_since_sync`), never the file's hash with the
    stored one, which differ for every re-encoded raster image."""
    changes: list[MediaChange] = []
    conflicts: list[Problem] = []
    changed: dict[str, bytes] = {}
    for path, data in sorted(files.items()):
        state, file_sha = states.get(path), sha256_of(data)
        if state is not None and file_sha in (state.sha256, state.synced_sha256):
            if state.synced_sha256 != file_sha:  # the file now holds exactly the stored bytes
                changes.append(MediaChange(path, synced="file", file_sha256=file_sha, stored_sha256=state.sha256))
            continue
        db_changed = state is not None and state.changed_since_sync
        if db_changed and resolve is None:
            conflicts.append(Problem(path, 1, "conflict: the file and the uploaded image both changed since the "
                                              "last sync; left as it is (use --theirs to take the file or --ours "
                                              "to keep the upload)"))
        elif db_changed and resolve == "ours":
            changes.append(MediaChange(path, synced="hash", file_sha256=file_sha))
        else:
            changed[path] = data
    clean, problems = check_media_files(changed)
    for path, media in clean.items():
        changes.append(MediaChange(path, media, synced="file", file_sha256=sha256_of(changed[path])))
    folders = tuple(p.rstrip("/") + "/" for p in unreadable)
    for path, state in sorted(states.items()):
        if path in files or path in unreadable or path.startswith(folders) or state.synced_sha256 is None:
            continue  # still there, unreadable, or never in a file (an upload not yet exported)
        if state.changed_since_sync and resolve != "theirs":
            if resolve is None:
                conflicts.append(Problem(path, 1, "conflict: the file was deleted but the image was uploaded "
                                                  "again since; left as it is (use --theirs to delete it or "
                                                  "--ours to keep it)"))
            else:
                changes.append(MediaChange(path, synced="gone"))
            continue
        changes.append(MediaChange(path, delete=True))
    return changes, conflicts, problems


def apply_media_changes(changes: list[MediaChange]) -> int:
    """Write the planned changes (flush, no commit); how many images were stored or deleted."""
    if not changes:
        return 0
    rows = {m.path: m for m in db.session.scalars(
        select(MediaFile).where(MediaFile.path.in_([c.path for c in changes])))}
    count = 0
    for change in changes:
        row = rows.get(change.path)
        if change.delete:
            if row is not None:
                db.session.delete(row)
                count += 1
            continue
        if change.clean is not None:
            if row is None:
                row = MediaFile(path=change.path, course_slug=PurePosixPath(change.path).parts[1],
                                synced_sha256=None, stored_sha256_at_sync=None, created_at=utcnow())
                db.session.add(row)
            clean = change.clean
            row.data, row.sha256, row.size = clean.data, clean.sha256, len(clean.data)
            row.content_type, row.width, row.height = clean.content_type, clean.width, clean.height
            row.author_id, row.updated_at = change.author_id, utcnow()
            count += 1
        if row is None:
            continue
        if change.synced == "file":
            row.synced_sha256 = change.file_sha256
            row.stored_sha256_at_sync = change.clean.sha256 if change.clean is not None else change.stored_sha256
        elif change.synced == "hash":  # --ours: the stored image stays changed since the sync
            row.synced_sha256 = change.file_sha256
        elif change.synced == "gone":
            row.synced_sha256 = row.stored_sha256_at_sync = None
    db.session.flush()
    return count


# --- reading ---------------------------------------------------------------------------------

def media_file(course_folder: str, name: str) -> MediaFile | None:
    return db.session.scalar(select(MediaFile).where(MediaFile.path == media_path(course_folder, name)))


def course_media(course_folder: str) -> list[MediaFile]:
    """The images of one course folder, by name (bytes not loaded until used)."""
    return list(db.session.scalars(select(MediaFile).where(MediaFile.course_slug == course_folder)
                                   .order_by(MediaFile.path)))


def image_urls(course_folder: str) -> dict[str, str]:
    """{'media/<name>': its URL} for the editor's preview, as the renderer gets them at sync."""
    rows = db.session.execute(select(MediaFile.path, MediaFile.sha256).where(MediaFile.course_slug == course_folder))
    return {"media/" + path.rsplit("/", 1)[1]: media_url(path, sha256) for path, sha256 in rows}


# --- uploading -------------------------------------------------------------------------------

BAD_NAME = "bad_name"  # the one refusal that is not about the file's content (see REASONS there)


@dataclass
class UploadResult:
    ok: bool
    message: str = ""  # why not, in English like the content checker's problems (logs, scripts)
    name: str = ""  # the name to write in the lesson: media/<name>
    problems: list[Problem] = field(default_factory=list)
    reason: str = ""  # why not, as a code: a key of content.media.REASONS or BAD_NAME (for the page)
    params: dict[str, str | int] = field(default_factory=dict)


def upload_name(filename: str) -> str:
    """A safe media name from an uploaded file's name: 'Klant Piramide (1).SVG' -> 'klant-piramide-1.svg'."""
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    stem, _, extension = base.rpartition(".")
    stem = re.sub(r"[^a-z0-9]+", "-", stem or extension).strip("-")[:80].strip("-") or "image"
    return f"{stem}.{extension if stem != extension else ''}"


def upload(course_folder: str, filename: str, data: bytes, author_id: int | None) -> UploadResult:
    """Store an uploaded image as lessons/<course_folder>/media/<name> (replacing one of that name),
    then rebuild the lessons so they show it. Judged by its content: a JPEG called .png is stored as
    .jpg. Nothing is written when the file is refused."""
    from .content_store import run_sync  # content_store imports this module for sync

    try:
        clean = clean_media(data)
    except MediaError as exc:
        return UploadResult(False, str(exc), reason=exc.code, params=exc.params)
    name = name_for(upload_name(filename), clean.kind)
    if not NAME_PATTERN.match(name):
        return UploadResult(False, "the file name cannot be used; use letters a-z, digits and '-'", reason=BAD_NAME)
    change = MediaChange(media_path(course_folder, name), clean, author_id=author_id)
    report = run_sync(lambda states: ([], []), media_plan=lambda media: ([change], [], []))
    return UploadResult(True, name=name, problems=report.problems)
