"""The database holds the source of every content file as revisions; files go in with
`flask content sync` and out with `flask content export`; editors save through `save_revision`."""

import shutil
import threading

import pytest
from sqlalchemy import func, select, update

from app.content import render, site
from app.extensions import db
from app.models import ContentDocument, ContentRevision, Lesson, Question, QuestionVersion, Screen
from app.services import content_store
from tests.support import ROOT
from tests.unit.test_loader import lesson, quiz

from ..conftest import new_user
from .helpers import sync

DEMO_FILES = ("lessons/demo/01-a.md", "lessons/demo/02-b.md", "lessons/demo/course.md",
              "lessons/demo/glossary.md", "quizzes/demo/01-a.md", "quizzes/demo/02-b.md")


def documents(app) -> dict[str, tuple[int, int | None, bool]]:
    """path -> (current revision, revision last synced with the file, retired)"""
    with app.app_context():
        return {d.path: (d.current_number, d.synced_number, d.retired)
                for d in db.session.scalars(select(ContentDocument))}


def current_source(app, path: str) -> str:
    with app.app_context():
        return db.session.scalar(select(ContentRevision.source).join(ContentDocument).where(
            ContentDocument.path == path, ContentRevision.number == ContentDocument.current_number))


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ContentRevision))


def slide_title(app, lesson_slug: str = "demo-l1") -> str:
    with app.app_context():
        return db.session.scalar(select(Screen.title).join(Lesson).where(Lesson.slug == lesson_slug,
                                                                         Screen.position == 1))


def save(app, path: str, text: str, **kwargs):
    with app.app_context():
        return content_store.save_revision(path, text, author_id=kwargs.get("author_id"),
                                           message=kwargs.get("message", "edit"), origin="editor")


# --- files in ----------------------------------------------------------------------------------

def test_sync_stores_every_file_as_its_first_revision_and_an_unchanged_file_adds_nothing(content_app):
    assert documents(content_app) == {path: (1, 1, False) for path in DEMO_FILES}
    with content_app.app_context():
        first = db.session.scalar(select(ContentRevision).join(ContentDocument)
                                  .where(ContentDocument.path == "quizzes/demo/01-a.md"))
        assert (first.number, first.origin, first.author_id, first.source) == (1, "file", None, quiz(1))
        assert first.source_hash == content_store.source_hash(quiz(1))
        lesson_row = db.session.scalar(select(Lesson).where(Lesson.slug == "demo-l1"))
        assert db.session.get(ContentRevision, lesson_row.revision_id).source == lesson(1, "demo-l1-q01", "[[retentie]]")
        assert db.session.get(ContentRevision, lesson_row.quiz_revision_id).source == quiz(1)
    assert "revisions +0;" in sync(content_app).output
    assert revision_count(content_app) == 6


def test_a_changed_file_becomes_a_new_revision_that_the_lesson_is_built_from(content_app):
    path = content_app.content_root / "lessons/demo/01-a.md"
    path.write_text(path.read_text().replace("# Les 1", "# Eerste les"))
    assert "revisions +1;" in sync(content_app).output
    assert documents(content_app)["lessons/demo/01-a.md"] == (2, 2, False)
    assert slide_title(content_app) == "Eerste les"
    with content_app.app_context():
        lesson_row = db.session.scalar(select(Lesson).where(Lesson.slug == "demo-l1"))
        built_from = db.session.get(ContentRevision, lesson_row.revision_id)
        assert (built_from.number, built_from.document.path) == (2, "lessons/demo/01-a.md")


def test_the_site_is_rebuilt_from_the_sources_in_the_database_without_any_file(content_app):
    with content_app.app_context():
        db.session.execute(update(Lesson).values(content_hash="stale"))
        db.session.execute(Screen.__table__.delete())
        db.session.commit()
    shutil.rmtree(content_app.content_root)
    with content_app.app_context():
        report = content_store.rebuild()
    assert (report.lessons_updated, report.revisions_created, report.problems) == (2, 0, [])
    assert slide_title(content_app) == "Les 1"
    assert documents(content_app)["lessons/demo/01-a.md"] == (1, 1, False)  # a missing folder deletes nothing


def test_a_question_version_is_hashed_from_its_source_and_stores_its_own_block(content_app):
    with content_app.app_context():
        version = db.session.scalar(select(QuestionVersion).join(Question, Question.id == QuestionVersion.question_id)
                                    .where(Question.slug == "demo-l1-q01"))
        assert version.markdown == ("## demo-l1-q01\ntype: truefalse\ngoals: demo-l1-g1\n\nKlopt dit?\n\n"
                                    "- [x] Waar\n  > Juist.\n- [ ] Niet waar\n  > Nee.\n")


def test_a_renderer_upgrade_refreshes_html_without_new_question_versions(content_app, monkeypatch):
    real_inline = render.render_inline
    monkeypatch.setattr(render, "render_inline",
                        lambda text, *media: real_inline(text, *media).replace("Waar", "<b>Waar</b>"))
    monkeypatch.setattr(site, "RENDERER_VERSION", site.RENDERER_VERSION + 1)
    with content_app.app_context():
        ids_before = db.session.scalars(select(QuestionVersion.id).order_by(QuestionVersion.id)).all()
    result = sync(content_app)
    assert "lessons +0 ~2 =0 -0; questions +0 versions +0" in result.output
    with content_app.app_context():
        versions = db.session.scalars(select(QuestionVersion).order_by(QuestionVersion.id)).all()
        assert [v.id for v in versions] == ids_before
        assert [v.options[0]["html"] for v in versions] == ["<b>Waar</b>", "<b>Waar</b>"]


def test_a_version_stored_before_sources_were_kept_adopts_its_source_instead_of_a_new_version(content_app):
    """Versions made by the older sync have no markdown and an HTML hash: the first sync after the
    upgrade fills in their source once when they show exactly the same question."""
    with content_app.app_context():
        db.session.execute(update(QuestionVersion).values(markdown="", content_hash="hash-of-the-html"))
        db.session.commit()
    with content_app.app_context():
        db.session.execute(update(Lesson).values(content_hash="stale"))  # make sync look at the questions
        db.session.commit()
    assert "questions +0 versions +0" in sync(content_app).output
    with content_app.app_context():
        versions = db.session.scalars(select(QuestionVersion).order_by(QuestionVersion.id)).all()
        assert [(v.number, v.markdown.splitlines()[0]) for v in versions] == [(1, "## demo-l1-q01"), (1, "## demo-l2-q01")]
        assert all(v.content_hash != "hash-of-the-html" for v in versions)


def test_a_changed_rationale_makes_a_new_version_and_the_old_one_keeps_its_own(content_app):
    path = content_app.content_root / "quizzes/demo/01-a.md"
    path.write_text(quiz(1).replace("goals: demo-l1-g1\n", "goals: demo-l1-g1\nrationale: Omdat het klopt.\n"))
    assert "versions +1" in sync(content_app).output
    with content_app.app_context():
        versions = db.session.scalars(select(QuestionVersion).join(Question, Question.id == QuestionVersion.question_id)
                                      .where(Question.slug == "demo-l1-q01").order_by(QuestionVersion.number)).all()
        assert [(v.number, v.rationale) for v in versions] == [(1, ""), (2, "Omdat het klopt.")]
        assert "rationale: Omdat het klopt." not in versions[0].markdown


# --- conflicts ---------------------------------------------------------------------------------

EDITED_IN_BROWSER = lesson(1, "demo-l1-q01", "[[retentie]]").replace("# Les 1", "# Uit de browser")
EDITED_ON_DISK = lesson(1, "demo-l1-q01", "[[retentie]]").replace("# Les 1", "# Uit het bestand")


def edit_in_browser_and_on_disk(app, path: str = "lessons/demo/01-a.md") -> None:
    """The same lesson saved in the browser and changed in its file since the last sync: a conflict."""
    assert save(app, path, EDITED_IN_BROWSER).ok
    (app.content_root / path).write_text(EDITED_ON_DISK)


def test_a_browser_edit_alone_is_kept_by_sync_and_written_out_by_export(content_app):
    assert save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER).ok
    result = sync(content_app)
    assert "revisions +0;" in result.output and "conflict" not in result.output
    assert slide_title(content_app) == "Uit de browser"
    export = content_app.test_cli_runner().invoke(args=["content", "export"])
    assert "written 1, unchanged 5" in export.output
    assert (content_app.content_root / "lessons/demo/01-a.md").read_text() == EDITED_IN_BROWSER
    assert documents(content_app)["lessons/demo/01-a.md"] == (2, 2, False)
    assert "revisions +0;" in sync(content_app).output


def test_a_file_and_a_browser_edit_since_the_last_sync_are_a_conflict_left_alone(content_app):
    edit_in_browser_and_on_disk(content_app)
    result = sync(content_app)
    assert result.exit_code == 0
    assert ("lessons/demo/01-a.md:1: conflict: the file and the database (revision 2) both changed since the "
            "last sync") in result.output
    assert "revisions +0;" in result.output and "1 conflict(s)" in result.output
    assert slide_title(content_app) == "Uit de browser"
    assert documents(content_app)["lessons/demo/01-a.md"] == (2, 1, False)


def test_theirs_resolves_a_conflict_with_the_file(content_app):
    edit_in_browser_and_on_disk(content_app)
    result = sync(content_app, "--theirs")
    assert "revisions +1;" in result.output and "conflict" not in result.output
    assert slide_title(content_app) == "Uit het bestand"
    assert documents(content_app)["lessons/demo/01-a.md"] == (3, 3, False)
    assert current_source(content_app, "lessons/demo/01-a.md") == EDITED_ON_DISK


def test_ours_resolves_a_conflict_with_the_database_and_export_then_writes_it(content_app):
    edit_in_browser_and_on_disk(content_app)
    result = sync(content_app, "--ours")
    assert "revisions +0;" in result.output and "conflict" not in result.output
    assert slide_title(content_app) == "Uit de browser"
    assert "conflict" not in sync(content_app).output  # resolved for good, not asked again
    content_app.test_cli_runner().invoke(args=["content", "export"])
    assert (content_app.content_root / "lessons/demo/01-a.md").read_text() == EDITED_IN_BROWSER


def test_a_deleted_file_whose_document_changed_in_the_browser_is_a_conflict(content_app):
    assert save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER).ok
    (content_app.content_root / "lessons/demo/01-a.md").unlink()
    result = sync(content_app)
    assert "lessons/demo/01-a.md:1: conflict: the file was deleted but the database changed it" in result.output
    assert "-0; questions" in result.output
    assert "lessons +0 ~0 =1 -1" in sync(content_app, "--theirs").output


# --- save_revision, history and restore --------------------------------------------------------

def test_save_revision_stores_the_text_and_rebuilds_the_lesson_at_once(content_app):
    author_id, _ = new_user(content_app, "teacher")
    result = save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER, author_id=author_id, message="Nieuwe titel")
    assert (result.ok, result.problems, result.number) == (True, [], 2)
    assert slide_title(content_app) == "Uit de browser"
    with content_app.app_context():
        newest = content_store.revisions("lessons/demo/01-a.md")[0]
        assert (newest.number, newest.author_id, newest.message, newest.origin) == (2, author_id, "Nieuwe titel", "editor")


def test_save_revision_refuses_a_broken_text_with_its_line_and_writes_nothing(content_app):
    before = (revision_count(content_app), documents(content_app), slide_title(content_app))
    broken = quiz(1).replace("- [x] Waar", "- [ ] Waar")
    result = save(content_app, "quizzes/demo/01-a.md", broken)
    assert not result.ok
    # the quiz's own problem, then what it would break elsewhere: lesson 1's checkpoint (line 18)
    assert [str(p) for p in result.problems] == [
        "quizzes/demo/01-a.md:6: demo-l1-q01: no correct answer (mark one option '- [x]')",
        "lessons/demo/01-a.md:18: checkpoint names unknown question 'demo-l1-q01' (no quiz file has 'lesson: demo-l1')"]
    assert (revision_count(content_app), documents(content_app), slide_title(content_app)) == before


def test_save_revision_refuses_a_text_that_breaks_another_file(content_app):
    renamed = quiz(1).replace("demo-l1-q01", "demo-l1-q09")  # lesson 1's checkpoint names demo-l1-q01
    result = save(content_app, "quizzes/demo/01-a.md", renamed)
    assert not result.ok
    assert [p.path for p in result.problems] == ["lessons/demo/01-a.md"]
    assert "checkpoint names unknown question 'demo-l1-q01'" in result.problems[0].message
    assert revision_count(content_app) == 6


@pytest.mark.parametrize("path", ["../secret.md", "lessons/demo/../../x.md", "lessons/Demo/a.md", "other/demo/a.md",
                                  "lessons/demo/a.txt"])
def test_save_revision_refuses_a_path_outside_the_content_layout(content_app, path):
    result = save(content_app, path, lesson(1))
    assert not result.ok and result.problems[0].path == path
    assert revision_count(content_app) == 6


def test_two_editors_saving_at_the_same_moment_both_get_their_own_revision(content_app, monkeypatch):
    texts = [lesson(1, "demo-l1-q01", "[[retentie]]").replace("# Les 1", f"# Versie {n}") for n in (1, 2)]
    barrier, read_barrier, results, writes, first_reads = threading.Barrier(2), threading.Barrier(2), {}, [], set()
    real_read_states, real_apply_changes = content_store.read_states, content_store.apply_changes

    def read_states_together():  # both editors have read revision 1 before either writes
        states = real_read_states()
        if threading.current_thread().name not in first_reads:
            first_reads.add(threading.current_thread().name)
            read_barrier.wait(10)
        return states

    def recording_apply_changes(changes, report):
        writes.append(changes[0].expected_number)
        return real_apply_changes(changes, report)

    monkeypatch.setattr(content_store, "read_states", read_states_together)
    monkeypatch.setattr(content_store, "apply_changes", recording_apply_changes)

    def editor(n):
        barrier.wait()
        results[n] = save(content_app, "lessons/demo/01-a.md", texts[n - 1])

    threads = [threading.Thread(target=editor, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted((r.ok, r.number) for r in results.values()) == [(True, 2), (True, 3)]
    assert sorted(writes) == [1, 1, 2]  # the later one found revision 2, read again and saved 3
    last = next(n for n, r in results.items() if r.number == 3)
    assert slide_title(content_app) == f"Versie {last}"
    with content_app.app_context():
        sources = [r.source for r in content_store.revisions("lessons/demo/01-a.md")][:2]
    assert sorted(sources) == sorted(texts)


def test_saving_the_same_text_again_makes_no_empty_revision(content_app):
    result = save(content_app, "quizzes/demo/01-a.md", quiz(1))
    assert (result.ok, result.number) == (True, 1)
    assert revision_count(content_app) == 6


def test_restore_saves_an_old_revision_again_as_a_new_one(content_app):
    assert save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER).ok
    with content_app.app_context():
        result = content_store.restore("lessons/demo/01-a.md", 1, author_id=None)
        assert (result.ok, result.number) == (True, 3)
        history = [(r.number, r.origin, r.message) for r in content_store.revisions("lessons/demo/01-a.md")]
        assert history == [(3, "restore", "restored revision 1"), (2, "editor", "edit"), (1, "file", "from file")]
        assert content_store.revision("lessons/demo/01-a.md", 3).source == content_store.revision(
            "lessons/demo/01-a.md", 1).source
        assert not content_store.restore("lessons/demo/01-a.md", 9, author_id=None).ok
    assert slide_title(content_app) == "Les 1"


def test_compare_shows_two_revisions_as_a_unified_diff(content_app):
    assert save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER).ok
    with content_app.app_context():
        diff = content_store.compare("lessons/demo/01-a.md", 1, 2)
        assert content_store.compare("lessons/demo/01-a.md", 1, 7) is None
    # the title is line 12 of the lesson file; three lines of context on either side
    assert diff == ["--- lessons/demo/01-a.md (revision 1)", "+++ lessons/demo/01-a.md (revision 2)",
                    "@@ -9,7 +9,7 @@", "     text: Doel.", " ---", " ", "-# Les 1", "+# Uit de browser", " ",
                    " Tekst [[retentie]]", " "]


def test_course_documents_lists_a_courses_live_documents_by_path(content_app):
    (content_app.content_root / "quizzes/demo/02-b.md").unlink()
    (content_app.content_root / "lessons/demo/02-b.md").write_text(lesson(2))
    sync(content_app)
    with content_app.app_context():
        listed = [(d.path, d.kind) for d in content_store.course_documents("demo")]
    assert listed == [("lessons/demo/01-a.md", "lesson"), ("lessons/demo/02-b.md", "lesson"),
                      ("lessons/demo/course.md", "course"), ("lessons/demo/glossary.md", "glossary"),
                      ("quizzes/demo/01-a.md", "quiz")]


def test_a_synced_file_with_any_safe_name_can_be_saved_again(content_app):
    (content_app.content_root / "lessons/demo/Extra_Les.md").write_text(lesson(3))
    sync(content_app)
    result = save(content_app, "lessons/demo/Extra_Les.md", lesson(3).replace("# Les 3", "# Extra"))
    assert (result.ok, result.number) == (True, 2)
    assert slide_title(content_app, "demo-l3") == "Extra"


def test_export_never_writes_through_a_symbolic_link(content_app, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("not content\n")
    assert save(content_app, "lessons/demo/01-a.md", EDITED_IN_BROWSER).ok
    target = content_app.content_root / "lessons/demo/01-a.md"
    target.unlink()
    target.symlink_to(outside)
    result = content_app.test_cli_runner().invoke(args=["content", "export"])
    assert "skipped: lessons/demo/01-a.md:1: not written: a symbolic link" in result.output
    assert "written 0, unchanged 5" in result.output
    assert outside.read_text() == "not content\n"


def test_a_new_lesson_saved_in_the_browser_is_built_and_never_retired_for_having_no_file(content_app):
    text = lesson(3)
    assert save(content_app, "lessons/demo/03-c.md", text).ok
    assert slide_title(content_app, "demo-l3") == "Les 3"
    result = sync(content_app)
    assert "lessons +0 ~0 =3 -0" in result.output
    assert documents(content_app)["lessons/demo/03-c.md"] == (1, None, False)


# --- the shipped courses ---------------------------------------------------------------------

@pytest.fixture()
def shipped_app(app_on_content, tmp_path):
    """An app whose content root is a copy of the shipped lessons and quizzes (SQLite and PostgreSQL)."""
    root = tmp_path / "content"
    for area in ("lessons", "quizzes"):
        shutil.copytree(ROOT / area, root / area)
    return app_on_content(root)


def test_export_of_the_shipped_courses_is_byte_identical_to_the_repository(shipped_app, tmp_path):
    out = tmp_path / "export"
    result = shipped_app.test_cli_runner().invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0
    exported = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    shipped = sorted(p.relative_to(ROOT).as_posix() for area in ("lessons", "quizzes") for p in (ROOT / area).rglob("*.md"))
    assert exported == shipped and len(shipped) == 22
    media = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "lessons").glob("*/media/*"))
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("lessons/*/media/*")) == media and media
    for path in shipped + media:  # the figures too, byte for byte
        assert (out / path).read_bytes() == (ROOT / path).read_bytes(), path
    # an export elsewhere is not the content folder: nothing is recorded as synced by it
    assert f"written {len(shipped) + len(media)}, unchanged 0" in result.output


def test_export_then_sync_of_every_shipped_lesson_changes_nothing(shipped_app):
    runner = shipped_app.test_cli_runner()
    before = revision_count(shipped_app)
    export = runner.invoke(args=["content", "export"])
    media = len(list((ROOT / "lessons").glob("*/media/*")))
    assert f"written 0, unchanged {22 + media}" in export.output
    result = sync(shipped_app)
    assert "revisions +0; courses +0 ~0 -0; lessons +0 ~0 =8 -0; questions +0 versions +0 retired 0" in result.output
    assert revision_count(shipped_app) == before == 22
