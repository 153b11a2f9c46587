"""`flask report responses|items` (issue 9 point 6): the exact contract, hand-computed figures on a
made-up set of attempts (see review_world.FIVE), formula-safe UTF-8 CSV with a byte-order mark.

One app per backend with its own database, so no other test's attempts enter the analysis."""

import csv
import io
import itertools
import json

import pytest

from app.extensions import db
from app.models import AttemptReset, ClassGroup, ClassStudent, QuestionVersion
from app.services.item_analysis import plain_text

from ..conftest import make_app
from .review_world import (
    LESSON,
    START,
    first_wrong,
    five_students,
    make_student,
    right,
    submit_attempt,
    three_questions,
)

_databases = itertools.count(1)
SLUGS = ["nl-l2-q13", "nl-l2-q14", "nl-l2-q16"]
HOSTILE_NAMES = ["=HYPERLINK(\"http://x\",\"a\")", "+1+1", "-2", "@SUM(A1)", "\tTab"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def report_app(request, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"report_cli_{next(_databases)}")
    app = make_app(tmp_path_factory, url)
    app.world = five_students(app, HOSTILE_NAMES)  # the module's attempts, made once
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["report", *args])


def items(app, *args) -> dict:
    result = run(app, "items", LESSON, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_items_json_has_exactly_the_documented_keys(report_app):
    report = items(report_app)
    assert {"attempts", "questions", "reliability", "warning"} <= set(report)
    assert {"kr20"} <= set(report["reliability"])
    for question in report["questions"]:
        assert {"id", "facility", "discrimination", "upper_lower", "options", "flags"} <= set(question)
        for option in question["options"]:
            assert {"text", "chosen", "correct"} <= set(option)
            assert isinstance(option["correct"], bool) and isinstance(option["chosen"], int)


def test_items_counts_each_students_first_attempt_by_default(report_app):
    report = items(report_app)
    assert report["attempts"] == 5  # S1's second attempt is left out
    assert report["warning"] == "too_few_to_judge"  # fewer than 10
    # the three single-choice questions of nl-l2's quiz, in the order they were drawn
    assert [q["id"] for q in report["questions"]] == SLUGS


def test_items_figures_match_the_hand_computed_example(report_app):
    q1, q2, q3 = items(report_app)["questions"]
    # facility: 3/5, 3/5, 1/5
    assert [q1["facility"], q2["facility"], q3["facility"]] == [0.6, 0.6, 0.2]
    # q1: item 1,1,1,0,0 vs rest 2,1,0,1,0: Sxy 0.6, Sxx 1.2, Syy 2.8 -> 0.6/sqrt(3.36) = 0.3273
    # q2: item 1,1,0,1,0 vs rest 2,1,1,0,0: the same sums -> 0.3273
    # q3: item 1,0,0,0,0 vs rest 2,2,1,1,0: Sxy 0.8, Sxx 0.8, Syy 2.8 -> 0.8/sqrt(2.24) = 0.5345
    assert [q1["discrimination"], q2["discrimination"], q3["discrimination"]] == [0.3273, 0.3273, 0.5345]
    # groups of round(0.27 * 5) = 1: S1 (total 3) against S5 (total 0), who got 1 and 0 on each
    assert [q1["upper_lower"], q2["upper_lower"], q3["upper_lower"]] == [1.0, 1.0, 1.0]


def test_items_reliability_is_kr20_of_the_five_attempts(report_app):
    # item sums of squares 1.2 + 1.2 + 0.8 = 3.2; totals 3,2,1,1,0 (mean 1.4): 5.2
    # KR-20 = 3/2 * (1 - 3.2/5.2) = 0.5769
    assert items(report_app)["reliability"]["kr20"] == 0.5769


def test_items_options_count_every_option_including_those_nobody_chose(report_app):
    _ids, _names, versions = report_app.world
    q3 = items(report_app)["questions"][2]
    # nl-l2-q16 has four options, the key is A; S1 chose it, the four others B (the first distractor)
    assert [o["chosen"] for o in q3["options"]] == [1, 4, 0, 0]
    assert [o["correct"] for o in q3["options"]] == [True, False, False, False]
    assert q3["options"][0]["text"] == plain_text(versions[2].options[0]["html"]) != ""
    assert "<" not in q3["options"][0]["text"]
    assert q3["flags"] == ["most_chose_same_wrong_option", "distractor_never_chosen"]


def test_items_with_all_attempts_counts_the_second_try(report_app):
    report = items(report_app, "--all-attempts")
    assert report["attempts"] == 6
    assert report["questions"][0]["facility"] == 0.5  # 3 right of 6


def read_csv(path) -> tuple[bytes, list[dict]]:
    raw = path.read_bytes()
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_responses_csv_has_a_row_per_attempt_and_question_with_the_contract_columns(report_app, tmp_path):
    _ids, names, _versions = report_app.world
    out = tmp_path / "responses.csv"
    result = run(report_app, "responses", LESSON, "-o", str(out))
    assert result.exit_code == 0, result.output
    raw, rows = read_csv(out)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert {"student", "attempt", "question", "score", "selected"} <= set(rows[0])
    assert len(rows) == 5 * 3
    # S3 answered q2 (nl-l2-q14, key C) with the first distractor, A
    s3_q2 = next(r for r in rows if r["student"] == names[2] and r["question"] == "nl-l2-q14")
    assert (s3_q2["score"], s3_q2["selected"], s3_q2["correct"]) == ("0.0", "A", "C")
    assert {float(r["score"]) for r in rows} == {0.0, 1.0}
    # the same attempts as `report items`: five attempts, S1's first only
    assert len({r["attempt"] for r in rows}) == 5


def test_responses_csv_neutralises_cells_that_start_like_a_formula(report_app, tmp_path):
    out = tmp_path / "responses.csv"
    assert run(report_app, "responses", LESSON, "-o", str(out)).exit_code == 0
    _raw, rows = read_csv(out)
    names = {r["name"] for r in rows}
    assert names == {"'" + name for name in HOSTILE_NAMES}


def test_responses_csv_with_all_attempts_has_the_second_try(report_app, tmp_path):
    _ids, names, _versions = report_app.world
    out = tmp_path / "all.csv"
    assert run(report_app, "responses", LESSON, "--all-attempts", "-o", str(out)).exit_code == 0
    _raw, rows = read_csv(out)
    assert len(rows) == 6 * 3
    assert sorted({r["attempt_number"] for r in rows if r["student"] == names[0]}) == ["1", "2"]


def test_a_class_limits_both_commands_to_its_students(report_app, tmp_path):
    ids, _names, _versions = report_app.world
    with report_app.app_context():
        group = ClassGroup(name=f"Report class {next(_databases)}", join_code=f"RPT{next(_databases):05d}")
        db.session.add(group)
        db.session.flush()
        db.session.add_all(ClassStudent(class_id=group.id, user_id=user_id) for user_id in ids[:3])
        db.session.commit()
        class_id, class_name = group.id, group.name
    report = items(report_app, "--class", str(class_id))
    # S1, S2, S3: q1 all right (facility 1, "everyone answered correctly"), q2 2/3, q3 1/3
    assert report["attempts"] == 3
    assert [q["facility"] for q in report["questions"]] == [1.0, 0.6667, 0.3333]
    assert "everyone_correct" in report["questions"][0]["flags"]
    assert report["questions"][0]["discrimination"] is None  # no spread: undefined, not 0
    out = tmp_path / "class.csv"
    assert run(report_app, "responses", LESSON, "--class", class_name, "-o", str(out)).exit_code == 0
    assert len(read_csv(out)[1]) == 3 * 3


@pytest.mark.parametrize("args", [
    ["items", "no-such-lesson", "--json"],
    ["items", LESSON, "--class", "999999", "--json"],
    ["items", LESSON, "--class", "no such class"],
    ["responses", "no-such-lesson", "-o", "unused.csv"],
])
def test_unknown_lessons_and_classes_are_refused_with_exit_2_and_no_file(report_app, tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(report_app, *args)
    assert result.exit_code == 2
    assert "no such" in result.output
    assert not (tmp_path / "unused.csv").exists()


def test_a_lesson_nobody_took_reports_zero_attempts_and_no_figures(report_app, tmp_path):
    result = run(report_app, "items", "nl-l3", "--json")
    assert result.exit_code == 0, result.output
    empty = json.loads(result.output)
    assert empty["attempts"] == 0 and empty["reliability"]["kr20"] is None
    assert empty["questions"] and all(q["facility"] is None and q["flags"] == [] for q in empty["questions"])
    out = tmp_path / "empty.csv"
    assert run(report_app, "responses", "nl-l3", "-o", str(out)).exit_code == 0
    raw, rows = read_csv(out)
    assert rows == [] and raw.startswith(b"\xef\xbb\xbfstudent,")


def test_reset_attempts_are_left_out_and_each_question_version_is_analysed_on_its_own(report_app):
    """On nl-l1 (no other test of this module uses it): A right everywhere, B wrong everywhere but
    reset by a teacher, C answered a second version of the first question."""
    q1, q2, q3 = three_questions(report_app, "nl-l1")
    a_id, _ = make_student(report_app)
    b_id, _ = make_student(report_app)
    c_id, _ = make_student(report_app)
    submit_attempt(report_app, a_id, "nl-l1", [(v, {right(v)}) for v in (q1, q2, q3)], START)
    reset = submit_attempt(report_app, b_id, "nl-l1", [(v, {first_wrong(v)}) for v in (q1, q2, q3)], START)
    with report_app.app_context():
        db.session.add(AttemptReset(attempt_id=reset))
        newer = QuestionVersion(question_id=q1.question_id, number=q1.number + 1, type=q1.type,
                                stem_html=q1.stem_html, options=[{**o, "html": f"<p>v2 {i}</p>"} for i, o in enumerate(q1.options)],
                                content_hash="0" * 64, markdown=q1.markdown)
        db.session.add(newer)
        db.session.commit()
        db.session.refresh(newer)
        db.session.expunge(newer)
    submit_attempt(report_app, c_id, "nl-l1", [(newer, {first_wrong(newer)}), (q2, {right(q2)}), (q3, {right(q3)})], START)
    result = run(report_app, "items", "nl-l1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["attempts"] == 2  # A and C; B's reset attempt is not counted
    by_id = {q["id"]: q for q in data["questions"]}
    slug = "nl-l1-q21"
    assert {f"{slug}@v{q1.number}", f"{slug}@v{q1.number + 1}"} <= set(by_id)
    assert by_id[f"{slug}@v{q1.number}"]["facility"] == 1.0  # A only
    assert by_id[f"{slug}@v{q1.number + 1}"]["facility"] == 0.0  # C only
    assert [o["text"] for o in by_id[f"{slug}@v{q1.number + 1}"]["options"]] == [
        f"v2 {i}" for i in range(len(q1.options))]
