"""`flask quiz import|export`: the exact JSON contract, exit codes, and imports stored as quiz-bank revisions.

One app per backend (its own database, the real courses); each test that stores questions uses
a lesson of its own, so the tests do not depend on each other's imports."""

import itertools
import json

import pytest
from sqlalchemy import select

from app.content.quizzes import parse_quiz
from app.extensions import db
from app.models import ContentDocument, ContentRevision, Question, QuestionVersion
from app.services import content_store

from ..conftest import make_app

_databases = itertools.count(1)

GIFT = """// two good questions, one essay and one bad weight
::Loyal:: Wat doet een loyale klant?{
  =Hij komt terug.#Juist.
  ~Hij koopt één keer.#Nee.
}

Een klacht is altijd slecht nieuws.{F#Nee, een klacht is ook een kans.#Juist.}

Beschrijf je favoriete winkel.{}

Kies de juiste.{~%33%a ~%67%b ~c}
"""
EXPECTED_JSON = {
    "questions": [{"line": 2, "type": "single", "title": "Loyal", "options": 2},
                  {"line": 7, "type": "truefalse", "title": "", "options": 2}],
    "skipped": [{"line": 9, "reason": "essay (empty answers {}): Lesmark has no essay questions"}],
    "errors": [{"line": 11, "message": "answer weight 33% is not one of Moodle's grades; the nearest is 33.33333%"}],
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def quiz_app(request, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"quiz_cli_{next(_databases)}")
    app = make_app(tmp_path_factory, url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def upload(tmp_path):
    def write(text: str | bytes, name: str = "bank.txt"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)
    return write


def run(app, *args):
    return app.test_cli_runner().invoke(args=["quiz", *args])


def revision_count(app, path: str) -> int:
    with app.app_context():
        return len(content_store.revisions(path))


def test_dry_run_json_prints_exactly_the_contract_and_exits_1_on_errors(quiz_app, upload):
    path = "quizzes/nl-klantrelaties/01-relatiemarketing.md"
    before = revision_count(quiz_app, path)
    result = run(quiz_app, "import", upload(GIFT), "--format", "gift", "--course", "nl-klantrelaties",
                 "--lesson", "nl-l1", "--dry-run", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == EXPECTED_JSON
    assert result.stdout.count("\n") == 1  # one JSON object on one line
    assert revision_count(quiz_app, path) == before


def test_dry_run_without_lesson_checks_the_file_and_exits_0_without_errors(quiz_app, upload):
    result = run(quiz_app, "import", upload("Kies.{=a ~b}\n\nWaar?{TRUE}"), "--format", "gift",
                 "--course", "nl-klantrelaties", "--dry-run", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "questions": [{"line": 1, "type": "single", "title": "", "options": 2},
                      {"line": 3, "type": "truefalse", "title": "", "options": 2}],
        "skipped": [], "errors": []}


def test_readable_listing_shows_new_ids_goals_notes_skips_and_errors(quiz_app, upload):
    result = run(quiz_app, "import", upload(GIFT), "--format", "gift", "--course", "nl-klantrelaties",
                 "--lesson", "nl-l1", "--goal", "nl-l1-g2", "--dry-run")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "bank.txt: 2 question(s) to import, 1 skipped, 1 error(s)"
    assert lines[1] == '  line 2: single "Loyal" (2 options) -> nl-l1-loyal-1 (goals nl-l1-g2)'
    assert lines[2] == '  line 7: truefalse "Een klacht is altijd slecht nieuws." (2 options) -> nl-l1-q-1 (goals nl-l1-g2)'
    assert lines[3:] == ["  line 9: skipped: essay (empty answers {}): Lesmark has no essay questions",
                         "  line 11: error: answer weight 33% is not one of Moodle's grades; the nearest is 33.33333%"]


def test_import_stores_the_valid_questions_as_a_new_revision_and_a_second_import_adds_nothing(quiz_app, upload):
    path = "quizzes/nl-klantrelaties/02-diensten.md"
    before = revision_count(quiz_app, path)
    result = run(quiz_app, "import", upload(GIFT), "--format", "gift", "--course", "nl-klantrelaties",
                 "--lesson", "nl-l2", "--goal", "nl-l2-g1")
    assert result.exit_code == 1  # the file has an error; its valid questions are stored all the same
    assert f"Stored 2 question(s) as revision {before + 1} of {path}." in result.stdout
    with quiz_app.app_context():
        newest = db.session.scalar(select(ContentRevision).join(ContentDocument)
                                   .where(ContentDocument.path == path).order_by(ContentRevision.number.desc()))
        assert (newest.number, newest.origin) == (before + 1, "import")
        quiz = parse_quiz(path, newest.source)
        assert [q.id for q in quiz.questions][-2:] == ["nl-l2-loyal-1", "nl-l2-q-1"]
        stored = db.session.scalar(select(Question).where(Question.slug == "nl-l2-loyal-1"))
        version = db.session.get(QuestionVersion, stored.current_version_id)
        assert [g.slug for g in version.goals] == ["nl-l2-g1"]
        assert [o["correct"] for o in version.options] == [True, False]

    again = run(quiz_app, "import", upload(GIFT), "--format", "gift", "--course", "nl-klantrelaties",
                "--lesson", "nl-l2", "--json")
    assert json.loads(again.stdout)["skipped"][:2] == [
        {"line": 2, "reason": "already in the quiz bank as nl-l2-loyal-1"},
        {"line": 7, "reason": "already in the quiz bank as nl-l2-q-1"}]
    assert revision_count(quiz_app, path) == before + 1


def test_aiken_and_markdown_files_import_too(quiz_app, upload):
    aiken = run(quiz_app, "import", upload("Mi a panasz?\nA. Egy lehetőség\nB. Csak baj\nANSWER: A\n"),
                "--format", "aiken", "--course", "hu-ugyfelkapcsolat", "--lesson", "hu-l3")
    assert aiken.exit_code == 0, aiken.output
    assert "Stored 1 question(s)" in aiken.stdout
    markdown = ("## hu-l3-q99\ntype: truefalse\ngoals: hu-l3-g1\n\nA panasz ajándék.\n\n"
                "- [x] Igaz\n  > Helyes.\n- [ ] Hamis\n  > Nem helyes.\n")
    result = run(quiz_app, "import", upload(markdown, "bank.md"), "--format", "markdown",
                 "--course", "hu-ugyfelkapcsolat", "--lesson", "hu-l3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["questions"] == [{"line": 1, "type": "truefalse", "title": "", "options": 2}]
    with quiz_app.app_context():
        assert db.session.scalar(select(Question.slug).where(Question.slug == "hu-l3-q99")) == "hu-l3-q99"


def test_a_real_import_needs_a_lesson_and_refuses_with_exit_2(quiz_app, upload):
    result = run(quiz_app, "import", upload("Kies.{=a ~b}"), "--format", "gift", "--course", "nl-klantrelaties")
    assert result.exit_code == 2
    assert "--lesson is needed to store the questions" in result.output


@pytest.mark.parametrize("args, message", [
    (["--course", "xx-nothing", "--dry-run"], "no course 'xx-nothing'"),
    (["--course", "nl-klantrelaties", "--lesson", "hu-l1", "--dry-run"],
     "lesson 'hu-l1' is not part of course 'nl-klantrelaties'"),
    (["--course", "nl-klantrelaties", "--lesson", "nl-l9", "--dry-run"], "no lesson 'nl-l9'"),
    (["--course", "nl-klantrelaties", "--lesson", "nl-l1", "--goal", "hu-l1-g1", "--dry-run"],
     "goal(s) hu-l1-g1 are not goals of lesson 'nl-l1'"),
])
def test_unknown_or_mismatched_course_lesson_or_goal_is_refused_with_exit_2(quiz_app, upload, args, message):
    result = run(quiz_app, "import", upload("Kies.{=a ~b}"), "--format", "gift", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_file_that_is_not_utf8_is_an_error_at_its_line(quiz_app, upload):
    result = run(quiz_app, "import", upload(b"Kies.{=a ~b}\n\nWat is \xe9?{=a ~b}\n"), "--format", "gift",
                 "--course", "nl-klantrelaties", "--dry-run", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"questions": [], "skipped": [],
                                         "errors": [{"line": 3, "message": "the file is not UTF-8 text"}]}


def test_export_gift_to_standard_output_imports_back_to_the_same_questions(quiz_app, upload):
    result = run(quiz_app, "export", "fi-l1", "--format", "gift")
    assert result.exit_code == 0
    assert result.stdout.startswith("// Lesmark quiz bank of lesson fi-l1\n\n// fi-l1-q01\n")
    back = run(quiz_app, "import", upload(result.stdout), "--format", "gift", "--course", "fi-jalkimarkkinointi",
               "--lesson", "fi-l1", "--dry-run", "--json")
    report = json.loads(back.stdout)
    assert report["errors"] == [] and report["questions"] == []
    assert len(report["skipped"]) == 27  # all 16 brief items and 11 fresh ones are already in the bank, by id
    assert report["skipped"][0]["reason"] == "already in the quiz bank as fi-l1-q01"


def test_export_to_a_file_and_aiken_lists_what_it_leaves_out(quiz_app, tmp_path):
    target = tmp_path / "fi.txt"
    result = run(quiz_app, "export", "fi-l1", "--format", "aiken", "-o", str(target))
    assert result.exit_code == 0
    with quiz_app.app_context():
        quiz = parse_quiz("q.md", content_store.revisions("quizzes/fi-jalkimarkkinointi/01-jalkimarkkinointi.md")[0].source)
    left_out = [q.id for q in quiz.questions if q.type != "single"]
    assert [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("left out")] == [
        f"left out {qid}" for qid in left_out]
    assert target.read_text(encoding="utf-8").count("ANSWER: ") == len(quiz.questions) - len(left_out)


def test_export_markdown_is_the_stored_quiz_bank(quiz_app):
    result = run(quiz_app, "export", "hu-l1", "--format", "markdown")
    with quiz_app.app_context():
        stored = content_store.revisions("quizzes/hu-ugyfelkapcsolat/01-ugyfeltipusok.md")[0].source
    assert result.stdout == stored  # the shipped file is already in the formatter's layout


def test_export_of_an_unknown_lesson_is_refused(quiz_app):
    result = run(quiz_app, "export", "xx-l1", "--format", "gift")
    assert result.exit_code == 2
    assert "no lesson 'xx-l1'" in result.output
