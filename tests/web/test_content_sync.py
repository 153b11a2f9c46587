"""`flask content sync` and `flask content check`: idempotent, versioned, nothing lost, nothing aborts.

Each test gets an app on an empty database (SQLite and PostgreSQL) whose content root is a small
tree (`content_app` of the web tests' conftest): course `demo` with a glossary and two lessons, each
with a one-question quiz."""

import shutil
import threading
import time

from sqlalchemy import event, func, select, update

from app.content import site
from app.extensions import db
from app.models import (
    Course,
    FinalQuizItem,
    LearningGoal,
    Lesson,
    Question,
    QuestionVersion,
    Response,
    Screen,
)
from app.services.attempts import answer_checkpoint
from tests.support import login
from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz

from ..conftest import PASSWORD, new_user
from .helpers import sync


def table_counts(app):
    with app.app_context():
        return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Lesson, Screen, Question, QuestionVersion)}


def answer_first_checkpoint(app, lesson_slug: str = "demo-l1") -> tuple[int, int]:
    """A student answers the lesson's first checkpoint ('Waar', right). Returns (question id, version id)."""
    user_id, _name = new_user(app)
    with app.app_context():
        screen = db.session.scalar(select(Screen).join(Lesson).where(Lesson.slug == lesson_slug,
                                                                     Screen.kind == "question"))
        question = db.session.get(Question, screen.question_id)
        version_id = question.current_version_id
        answer_checkpoint(user_id, screen, version_id, {0})
        return question.id, version_id


def test_a_second_sync_changes_nothing(content_app):
    before = table_counts(content_app)
    result = sync(content_app)
    assert result.exit_code == 0
    assert "revisions +0; courses +0 ~0 -0; lessons +0 ~0 =2 -0; questions +0 versions +0 retired 0" in result.output
    assert table_counts(content_app) == before
    assert before == {"lessons": 2, "screens": 4, "questions": 2, "question_versions": 2}  # a slide + a checkpoint each


def test_glossary_links_are_rendered_at_sync_time(content_app):
    with content_app.app_context():
        html = db.session.scalar(select(Screen.body_html).join(Lesson).where(Lesson.slug == "demo-l1",
                                                                              Screen.position == 1))
    assert 'href="/courses/demo/glossary#term-retentie"' in html


def test_editing_a_key_creates_a_new_version_and_graded_answers_keep_theirs(content_app):
    question_id, old_version_id = answer_first_checkpoint(content_app)
    path = content_app.content_root / "quizzes/demo/01-a.md"
    path.write_text(path.read_text().replace("- [x] Waar", "- [ ] Waar").replace("- [ ] Niet waar", "- [x] Niet waar"))
    result = sync(content_app)
    assert "versions +1" in result.output
    with content_app.app_context():
        question = db.session.get(Question, question_id)
        assert question.current_version.number == 2 and question.current_version.correct_indexes == {1}
        response = db.session.scalar(select(Response).where(Response.question_id == question.id))
        assert (response.question_version_id, response.score) == (old_version_id, 1.0)
    assert "versions +0" in sync(content_app).output


def test_a_removed_question_is_retired_with_its_history(content_app):
    question_id, _ = answer_first_checkpoint(content_app)
    root = content_app.content_root
    (root / "lessons/demo/01-a.md").write_text(lesson(1, link="[[retentie]]"))
    (root / "quizzes/demo/01-a.md").write_text(
        quiz(1).replace("final: [demo-l1-q01]", "final: [demo-l1-q02]").replace("## demo-l1-q01", "## demo-l1-q02"))
    result = sync(content_app)
    assert "retired 1" in result.output
    with content_app.app_context():
        old = db.session.get(Question, question_id)
        assert old.retired is True
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.question_id == old.id)) == 1


def test_a_broken_file_is_reported_and_skipped_and_its_lesson_stays_online(content_app):
    root = content_app.content_root
    (root / "quizzes/demo/02-b.md").write_text(quiz(2).replace("- [x] Waar", "- [ ] Waar"))
    result = sync(content_app)
    assert result.exit_code == 0
    assert "skipped: quizzes/demo/02-b.md:6: demo-l2-q01: no correct answer" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Lesson.retired).where(Lesson.slug == "demo-l2")) is False
    check = content_app.test_cli_runner().invoke(args=["content", "check"])
    assert check.exit_code == 1 and "quizzes/demo/02-b.md:6: demo-l2-q01: no correct answer" in check.output


def test_a_deleted_lesson_file_is_retired_and_its_pages_are_gone(content_app):
    root = content_app.content_root
    (root / "lessons/demo/02-b.md").unlink()
    (root / "quizzes/demo/02-b.md").unlink()
    assert "-1; questions" in sync(content_app).output
    client = content_app.test_client()
    _user_id, name = new_user(content_app)
    assert login(client, name, PASSWORD).status_code == 303
    assert client.get("/lessons/demo-l2/").status_code == 404
    assert client.get("/lessons/demo-l1/").status_code == 200


def test_content_check_passes_a_clean_tree_and_can_check_one_file(content_app):
    runner = content_app.test_cli_runner()
    ok = runner.invoke(args=["content", "check"])
    assert ok.exit_code == 0 and "Content OK: 2 lesson(s) checked." in ok.output
    one = runner.invoke(args=["content", "check", str(content_app.content_root / "lessons/demo/01-a.md")])
    assert one.exit_code == 0 and "Content OK." in one.output


# --- nothing is written while anything renders ---------------------------------------------

def test_sync_renders_every_lesson_before_its_first_write(content_app, monkeypatch):
    events: list[str] = []
    real_render = site.render_lesson

    def recording_render(lesson_source, *args, **kwargs):
        events.append(f"render {lesson_source.id}")
        return real_render(lesson_source, *args, **kwargs)

    def record_write(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            events.append("write")

    monkeypatch.setattr(site, "render_lesson", recording_render)
    for name in ("01-a", "02-b"):  # both lessons change, so both are written
        path = content_app.content_root / f"lessons/demo/{name}.md"
        path.write_text(path.read_text().replace("Tekst", "Andere tekst"))
    with content_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record_write)
    try:
        assert "lessons +0 ~2 =0" in sync(content_app).output
    finally:
        event.remove(engine, "before_cursor_execute", record_write)
    assert events[:2] == ["render demo-l1", "render demo-l2"]
    assert "write" in events and "render" not in " ".join(events[2:])


def test_the_site_keeps_writing_while_sync_renders_a_slow_file(content_app, monkeypatch):
    """During a slow render the database is not locked: another writer finishes at once."""
    rendering, release = threading.Event(), threading.Event()
    real_render = site.render_lesson

    def slow_render(lesson_source, *args, **kwargs):
        if lesson_source.id == "demo-l2":
            rendering.set()
            release.wait(10)
        return real_render(lesson_source, *args, **kwargs)

    monkeypatch.setattr(site, "render_lesson", slow_render)
    path = content_app.content_root / "lessons/demo/02-b.md"
    path.write_text(path.read_text().replace("Tekst", "Nieuwe tekst"))
    outcome = {}

    def run_sync():
        outcome["output"] = sync(content_app).output

    worker = threading.Thread(target=run_sync)
    worker.start()
    try:
        assert rendering.wait(10), "sync never reached the slow lesson"
        started = time.monotonic()
        with content_app.app_context():  # a write on another connection, committed at once
            db.session.execute(update(Course).where(Course.slug == "demo").values(level="MBO 4"))
            db.session.commit()
        elapsed = time.monotonic() - started
    finally:
        release.set()
        worker.join(20)
    assert elapsed < 1.0  # SQLite's busy timeout is 5 s: a held write lock would show
    assert "lessons +0 ~1 =1" in outcome["output"]


# --- one file never aborts the sync ----------------------------------------------------------

def test_a_wrong_content_folder_retires_nothing(content_app, tmp_path):
    content_app.config["CONTENT_ROOT"] = tmp_path / "empty"
    result = sync(content_app)
    assert result.exit_code == 0
    assert "no lessons/ or quizzes/ folder: nothing imported or retired" in result.output
    assert "courses +0 ~0 -0; lessons +0 ~0 =2 -0" in result.output


def test_an_unreadable_course_folder_retires_none_of_its_files(content_app):
    folder = content_app.content_root / "quizzes/demo"
    shutil.rmtree(folder)
    folder.symlink_to(content_app.content_root.parent / "elsewhere")  # a broken link: cannot be read
    result = sync(content_app)
    assert "skipped: quizzes/demo:1: " in result.output
    assert "lessons +0 ~0 =2 -0; questions +0 versions +0 retired 0" in result.output


def test_a_folder_named_like_a_file_and_a_broken_link_are_problems_and_the_rest_still_syncs(content_app):
    root = content_app.content_root
    (root / "lessons/demo/x.md").mkdir()
    (root / "quizzes/demo/gone.md").symlink_to(root / "nowhere.md")
    path = root / "lessons/demo/02-b.md"
    path.write_text(path.read_text().replace("# Les 2", "# Les twee"))
    result = sync(content_app)
    assert result.exit_code == 0
    assert "skipped: lessons/demo/x.md:1: " in result.output
    assert "skipped: quizzes/demo/gone.md:1: " in result.output
    assert "lessons +0 ~1 =1 -0" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Screen.title).join(Lesson).where(Lesson.slug == "demo-l2",
                                                                         Screen.position == 1)) == "Les twee"


MOVED_QUESTION = ("\n## demo-l1-q01\ntype: truefalse\ngoals: demo-l2-g1\n\nKlopt dit?\n\n"
                  "- [x] Waar\n  > Juist.\n- [ ] Niet waar\n  > Nee.\n")


def test_a_question_moved_to_another_lessons_quiz_keeps_its_identity_and_history(content_app):
    question_id, first_version_id = answer_first_checkpoint(content_app)
    root = content_app.content_root
    (root / "lessons/demo/01-a.md").write_text(lesson(1, link="[[retentie]]"))  # no checkpoint any more
    (root / "quizzes/demo/01-a.md").unlink()
    (root / "quizzes/demo/02-b.md").write_text(
        quiz(2).replace("final: [demo-l2-q01]", "final: [demo-l2-q01, demo-l1-q01]") + MOVED_QUESTION)
    result = sync(content_app)
    assert result.exit_code == 0 and "skipped" not in result.output
    assert "questions +0 versions +1 retired 0" in result.output  # new goal, so a new version
    with content_app.app_context():
        question = db.session.get(Question, question_id)
        lesson_two = db.session.scalar(select(Lesson).where(Lesson.slug == "demo-l2"))
        assert (question.lesson_id, question.retired) == (lesson_two.id, False)
        assert question.current_version.number == 2
        assert [g.slug for g in question.current_version.goals] == ["demo-l2-g1"]
        response = db.session.scalar(select(Response).where(Response.question_id == question_id))
        assert response.question_version_id == first_version_id
        final = db.session.scalars(select(Question.slug).join(FinalQuizItem, FinalQuizItem.question_id == Question.id)
                                   .where(FinalQuizItem.lesson_id == lesson_two.id)
                                   .order_by(FinalQuizItem.position)).all()
        assert final == ["demo-l2-q01", "demo-l1-q01"]


def test_a_database_refusal_costs_only_its_own_lesson(content_app, monkeypatch):
    """A UNIQUE violation while storing one lesson is rolled back to that lesson's savepoint and
    reported; the other lesson is still stored and nothing escapes."""
    from app.services import content_sync

    real_sync_goals = content_sync.sync_goals

    def colliding_sync_goals(lesson_row, built, goals):
        if built.source.id == "demo-l2":  # a second goal row with lesson 1's goal slug
            db.session.add(LearningGoal(slug="demo-l1-g1", lesson_id=lesson_row.id, text="x", position=9))
            db.session.flush()
        return real_sync_goals(lesson_row, built, goals)

    monkeypatch.setattr(content_sync, "sync_goals", colliding_sync_goals)
    for name in ("01-a", "02-b"):
        path = content_app.content_root / f"lessons/demo/{name}.md"
        path.write_text(path.read_text().replace("Tekst", "Nieuwe tekst"))
    result = sync(content_app)
    assert result.exit_code == 0
    assert "skipped: lessons/demo/02-b.md:1: lesson could not be stored" in result.output
    assert "lessons +0 ~1 =0 -0" in result.output
    with content_app.app_context():
        bodies = dict(db.session.execute(select(Lesson.slug, Screen.body_html).join(Screen)
                                         .where(Screen.position == 1)).all())
        assert "Nieuwe tekst" in bodies["demo-l1"] and "Nieuwe tekst" not in bodies["demo-l2"]
        assert db.session.scalar(select(func.count()).select_from(LearningGoal)) == 2


def test_a_deleted_course_leaves_the_catalogue_with_its_lessons_and_a_restored_file_brings_it_back(content_app):
    root = content_app.content_root
    (root / "lessons/demo/course.md").unlink()
    result = sync(content_app)
    assert "courses +0 ~0 -1; lessons +0 ~0 =0 -2; questions +0 versions +0 retired 2" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Course.retired).where(Course.slug == "demo")) is True
        assert db.session.scalars(select(Lesson.retired)).all() == [True, True]
    assert "Demo" not in content_app.test_client().get("/").get_data(as_text=True)
    (root / "lessons/demo/course.md").write_text(COURSE)
    result = sync(content_app)
    assert "courses +0 ~1 -0; lessons +0 ~2 =0 -0" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Course.retired).where(Course.slug == "demo")) is False
        assert db.session.scalars(select(Lesson.retired)).all() == [False, False]
        assert db.session.scalars(select(Question.retired)).all() == [False, False]
    assert "Demo" in content_app.test_client().get("/").get_data(as_text=True)


def test_a_broken_course_file_keeps_the_course_and_its_lessons_online(content_app):
    (content_app.content_root / "lessons/demo/course.md").write_text(COURSE.replace("language: nl", "language: 42"))
    result = sync(content_app)
    assert "skipped: lessons/demo/course.md:4: " in result.output
    assert "courses +0 ~0 -0; lessons +0 ~0 =0 -0; questions +0 versions +0 retired 0" in result.output
    with content_app.app_context():
        assert db.session.scalar(select(Course.retired).where(Course.slug == "demo")) is False
        assert db.session.scalars(select(Lesson.retired)).all() == [False, False]


def test_a_glossary_problem_points_at_the_line_of_its_term(content_app):
    path = content_app.content_root / "lessons/demo/glossary.md"
    # lines 1-7 are the fixture's glossary; the new term is on line 8
    path.write_text(GLOSSARY + "klantwaarde\n: " + "[" * 300 + "\n")
    result = sync(content_app)
    assert "skipped: lessons/demo/glossary.md:8: " in result.output
    assert result.exit_code == 0


def test_a_lesson_whose_file_breaks_stays_online_even_without_a_source_path(content_app):
    """Retirement looks at the lesson's document, not at `source_path` (editor-made lessons have none)."""
    with content_app.app_context():
        db.session.execute(update(Lesson).values(source_path=""))
        db.session.commit()
    root = content_app.content_root
    (root / "lessons/demo/02-b.md").write_text(lesson(2, "demo-l2-q01").replace("minutes: 5", "minutes: lang"))
    result = sync(content_app)
    assert "-0; questions" in result.output and "skipped: lessons/demo/02-b.md" in result.output
    (root / "lessons/demo/02-b.md").unlink()
    (root / "quizzes/demo/02-b.md").unlink()
    assert "lessons +0 ~0 =1 -1" in sync(content_app).output


def test_a_lesson_position_is_the_number_of_its_file_name_else_its_place_in_the_folder(content_app):
    root = content_app.content_root
    (root / "lessons/demo/intro.md").write_text(lesson(3))
    (root / "lessons/demo/07-c.md").write_text(lesson(4))
    sync(content_app)
    with content_app.app_context():
        positions = dict(db.session.execute(select(Lesson.slug, Lesson.position)).all())
    # folder order: 01-a, 02-b, 07-c, intro -> intro is the 4th file and has no number
    assert positions == {"demo-l1": 1, "demo-l2": 2, "demo-l3": 4, "demo-l4": 7}
