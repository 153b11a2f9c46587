"""Quiz files: every key problem is caught before a student can meet it."""

import pytest

from app.content.model import ContentError
from app.content.quizzes import parse_quiz

HEAD = "---\nlesson: demo-l1\nfinal: [demo-l1-q01]\n---\n\n"
SINGLE = """## demo-l1-q01
type: single
goals: demo-l1-g1
source: 000 s3
rationale: The definition.

Wat is **relatiemarketing**?

- [ ] Losse verkoop.
  > Nee.
- [x] Relaties opbouwen en onderhouden.
  > Juist.
- [ ] Reclame.
  > Nee, bereik is geen relatie.
"""


def problems_of(body: str, head: str = HEAD) -> list[str]:
    with pytest.raises(ContentError) as info:
        parse_quiz("quizzes/demo/01-x.md", head + body)
    return [str(p) for p in info.value.problems]


def test_a_valid_quiz_parses_with_keys_feedback_and_metadata():
    quiz = parse_quiz("quizzes/demo/01-x.md", HEAD + SINGLE)
    (q,) = quiz.questions
    assert (q.id, q.type, q.goals, q.source) == ("demo-l1-q01", "single", ("demo-l1-g1",), "000 s3")
    assert q.stem == "Wat is **relatiemarketing**?"
    assert [o.correct for o in q.options] == [False, True, False]
    assert q.options[2].feedback == "Nee, bereik is geen relatie."
    assert q.correct_indexes == frozenset({1})
    assert quiz.final == ("demo-l1-q01",) and quiz.lesson == "demo-l1"


def test_question_without_a_correct_answer_is_reported_at_its_heading():
    assert problems_of(SINGLE.replace("- [x]", "- [ ]")) == [
        "quizzes/demo/01-x.md:6: demo-l1-q01: no correct answer (mark one option '- [x]')"]


def test_single_choice_with_two_keys_is_reported():
    (problem,) = problems_of(SINGLE.replace("- [ ] Reclame", "- [x] Reclame"))
    assert "single choice has 2 correct options; it needs exactly one" in problem


def test_true_false_needs_exactly_two_options_and_one_key():
    tf = SINGLE.replace("type: single", "type: truefalse")
    assert any("true/false needs exactly two options" in p for p in problems_of(tf))


def test_multiple_response_needs_two_keys_and_a_wrong_option():
    multi = SINGLE.replace("type: single", "type: multiple")
    assert any("needs at least two correct options" in p for p in problems_of(multi))
    all_right = multi.replace("- [ ]", "- [x]")
    assert any("needs at least one wrong option" in p for p in problems_of(all_right))


def test_every_option_needs_feedback():
    (problem,) = problems_of(SINGLE.replace("  > Juist.\n", ""))
    assert problem == "quizzes/demo/01-x.md:16: demo-l1-q01: option has no feedback (add an indented '> ' line)"


def test_unknown_type_and_missing_goals_are_reported():
    found = problems_of(SINGLE.replace("type: single", "type: essay").replace("goals: demo-l1-g1\n", ""))
    assert any("unknown type 'essay'" in p for p in found)
    assert any("'goals:' must name at least one goal id" in p for p in found)


def test_duplicate_question_ids_are_reported():
    found = problems_of(SINGLE + "\n" + SINGLE)
    assert any("duplicate question id 'demo-l1-q01'" in p for p in found)


def test_final_quiz_may_only_name_questions_of_the_file():
    found = problems_of(SINGLE, head="---\nlesson: demo-l1\nfinal: [demo-l1-q09]\n---\n\n")
    assert found == ["quizzes/demo/01-x.md:3: final quiz names unknown question 'demo-l1-q09'"]


def test_text_after_the_options_is_reported_with_a_hint():
    (problem,) = problems_of(SINGLE + "Stray text\n")
    assert "unexpected text after the options" in problem


def test_empty_stem_and_two_identical_options_are_reported():
    found = problems_of(SINGLE.replace("Wat is **relatiemarketing**?", "").replace("Reclame.", "Losse verkoop."))
    assert any("has no text (stem)" in p for p in found)
    assert any("two options have the same text" in p for p in found)


def test_a_bad_heading_is_reported():
    assert "question heading must be '## question-id'" in problems_of(SINGLE.replace("## demo-l1-q01", "## Vraag 1"))[0]
