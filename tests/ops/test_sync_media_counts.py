"""`flask content sync` says how many images it added, changed and removed, after the counts it
always printed (scripts that read those keep working), on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree
from tests.unit.test_media import SVG, png, svg

from ..conftest import make_app

_databases = itertools.count(1)

OLD_SUMMARY = "revisions +0; courses +0 ~0 -0; lessons +0 ~0 =1 -0; questions +0 versions +0 retired 0"


@pytest.fixture(params=["sqlite", "postgresql"])
def media_app(request, tmp_path, tmp_path_factory):
    """An app on an empty database whose content has one lesson and three images (synced once)."""
    root = write_tree(tmp_path / "content", {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1), "quizzes/demo/01-a.md": quiz(1)})
    (root / "lessons/demo/media").mkdir()
    (root / "lessons/demo/media/piramide.svg").write_bytes(SVG)
    (root / "lessons/demo/media/oud.svg").write_bytes(svg(b'<rect width="1" height="1"/>'))
    (root / "lessons/demo/media/foto.png").write_bytes(png())
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"sync_media_{next(_databases)}")
    app = make_app(tmp_path_factory, url, CONTENT_ROOT=root)
    app.content_root = root
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sync(app):
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_sync_that_changes_no_image_says_media_plus_zero(media_app):
    assert f"{OLD_SUMMARY}; media +0 ~0 -0" in sync(media_app)


def test_sync_counts_images_added_changed_and_removed(media_app):
    media = media_app.content_root / "lessons/demo/media"
    (media / "nieuw.png").write_bytes(png(size=(2, 2)))
    (media / "piramide.svg").write_bytes(SVG.replace(b"Klant", b"Klanten"))
    (media / "oud.svg").unlink()
    assert f"{OLD_SUMMARY}; media +1 ~1 -1" in sync(media_app)
    assert f"{OLD_SUMMARY}; media +0 ~0 -0" in sync(media_app)  # idempotent


def test_a_refused_image_is_not_counted(media_app):
    (media_app.content_root / "lessons/demo/media/kapot.png").write_bytes(b"\x89PNG not really")
    output = sync(media_app)
    assert "media +0 ~0 -0" in output
    assert "skipped: lessons/demo/media/kapot.png:1:" in output
