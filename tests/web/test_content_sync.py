"""`flask content sync` and `flask content check`: idempotent, versioned, nothing lost."""

import itertools

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Lesson, Question, QuestionVersion, Response, Screen
from app.services import accounts
from app.services.attempts import answer_checkpoint
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree

from ..conftest import make_app

_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def content_app(request, tmp_path, tmp_path_factory):
    """An app on an empty database whose content root is a small tree in tmp_path."""
    root = write_tree(tmp_path / "content", {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01", "[[retentie]]"), "quizzes/demo/01-a.md": quiz(1),
        "lessons/demo/02-b.md": lesson(2, "demo-l2-q01"), "quizzes/demo/02-b.md": quiz(2)})
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"sync_{next(_databases)}")
    app = make_app(tmp_path_factory, url, CONTENT_ROOT=root)
    app.content_root = root
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sync(app, *args):
    return app.test_cli_runner().invoke(args=["content", "sync", *args])


def table_counts(app):
    with app.app_context():
        return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Lesson, Screen, Question, QuestionVersion)}


def test_a_second_sync_changes_nothing(content_app):
    before = table_counts(content_app)
    result = sync(content_app)
    assert result.exit_code == 0
    assert "lessons +0 ~0 =2 -0; questions +0 versions +0 retired 0" in result.output
    assert table_counts(content_app) == before
    assert before["lessons"] == 2 and before["question_versions"] == 2


def test_glossary_links_are_rendered_at_sync_time(content_app):
    with content_app.app_context():
        html = db.session.scalar(select(Screen.body_html).join(Lesson).where(Lesson.slug == "demo-l1",
                                                                              Screen.position == 1))
    assert 'href="/courses/demo/glossary#term-retentie"' in html


def test_editing_a_key_creates_a_new_version_and_graded_answers_keep_theirs(content_app):
    root = content_app.content_root
    with content_app.app_context():
        user = accounts.register("versioned", "V", "correct horse battery")
        screen = db.session.scalar(select(Screen).join(Lesson).where(Lesson.slug == "demo-l1", Screen.kind == "question"))
        question = db.session.get(Question, screen.question_id)
        old_version_id = question.current_version_id
        answer_checkpoint(user.id, screen, old_version_id, {0})  # "Waar", right under version 1
    path = root / "quizzes/demo/01-a.md"
    path.write_text(path.read_text().replace("- [x] Waar", "- [ ] Waar").replace("- [ ] Niet waar", "- [x] Niet waar"))
    result = sync(content_app)
    assert "versions +1" in result.output
    with content_app.app_context():
        question = db.session.scalar(select(Question).where(Question.slug == "demo-l1-q01"))
        assert question.current_version.number == 2 and question.current_version.correct_indexes == {1}
        response = db.session.scalar(select(Response).where(Response.question_id == question.id))
        assert (response.question_version_id, response.score) == (old_version_id, 1.0)
    assert "versions +0" in sync(content_app).output


def test_a_removed_question_is_retired_with_its_history(content_app):
    root = content_app.content_root
    with content_app.app_context():
        user = accounts.register("retiree", "R", "correct horse battery")
        screen = db.session.scalar(select(Screen).join(Lesson).where(Lesson.slug == "demo-l1", Screen.kind == "question"))
        answer_checkpoint(user.id, screen, db.session.get(Question, screen.question_id).current_version_id, {0})
    (root / "lessons/demo/01-a.md").write_text(lesson(1, link="[[retentie]]"))
    (root / "quizzes/demo/01-a.md").write_text(
        quiz(1).replace("final: [demo-l1-q01]", "final: [demo-l1-q02]").replace("## demo-l1-q01", "## demo-l1-q02"))
    result = sync(content_app)
    assert "retired 1" in result.output
    with content_app.app_context():
        old = db.session.scalar(select(Question).where(Question.slug == "demo-l1-q01"))
        assert old.retired is True
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.question_id == old.id)) == 1


def test_a_broken_file_is_reported_and_skipped_and_its_lesson_stays_online(content_app):
    root = content_app.content_root
    (root / "quizzes/demo/02-b.md").write_text(quiz(2).replace("- [x] Waar", "- [ ] Waar"))
    result = sync(content_app)
    assert "skipped: quizzes/demo/02-b.md:6: demo-l2-q01: no correct answer" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Lesson.retired).where(Lesson.slug == "demo-l2")) is False
    check = content_app.test_cli_runner().invoke(args=["content", "check"])
    assert check.exit_code == 1 and "quizzes/demo/02-b.md:6: demo-l2-q01: no correct answer" in check.output


def test_a_deleted_lesson_file_is_retired_and_its_pages_are_gone(content_app):
    root = content_app.content_root
    (root / "lessons/demo/02-b.md").unlink()
    (root / "quizzes/demo/02-b.md").unlink()
    assert "-1;" in sync(content_app).output
    client = content_app.test_client()
    with content_app.app_context():
        accounts.register("reader", "R", "correct horse battery")
    from tests.support import login

    login(client, "reader", "correct horse battery")
    assert client.get("/lessons/demo-l2/").status_code == 404
    assert client.get("/lessons/demo-l1/").status_code == 200


def test_content_check_passes_a_clean_tree_and_can_check_one_file(content_app):
    runner = content_app.test_cli_runner()
    ok = runner.invoke(args=["content", "check"])
    assert ok.exit_code == 0 and "Content OK: 2 lesson(s) checked." in ok.output
    one = runner.invoke(args=["content", "check", str(content_app.content_root / "lessons/demo/01-a.md")])
    assert one.exit_code == 0 and "Content OK." in one.output
