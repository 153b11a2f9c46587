"""Aiken import and export: single-choice questions with A./A) options and an ANSWER line."""

from app.content.interchange import export_quiz, import_questions
from app.content.model import Option, Question, Quiz


def aiken(text: str, language: str = "en"):
    return import_questions(text, "aiken", language=language)


def errors(result):
    return [(e.line, e.message) for e in result.errors]


def test_question_options_and_answer_line_make_a_single_choice_question():
    result = aiken("Which ocean is the largest?\nA. Atlantic\nB. Pacific\nC. Indian\nANSWER: B\n")
    assert errors(result) == [] and result.skipped == []
    [q] = result.questions
    assert (q.type, q.line, q.stem, q.title) == ("single", 1, "Which ocean is the largest?", "")
    assert [(o.text, o.correct) for o in q.options] == [("Atlantic", False), ("Pacific", True), ("Indian", False)]


def test_options_may_use_a_bracket_instead_of_a_full_stop():
    [q] = aiken("Pick one.\nA) first\nB) second\nANSWER: A").questions
    assert [(o.text, o.correct) for o in q.options] == [("first", True), ("second", False)]


def test_questions_follow_each_other_with_or_without_blank_lines():
    text = "One?\nA. a\nB. b\nANSWER: A\nTwo?\nA. c\nB. d\nANSWER: B\n\n\nThree?\nA. e\nB. f\nANSWER: A"
    assert [(q.stem, q.line) for q in aiken(text).questions] == [("One?", 1), ("Two?", 5), ("Three?", 11)]


def test_a_question_text_over_several_lines_is_joined():
    [q] = aiken("In which year\ndid the Berlin Wall fall?\nA. 1989\nB. 1991\nANSWER: A").questions
    assert q.stem == "In which year did the Berlin Wall fall?"


def test_lowercase_answer_line_and_surrounding_spaces_are_accepted():
    [q] = aiken("  Pick.  \n  A. x\n  B. y\nanswer:   B  ").questions
    assert [o.correct for o in q.options] == [False, True]


def test_options_get_neutral_feedback_in_the_course_language():
    [q] = aiken("Kies.\nA. ja\nB. nee\nANSWER: A", language="nl").questions
    assert [o.feedback for o in q.options] == ["Juist.", "Niet juist."]


def test_missing_answer_line_is_an_error_at_the_question_and_the_next_question_still_imports():
    text = "Broken?\nA. a\nB. b\nFine?\nA. c\nB. d\nANSWER: B"
    result = aiken(text)
    assert errors(result) == [(1, "the question has no 'ANSWER:' line (a new question starts at line 4)")]
    assert [q.stem for q in result.questions] == ["Fine?"]


def test_missing_answer_line_at_the_end_of_the_file_is_an_error():
    assert errors(aiken("Fine?\nA. c\nB. d\nANSWER: B\n\nLast?\nA. x\nB. y\n")) == [
        (6, "the question has no 'ANSWER:' line")]


def test_answer_letter_that_is_not_an_option_is_an_error_at_the_answer_line():
    result = aiken("Pick.\nA. x\nB. y\nANSWER: D\n\nNext.\nA. p\nB. q\nANSWER: A")
    assert errors(result) == [(4, "ANSWER must be one of the option letters A, B, not 'D'")]
    assert [q.stem for q in result.questions] == ["Next."]


def test_options_out_of_order_are_an_error_at_the_option():
    assert errors(aiken("Pick.\nA. x\nC. y\nANSWER: A")) == [
        (3, "option C where B was expected (options go A, B, C… in order)")]


def test_option_or_answer_without_a_question_is_an_error():
    assert errors(aiken("A. x\nB. y\nANSWER: A")) == [(1, "an option without a question before it")]
    assert errors(aiken("\nANSWER: A")) == [(2, "ANSWER line without a question before it")]


def test_fewer_than_two_options_is_an_error():
    assert errors(aiken("Pick.\nA. only\nANSWER: A")) == [(1, "a question needs at least two options (A. and B.)")]


def test_empty_option_is_an_error():
    assert errors(aiken("Pick.\nA. x\nB.\nANSWER: A")) == [(3, "option B has no text")]


def test_export_writes_single_choice_and_lists_the_others_as_left_out():
    def option(text, correct):
        return Option(text, correct, "fb", 1)
    quiz = Quiz(lesson="demo-l1", final=(), path="q.md", folder="demo", stem="q", questions=(
        Question("demo-q1", "single", ("demo-g1",), "Which **one**?", (option("a", False), option("b", True)),
                 "", "", 1, 1),
        Question("demo-q2", "multiple", ("demo-g1",), "Which ones?",
                 (option("a", True), option("b", True), option("c", False)), "", "", 1, 1),
        Question("demo-q3", "truefalse", ("demo-g1",), "True?", (option("True", True), option("False", False)),
                 "", "", 1, 1),
    ))
    result = export_quiz(quiz, "aiken")
    assert result.text == "Which **one**?\nA. a\nB. b\nANSWER: B\n"
    assert result.left_out == (
        ("demo-q2", "multiple: Aiken holds single-choice questions only"),
        ("demo-q3", "truefalse: Aiken holds single-choice questions only"))
