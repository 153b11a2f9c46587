"""A question's general feedback (`feedback:`) and weight (`points:`): parsed, formatted back,
rendered and sanitised, hashed, weighted in the final quiz's score, and carried through GIFT."""

import pytest

from app.content.editing import draft_of, question_source
from app.content.interchange import export_quiz, format_quiz, import_questions, to_lesmark
from app.content.lessons import parse_lesson
from app.content.model import ContentError
from app.content.quizzes import parse_quiz
from app.content.render import render_lesson
from app.content.site import question_hash
from app.learning.grading import grade, total_score

from ..support import ROOT

PATH = "quizzes/demo/01-a.md"
QUIZ = """---
lesson: demo-l1
final: [demo-l1-q01, demo-l1-q02]
---

## demo-l1-q01
type: single
goals: demo-l1-g1
feedback: Retentie is **goedkoper** dan werven.
points: 3

Wat is retentie?

- [x] Klanten behouden
  > Juist.
- [ ] Klanten werven
  > Nee.

## demo-l1-q02
type: truefalse
goals: demo-l1-g1

Klopt dit?

- [x] Waar
  > Juist.
- [ ] Niet waar
  > Nee.
"""
LESSON = ("---\nid: demo-l1\ncourse: demo\ntitle: Les 1\nlanguage: nl\nminutes: 5\n"
          "goals:\n  - id: demo-l1-g1\n    text: Doel.\n---\n\n# Les 1\n\nTekst\n\n---\n\nCheckpoint: demo-l1-q01\n")


def with_lines(extra: str) -> str:
    return QUIZ.replace("points: 3\n", extra)


def test_feedback_and_points_are_read_and_default_to_none_and_one():
    first, second = parse_quiz(PATH, QUIZ).questions
    assert (first.feedback, first.points) == ("Retentie is **goedkoper** dan werven.", 3)
    assert (second.feedback, second.points) == ("", 1)


@pytest.mark.parametrize("value", ["0", "101", "two", "1.5", "-1", ""])
def test_points_outside_one_to_a_hundred_are_a_problem_at_their_line(value):
    with pytest.raises(ContentError) as error:
        parse_quiz(PATH, with_lines(f"points: {value}\n"))
    assert [(p.line, "'points:' must be a whole number from 1 to 100" in p.message)
            for p in error.value.problems] == [(10, True)]


def test_points_of_a_hundred_and_a_feedback_given_twice():
    assert parse_quiz(PATH, with_lines("points: 100\n")).questions[0].points == 100
    with pytest.raises(ContentError, match="'feedback' given twice"):
        parse_quiz(PATH, with_lines("feedback: Nog eens.\n"))


def test_the_formatter_writes_feedback_and_points_other_than_one_and_parses_back_the_same():
    quiz = parse_quiz(PATH, QUIZ)
    assert format_quiz(quiz) == QUIZ  # 'points: 3' written, the second question's default 1 is not
    one = parse_quiz(PATH, QUIZ.replace("points: 3", "points: 1"))
    assert "points:" not in format_quiz(one)


def test_the_quiz_editor_keeps_feedback_and_points_of_a_question():
    question = parse_quiz(PATH, QUIZ).questions[0]
    block = question_source(question.id, draft_of(question))
    assert "feedback: Retentie is **goedkoper** dan werven.\npoints: 3\n" in block


def test_feedback_and_points_are_part_of_the_source_hash_and_absent_ones_change_nothing():
    question = parse_quiz(PATH, QUIZ).questions[1]
    base = question_hash(question, "same block")
    assert question_hash(question.__class__(**{**question.__dict__, "points": 2}), "same block") != base
    assert question_hash(question.__class__(**{**question.__dict__, "feedback": "Ja."}), "same block") != base
    assert question_hash(question.__class__(**{**question.__dict__}), "same block") == base


def test_general_feedback_is_rendered_and_sanitised_like_the_stem():
    hostile = QUIZ.replace("Retentie is **goedkoper** dan werven.",
                           "Zie **dit** <script>alert(1)</script> [x](javascript:alert(1))")
    rendered = render_lesson(parse_lesson("lessons/demo/01-a.md", LESSON), parse_quiz(PATH, hostile), "/g")
    first, second = rendered.questions
    assert "<strong>dit</strong>" in first.feedback_html and first.points == 3
    assert "<script" not in first.feedback_html and "javascript:" not in first.feedback_html
    assert (second.feedback_html, second.points) == ("", 1)


def test_the_final_score_weighs_each_question_by_its_points():
    # two questions of 1 and 3 points; only the 3-point one right: 3 of 4
    assert total_score([0.0, 1.0], [1, 3]) == (3.0, 4)
    # a multiple-response question half right (1 of 2 right ticked, no wrong) on 3 points: 1.5
    half = grade("multiple", 4, frozenset({0, 1}), {0}).score
    assert half == 0.5 and total_score([1.0, half], [1, 3]) == (2.5, 4)
    assert total_score([1.0, 0.5]) == (1.5, 2)  # without points each question weighs 1
    with pytest.raises(ValueError):
        total_score([1.0], [1, 2])


def test_gift_general_feedback_goes_out_as_four_hashes_and_comes_back_as_feedback():
    quiz = parse_quiz(PATH, QUIZ.replace("type: truefalse\ngoals: demo-l1-g1\n",
                                         "type: truefalse\ngoals: demo-l1-g1\nfeedback: Waar is waar.\n"))
    gift = export_quiz(quiz, "gift").text
    assert "\t####Retentie is **goedkoper** dan werven.\n}" in gift
    assert "{TRUE#Nee.#Juist.####Waar is waar.}" in gift
    imported = import_questions(gift, "gift", language="nl")
    assert [q.general_feedback for q in imported.questions] == ["Retentie is **goedkoper** dan werven.", "Waar is waar."]
    assert [[o.feedback for o in q.options] for q in imported.questions] == [["Juist.", "Nee."], ["Juist.", "Nee."]]
    questions = to_lesmark(imported.questions, lesson_id="demo-l1", lesson_goals=("demo-l1-g1",))
    assert [(q.feedback, q.points) for q in questions] == [("Retentie is **goedkoper** dan werven.", 1),
                                                           ("Waar is waar.", 1)]  # GIFT carries no points


def test_lesmark_markdown_import_keeps_feedback_and_points():
    imported = import_questions(QUIZ, "markdown", language="nl")
    questions = to_lesmark(imported.questions, lesson_id="demo-l1", lesson_goals=("demo-l1-g1",),
                           taken_ids={"demo-l1-q01", "demo-l1-q02"})
    assert [(q.feedback, q.points) for q in questions] == [("Retentie is **goedkoper** dan werven.", 3), ("", 1)]


def test_every_shipped_bank_still_formats_byte_for_byte():
    paths = sorted(ROOT.glob("quizzes/*/*.md"))
    assert len(paths) == 8
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert format_quiz(parse_quiz(path.relative_to(ROOT).as_posix(), text)) == text, path.name
