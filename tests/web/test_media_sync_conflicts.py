"""Sync's conflicts for images (SQLite and PostgreSQL): a PNG, JPEG or WebP is re-encoded when it
is stored, so its stored hash never equals its file's. Changing or deleting the file of a synced
image is taken in quietly; only an upload in the browser since the last sync makes a conflict.

`flask content sync` is run as an operator runs it; the conflicts are on its error output."""

from __future__ import annotations

import io

import pytest
from flask_migrate import downgrade, upgrade
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import MediaFile
from app.services import content_store
from app.services import media as media_service
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree
from tests.unit.test_media import SVG, jpeg, png

from ..conftest import new_user
from ..support import ROOT


def webp(size=(6, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 160, 60)).save(out, "WEBP")
    return out.getvalue()


MEDIA = "lessons/demo/media"
FILES = {"foto.png": png(), "scan.jpg": jpeg(), "beeld.webp": webp(), "piramide.svg": SVG}
NEW_FILES = {"foto.png": png(size=(2, 2)), "scan.jpg": jpeg(size=(4, 4)), "beeld.webp": webp(size=(3, 3))}
RASTER = sorted(NEW_FILES)


@pytest.fixture()
def media_app(app_on_content, tmp_path):
    """An app (SQLite and PostgreSQL) on a course whose media folder holds three raster images and
    an SVG, synced once."""
    root = write_tree(tmp_path / "content", {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1), "quizzes/demo/01-a.md": quiz(1)})
    (root / MEDIA).mkdir()
    for name, data in FILES.items():
        (root / MEDIA / name).write_bytes(data)
    return app_on_content(root)


def sync(app, *options: str):
    """`flask content sync [options]`: (stdout, stderr); it never fails on a conflict."""
    result = app.test_cli_runner().invoke(args=["content", "sync", *options])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def stored(app) -> dict[str, MediaFile]:
    """name -> the stored row (detached, loaded)."""
    with app.app_context():
        rows = list(db.session.scalars(select(MediaFile)))
        db.session.expunge_all()
    return {row.path.rsplit("/", 1)[1]: row for row in rows}


def size_of(row: MediaFile) -> tuple[int, int]:
    return Image.open(io.BytesIO(row.data)).size


def upload(app, name: str, data: bytes) -> None:
    """A teacher uploads an image on the lesson editor page."""
    author_id, _ = new_user(app, "teacher")
    with app.app_context():
        result = media_service.upload("demo", name, data, author_id=author_id)
    assert result.ok and result.name == name, result.message


def test_a_synced_raster_image_is_stored_re_encoded_so_its_hashes_differ(media_app):
    rows = stored(media_app)
    for name in RASTER:  # what made every replaced raster file look like a conflict
        assert rows[name].sha256 != rows[name].synced_sha256
        assert rows[name].stored_sha256_at_sync == rows[name].sha256
    assert rows["piramide.svg"].sha256 == rows["piramide.svg"].synced_sha256 == rows[
        "piramide.svg"].stored_sha256_at_sync


@pytest.mark.parametrize("name", RASTER)
def test_a_replaced_raster_file_is_taken_in_without_a_conflict(media_app, name):
    (media_app.content_root / MEDIA / name).write_bytes(NEW_FILES[name])
    out, err = sync(media_app)
    assert "conflict" not in out + err and "media +0 ~1 -0" in out
    assert size_of(stored(media_app)[name]) == Image.open(io.BytesIO(NEW_FILES[name])).size
    out, err = sync(media_app)
    assert "media +0 ~0 -0" in out and err == ""  # the new file is now the synced one


@pytest.mark.parametrize("name", RASTER)
def test_a_deleted_raster_file_deletes_the_image_without_a_conflict(media_app, name):
    (media_app.content_root / MEDIA / name).unlink()
    out, err = sync(media_app)
    assert "conflict" not in out + err and "media +0 ~0 -1" in out
    assert name not in stored(media_app)


def test_a_raster_file_replaced_twice_is_taken_in_both_times(media_app):
    path = media_app.content_root / MEDIA / "foto.png"
    for size in ((2, 2), (5, 5)):
        path.write_bytes(png(size=size))
        out, err = sync(media_app)
        assert "conflict" not in out + err and size_of(stored(media_app)["foto.png"]) == size


def test_after_an_export_a_replaced_raster_file_is_taken_in_without_a_conflict(media_app):
    with media_app.app_context():
        report = content_store.export_files(media_app.content_root)
    assert f"{MEDIA}/foto.png" in report.written  # the re-encoded image replaced the original file
    out, err = sync(media_app)
    assert "media +0 ~0 -0" in out and err == ""
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(2, 2)))
    out, err = sync(media_app)
    assert "conflict" not in out + err and size_of(stored(media_app)["foto.png"]) == (2, 2)


def test_an_upload_and_a_changed_file_are_a_conflict_until_the_file_is_taken(media_app):
    upload(media_app, "foto.png", png(size=(7, 7)))
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(2, 2)))
    out, err = sync(media_app)
    assert f"{MEDIA}/foto.png:1: conflict: the file and the uploaded image both changed" in err
    assert "1 conflict(s)" in out and size_of(stored(media_app)["foto.png"]) == (7, 7)  # left as it is
    out, err = sync(media_app, "--theirs")
    assert "conflict" not in out + err and size_of(stored(media_app)["foto.png"]) == (2, 2)
    out, err = sync(media_app)
    assert "media +0 ~0 -0" in out and err == ""


def test_ours_keeps_the_upload_until_it_is_exported_and_then_the_file_counts_again(media_app):
    upload(media_app, "foto.png", png(size=(7, 7)))
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(2, 2)))
    out, err = sync(media_app, "--ours")
    assert "conflict" not in out + err and size_of(stored(media_app)["foto.png"]) == (7, 7)
    out, err = sync(media_app)  # the same file again: nothing new on disk, the upload stays
    assert "media +0 ~0 -0" in out and err == "" and size_of(stored(media_app)["foto.png"]) == (7, 7)
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(3, 3)))
    _, err = sync(media_app)  # the upload is still not in any file: a new file change conflicts
    assert "conflict" in err and size_of(stored(media_app)["foto.png"]) == (7, 7)
    with media_app.app_context():
        content_store.export_files(media_app.content_root)
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(4, 4)))
    out, err = sync(media_app)
    assert "conflict" not in out + err and size_of(stored(media_app)["foto.png"]) == (4, 4)


def test_an_upload_and_a_deleted_file_are_a_conflict_resolved_either_way(media_app):
    upload(media_app, "foto.png", png(size=(7, 7)))
    upload(media_app, "scan.jpg", jpeg(size=(9, 9)))
    (media_app.content_root / MEDIA / "foto.png").unlink()
    (media_app.content_root / MEDIA / "scan.jpg").unlink()
    _, err = sync(media_app)
    assert f"{MEDIA}/foto.png:1: conflict: the file was deleted but the image was uploaded" in err
    assert f"{MEDIA}/scan.jpg:1: conflict" in err and {"foto.png", "scan.jpg"} <= set(stored(media_app))
    out, err = sync(media_app, "--ours")
    kept = stored(media_app)
    assert "conflict" not in out + err and size_of(kept["foto.png"]) == (7, 7)
    assert kept["foto.png"].synced_sha256 is None  # now an upload never exported: a sync keeps it
    out, err = sync(media_app)
    assert "media +0 ~0 -0" in out and err == "" and {"foto.png", "scan.jpg"} <= set(stored(media_app))


def test_theirs_deletes_an_uploaded_image_whose_file_was_deleted(media_app):
    upload(media_app, "foto.png", png(size=(7, 7)))
    (media_app.content_root / MEDIA / "foto.png").unlink()
    out, err = sync(media_app, "--theirs")
    assert "conflict" not in out + err and "foto.png" not in stored(media_app)


def test_the_upgrade_from_a10_keeps_synced_images_conflict_free_and_uploads_in_conflict(media_app):
    """The database as a10 left it (the same hashes, no stored_sha256_at_sync), then upgraded."""
    upload(media_app, "scan.jpg", jpeg(size=(9, 9)))  # a teacher's upload over a synced image
    with media_app.app_context():
        db.session.remove()
        downgrade(directory=str(ROOT / "migrations"), revision="a10_course_updated_at")
        upgrade(directory=str(ROOT / "migrations"))
    rows = stored(media_app)
    assert rows["foto.png"].stored_sha256_at_sync == rows["foto.png"].sha256  # last written by a sync
    assert rows["piramide.svg"].stored_sha256_at_sync == rows["piramide.svg"].synced_sha256
    assert rows["scan.jpg"].stored_sha256_at_sync == rows["scan.jpg"].synced_sha256 != rows["scan.jpg"].sha256
    (media_app.content_root / MEDIA / "foto.png").write_bytes(png(size=(2, 2)))
    (media_app.content_root / MEDIA / "beeld.webp").unlink()
    (media_app.content_root / MEDIA / "piramide.svg").write_bytes(SVG.replace(b"Klant", b"Klanten"))
    (media_app.content_root / MEDIA / "scan.jpg").write_bytes(jpeg(size=(4, 4)))
    out, err = sync(media_app)
    rows = stored(media_app)
    assert [line for line in err.splitlines() if "conflict" in line] == [
        f"{MEDIA}/scan.jpg:1: conflict: the file and the uploaded image both changed since the last sync; "
        "left as it is (use --theirs to take the file or --ours to keep the upload)"]
    assert size_of(rows["foto.png"]) == (2, 2) and "beeld.webp" not in rows
    assert rows["piramide.svg"].data == SVG.replace(b"Klant", b"Klanten")
    assert size_of(rows["scan.jpg"]) == (9, 9)
