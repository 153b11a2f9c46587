"""Lesson images in the database: synced in and exported out byte for byte, served as data with
long cache headers, uploaded by a course's teachers only (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Lesson, MediaFile, Screen
from app.services import content_store
from app.services import media as media_service
from tests.support import csrf_token
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree
from tests.unit.test_media import SVG, exif_with_gps, jpeg, png

from . import test_teach_quiz_editor as editor

world = editor.world  # two courses, a client per role: owner, editor, stranger, student, admin

FIGURE = '![De klantpiramide](media/piramide.svg "Vier soorten klanten")'
PHOTO = png(exif=exif_with_gps())


@pytest.fixture()
def media_app(app_on_content, tmp_path):
    """An app (SQLite and PostgreSQL) whose one lesson shows a figure; the folder holds a photo too."""
    root = write_tree(tmp_path / "content", {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1) + f"\n---\n\n# Figuur\n\n{FIGURE}\n",
        "quizzes/demo/01-a.md": quiz(1)})
    (root / "lessons/demo/media").mkdir()
    (root / "lessons/demo/media/piramide.svg").write_bytes(SVG)
    (root / "lessons/demo/media/foto.png").write_bytes(PHOTO)
    return app_on_content(root)


def stored(app) -> dict[str, tuple[bytes, str, str | None]]:
    """path -> (bytes, sha256, synced sha256)"""
    with app.app_context():
        db.session.expire_all()
        return {m.path: (m.data, m.sha256, m.synced_sha256) for m in db.session.scalars(select(MediaFile))}


def figure_screen(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Screen.body_html).join(Lesson).where(Lesson.slug == "demo-l1",
                                                                             Screen.title == "Figuur"))


# --- sync and export ---------------------------------------------------------------------------

def test_sync_stores_the_svg_as_it_is_and_the_photo_without_its_metadata(media_app):
    media = stored(media_app)
    assert set(media) == {"lessons/demo/media/piramide.svg", "lessons/demo/media/foto.png"}
    assert media["lessons/demo/media/piramide.svg"][0] == SVG
    photo = media["lessons/demo/media/foto.png"][0]
    assert b"SecretCamera" in PHOTO and b"SecretCamera" not in photo
    assert Image.open(io.BytesIO(photo)).size == (4, 3)


def test_the_lesson_shows_the_figure_with_its_hash_in_the_url(media_app):
    sha = stored(media_app)["lessons/demo/media/piramide.svg"][1]
    assert figure_screen(media_app) == (
        f'<h1>Figuur</h1>\n<figure><a class="figure-link" href="/media/demo/piramide.svg?v={sha[:8]}" '
        f'rel="noopener noreferrer"><img alt="De klantpiramide" src="/media/demo/piramide.svg?v={sha[:8]}"></a>'
        "<figcaption>Vier soorten klanten</figcaption></figure>")


def test_export_then_sync_of_media_is_byte_identical_and_changes_nothing(media_app, tmp_path):
    before = stored(media_app)
    out = tmp_path / "export"
    with media_app.app_context():
        report = content_store.export_files(out)
    assert "lessons/demo/media/piramide.svg" in report.written
    assert (out / "lessons/demo/media/piramide.svg").read_bytes() == SVG  # as it came from git
    assert (out / "lessons/demo/media/foto.png").read_bytes() == before["lessons/demo/media/foto.png"][0]
    with media_app.app_context():
        sync_report = content_store.sync_files(out)
        again = content_store.export_files(out)
    assert sync_report.problems == [] and sync_report.conflicts == [] and sync_report.revisions_created == 0
    after = stored(media_app)
    assert {p: v[:2] for p, v in after.items()} == {p: v[:2] for p, v in before.items()}
    assert again.written == [] and "lessons/demo/media/foto.png" in again.unchanged


def test_a_replaced_image_gets_a_new_url_in_the_lesson(media_app):
    old_url = figure_screen(media_app)
    new_svg = SVG.replace(b"Klant", b"Klanten")
    (media_app.content_root / "lessons/demo/media/piramide.svg").write_bytes(new_svg)
    with media_app.app_context():
        report = content_store.sync_files(media_app.content_root)
    assert report.problems == []
    new_sha = stored(media_app)["lessons/demo/media/piramide.svg"][1]
    assert figure_screen(media_app) != old_url and f"piramide.svg?v={new_sha[:8]}" in figure_screen(media_app)


def test_a_deleted_media_file_is_deleted_and_the_lesson_reports_it_at_its_line(media_app):
    (media_app.content_root / "lessons/demo/media/piramide.svg").unlink()
    with media_app.app_context():
        report = content_store.sync_files(media_app.content_root)
    assert set(stored(media_app)) == {"lessons/demo/media/foto.png"}
    line = (lesson(1) + "\n---\n\n# Figuur\n\n").count("\n") + 1
    assert [(p.path, p.line, p.message) for p in report.problems] == [
        ("lessons/demo/01-a.md", line, "missing media file lessons/demo/media/piramide.svg")]
    assert "<img" not in figure_screen(media_app)


def test_a_refused_media_file_is_a_problem_and_stores_nothing(media_app):
    (media_app.content_root / "lessons/demo/media/kaart.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with media_app.app_context():
        report = content_store.sync_files(media_app.content_root)
    assert [(p.path, p.line) for p in report.problems] == [("lessons/demo/media/kaart.svg", 1)]
    assert "lessons/demo/media/kaart.svg" not in stored(media_app)


def test_content_check_fails_on_a_missing_image_with_its_line(media_app):
    (media_app.content_root / "lessons/demo/media/piramide.svg").unlink()
    result = media_app.test_cli_runner().invoke(args=["content", "check", str(media_app.content_root)])
    line = (lesson(1) + "\n---\n\n# Figuur\n\n").count("\n") + 1
    assert result.exit_code == 1
    assert f"lessons/demo/01-a.md:{line}: missing media file lessons/demo/media/piramide.svg" in result.output


# --- the media route ---------------------------------------------------------------------------

def test_an_svg_is_served_as_data_with_a_strict_csp_and_cached_for_good_with_its_hash(media_app):
    sha = stored(media_app)["lessons/demo/media/piramide.svg"][1]
    response = media_app.test_client().get(f"/media/demo/piramide.svg?v={sha[:8]}")
    assert response.status_code == 200 and response.data == SVG
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{sha}"'


def test_without_the_current_hash_the_image_is_revalidated_by_its_etag(media_app):
    client = media_app.test_client()
    sha = stored(media_app)["lessons/demo/media/foto.png"][1]
    response = client.get("/media/demo/foto.png?v=00000000")
    assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert client.get("/media/demo/foto.png", headers={"If-None-Match": f'"{sha}"'}).status_code == 304


@pytest.mark.parametrize("path", ["/media/demo/weg.svg", "/media/other/piramide.svg", "/media/demo/..%2Fcourse.md",
                                  "/media/demo/PIRAMIDE.SVG", "/media/Demo/piramide.svg"])
def test_an_unknown_or_odd_media_path_is_404(media_app, path):
    assert media_app.test_client().get(path).status_code == 404


# --- uploading ---------------------------------------------------------------------------------

UPLOAD = "/teach/lessons/demo-l1/media"


def upload(client, data: bytes, filename: str):
    return client.post(UPLOAD, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/teach/"), "image": (io.BytesIO(data), filename)})


def media_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MediaFile))


def test_students_cannot_upload_and_another_teacher_gets_404(world):
    before = media_count(world)
    student = world.clients["student"]
    response = student.post(UPLOAD, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(student, "/"), "image": (io.BytesIO(png()), "x.png")})
    assert response.status_code == 403
    assert upload(world.clients["stranger"], png(), "x.png").status_code == 404
    assert media_count(world) == before


def test_the_owner_uploads_a_photo_which_is_stored_clean_and_listed_in_the_editor(world):
    response = upload(world.clients["owner"], PHOTO, "Klas Foto.PNG")
    assert response.status_code == 303 and response.headers["Location"].endswith("/teach/lessons/demo-l1/edit#media")
    media = stored(world)["lessons/demo/media/klas-foto.png"]
    assert b"SecretCamera" not in media[0] and media[2] is None  # never in a file yet
    page = world.clients["owner"].get("/teach/lessons/demo-l1/edit").get_data(as_text=True)
    assert "Image stored as media/klas-foto.png." in page
    assert f'href="/media/demo/klas-foto.png?v={media[1][:8]}"' in page


def test_a_jpeg_uploaded_as_png_is_stored_under_its_real_type(world):
    assert upload(world.clients["editor"], jpeg(), "scan.png").status_code == 303
    with world.app_context():
        row = db.session.scalar(select(MediaFile).where(MediaFile.path == "lessons/demo/media/scan.jpg"))
        assert row is not None and row.content_type == "image/jpeg"


def test_a_refused_upload_says_why_and_stores_nothing(world):
    before = media_count(world)
    response = upload(world.clients["owner"], b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                      "logo.svg")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The image was not stored: the SVG has an event handler (onload on &lt;svg&gt;)" in page
    assert media_count(world) == before


def test_an_upload_without_a_file_or_too_large_is_refused(world):
    owner = world.clients["owner"]
    no_file = owner.post(UPLOAD, data={"csrf_token": csrf_token(owner, "/teach/")})
    assert no_file.status_code == 400 and "Choose an image file to upload." in no_file.get_data(as_text=True)
    token = csrf_token(owner, "/teach/")
    body = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n--B\r\n'
            'Content-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode() + b"\x89PNG" + bytes(2_100_000) + b"\r\n--B--\r\n"  # built by hand: the client would
    too_large = owner.post(UPLOAD, data=body, content_type="multipart/form-data; boundary=B")  # spool it to a file
    assert too_large.status_code == 413


def test_an_uploaded_figure_makes_a_saved_lesson_show_it(world):
    assert upload(world.clients["owner"], SVG, "cirkel.svg").status_code == 303
    with world.app_context():
        source = editor.authoring.current_source(editor.LESSON_PATH)
        result = content_store.save_revision(editor.LESSON_PATH, source + '\n---\n\n![Cirkel](media/cirkel.svg "De cirkel")\n',
                                             author_id=None, message="figuur", origin="editor")
        assert result.ok, result.problems
        missing = content_store.save_revision(editor.LESSON_PATH, source + "\n---\n\n![Weg](media/weg.svg)\n",
                                              author_id=None, message="figuur", origin="editor")
    assert not missing.ok and [p.message for p in missing.problems] == ["missing media file lessons/demo/media/weg.svg"]


def test_an_uploaded_image_not_yet_exported_survives_a_sync(media_app):
    with media_app.app_context():
        result = media_service.upload("demo", "schema.svg", SVG, author_id=None)
        assert result.ok and result.name == "schema.svg"
        content_store.sync_files(media_app.content_root)
    assert "lessons/demo/media/schema.svg" in stored(media_app)


def test_a_file_and_an_upload_that_both_changed_are_a_conflict_until_resolved(media_app):
    uploaded, from_file = SVG.replace(b"Klant", b"Upload"), SVG.replace(b"Klant", b"Bestand")
    with media_app.app_context():
        assert media_service.upload("demo", "piramide.svg", uploaded, author_id=None).ok
    (media_app.content_root / "lessons/demo/media/piramide.svg").write_bytes(from_file)
    with media_app.app_context():
        report = content_store.sync_files(media_app.content_root)
    assert [(c.path, c.line) for c in report.conflicts] == [("lessons/demo/media/piramide.svg", 1)]
    assert stored(media_app)["lessons/demo/media/piramide.svg"][0] == uploaded  # left as it is
    with media_app.app_context():
        content_store.sync_files(media_app.content_root, resolve="theirs")
    assert stored(media_app)["lessons/demo/media/piramide.svg"][0] == from_file


def test_the_editor_preview_shows_the_courses_images(world):
    assert upload(world.clients["owner"], SVG, "ster.svg").status_code == 303
    sha = stored(world)["lessons/demo/media/ster.svg"][1]
    with world.app_context():
        source = editor.authoring.current_source(editor.LESSON_PATH)
    page = editor.post(world.clients["owner"], "/teach/lessons/demo-l1/edit", {
        "source": source.replace("# Les 1\n", '# Les 1\n\n![Een ster](media/ster.svg "De ster")\n'),
        "slide": "1", "action": "preview"}).get_data(as_text=True)
    preview = page[page.index('class="lesson-preview"'):]
    assert (f'<img alt="Een ster" src="/media/demo/ster.svg?v={sha[:8]}"></a><figcaption>De ster</figcaption>'
            "</figure>") in preview
