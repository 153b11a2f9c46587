"""Moodle GIFT import: every construct of Moodle's documented format, and broken files with their lines.

The examples are our own; what each construct means follows Moodle's importer (qformat_gift)."""

import pytest

from app.content.interchange import import_questions
from app.content.interchange.weights import is_allowed, nearest_allowed


def gift(text: str, language: str = "en"):
    return import_questions(text, "gift", language=language)


def only_question(text: str, language: str = "en"):
    result = gift(text, language)
    assert result.errors == [] and result.skipped == []
    assert len(result.questions) == 1
    return result.questions[0]


def keys(question):
    return [(o.text, o.correct) for o in question.options]


# --- single choice, titles, feedback, layout -------------------------------------------------

def test_single_choice_marks_the_equals_answer_right_and_tilde_answers_wrong():
    q = only_question("Which planet is closest to the sun?{~Venus =Mercury ~Mars}")
    assert q.type == "single"
    assert q.stem == "Which planet is closest to the sun?"
    assert keys(q) == [("Venus", False), ("Mercury", True), ("Mars", False)]
    assert q.title == "" and q.line == 1


def test_title_between_double_colons_names_the_question():
    q = only_question("::Closest planet:: Which planet is closest to the sun?{=Mercury ~Mars}")
    assert q.title == "Closest planet"
    assert q.stem == "Which planet is closest to the sun?"


def test_hash_after_an_answer_is_that_answers_feedback():
    q = only_question("Two plus two?{=four#Yes, 2 + 2 is 4. ~five#No, that is one too many.}")
    assert [o.feedback for o in q.options] == ["Yes, 2 + 2 is 4.", "No, that is one too many."]


def test_answers_without_feedback_get_neutral_feedback_in_the_course_language():
    q = only_question("Hoofdstad van Nederland?{=Amsterdam ~Rotterdam}", language="nl")
    assert [o.feedback for o in q.options] == ["Juist.", "Niet juist."]
    assert q.notes == ('2 option(s) had no feedback: they get "Juist." or "Niet juist.".',)


def test_a_question_may_run_over_several_lines_and_keeps_the_line_it_starts_on():
    text = "\n\n::Rivers::\nWhich river\nflows through Budapest?\n{\n  ~Rhine # No, that one flows through Basel.\n  =Danube # Right.\n}\n"
    q = only_question(text)
    assert q.line == 3
    assert q.stem == "Which river\nflows through Budapest?"
    assert keys(q) == [("Rhine", False), ("Danube", True)]
    assert q.options[0].feedback == "No, that one flows through Basel."


def test_questions_are_separated_by_blank_lines_and_each_keeps_the_line_its_text_starts_on():
    text = "First?{=a ~b}\n\n\n// about the next one\nSecond?{=c ~d}\n   \nThird?{~e =f}"
    result = gift(text)
    assert [(q.stem, q.line) for q in result.questions] == [("First?", 1), ("Second?", 5), ("Third?", 7)]


def test_comment_lines_are_ignored_even_inside_a_question():
    text = "// a bank about colours\n\n// just a comment block\n\nWhat colour is grass?{\n// the key:\n=green\n~red\n}"
    q = only_question(text)
    assert keys(q) == [("green", True), ("red", False)]
    assert q.line == 5


def test_crlf_line_endings_and_a_byte_order_mark_are_read_like_plain_newlines():
    result = gift("\ufeffFirst?{=a ~b}\r\n\r\nSecond?{=c ~d}\r\n")
    assert [(q.stem, q.line) for q in result.questions] == [("First?", 1), ("Second?", 3)]


def test_category_line_applies_to_the_questions_after_it():
    text = "Before?{=a ~b}\n\n$CATEGORY: $course$/Geography\n\nWhere?{=here ~there}\n\n$CATEGORY: History\n\nWhen?{=now ~then}"
    result = gift(text)
    assert [q.category for q in result.questions] == ["", "$course$/Geography", "History"]


def test_category_followed_by_a_question_without_blank_line_is_an_error_at_the_question():
    result = gift("$CATEGORY: Geography\nWhere?{=here ~there}\n\nWhen?{=now ~then}")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "a question must be separated from the $CATEGORY line by a blank line")]
    assert [q.stem for q in result.questions] == ["When?"]
    assert result.questions[0].category == "Geography"


# --- escapes ----------------------------------------------------------------------------------

def test_escaped_special_characters_are_plain_text():
    q = only_question(r"In a set \{1, 2\} is 1 \= 2? Answer \~ guess\: think \#1.{=No \= not equal ~Yes}")
    assert q.stem == "In a set {1, 2} is 1 = 2? Answer ~ guess: think #1."
    assert q.options[0].text == "No = not equal"


def test_escaped_braces_and_colons_in_feedback_and_title():
    q = only_question(r"::Set \{a\}\: size:: How many?{=one#Right\: \{a\} has one element ~two}")
    assert q.title == "Set {a}: size"
    assert q.options[0].feedback == "Right: {a} has one element"


def test_double_backslash_is_one_backslash_and_backslash_n_a_line_break():
    q = only_question(r"[markdown]Path C:\\temp\nSecond line?{=yes ~no}")
    assert q.stem == "Path C:\\temp\nSecond line?"


# --- true / false -----------------------------------------------------------------------------

@pytest.mark.parametrize("written, true_is_right", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_answers(written, true_is_right):
    q = only_question(f"The moon orbits the earth.{{{written}}}")
    assert q.type == "truefalse"
    assert keys(q) == [("True", true_is_right), ("False", not true_is_right)]


def test_true_false_first_feedback_is_for_a_wrong_answer_and_second_for_a_right_one():
    q = only_question("The sun is a planet.{FALSE#No: the sun is a star.#Right: it is a star.}")
    assert keys(q) == [("True", False), ("False", True)]
    assert [o.feedback for o in q.options] == ["No: the sun is a star.", "Right: it is a star."]


def test_true_false_options_are_written_in_the_course_language():
    assert keys(only_question("Budapest ligt aan de Donau.{T}", language="nl")) == [("Waar", True), ("Niet waar", False)]
    assert keys(only_question("Budapest a Duna partján fekszik.{T}", language="hu")) == [("Igaz", True), ("Hamis", False)]
    assert keys(only_question("Helsinki on Ruotsissa.{F}", language="fi")) == [("Tosi", False), ("Epätosi", True)]


# --- multiple response and weights ------------------------------------------------------------

def test_weighted_answers_without_equals_make_a_multiple_response_question():
    q = only_question("Which are prime?{~%50%2#Prime. ~%50%3#Prime. ~%-100%4#Even. ~%-100%9#Three squared.}")
    assert q.type == "multiple"
    assert keys(q) == [("2", True), ("3", True), ("4", False), ("9", False)]
    assert [o.weight for o in q.options] == [50, 50, -100, -100]


def test_weights_that_match_lesmarks_rule_give_the_same_score_for_every_answer():
    q = only_question("Which are fruit?{~%50%apple ~%50%pear ~%-100%carrot}")
    assert q.weight_mapping.same_everywhere
    assert q.notes[0] == (
        "Moodle weights 50/50/-100 become 2 right and 1 wrong option: Lesmark gives each right option 1/2 "
        "of the mark and takes 1/1 off for each wrong option ticked. That is the same score as in Moodle "
        "for all 8 ways to answer.")


def test_zero_weight_wrong_answers_score_differently_when_they_are_ticked():
    # Moodle: no penalty for a 0 % answer; Lesmark: each of 2 wrong options ticked takes 1/2 off.
    # Differences: at least one right and one wrong ticked: 3 × 3 = 9 of 16; first found: A and C.
    q = only_question("Which are fruit?{~%50%apple ~%50%pear ~carrot ~leek}")
    mapping = q.weight_mapping
    assert (mapping.right, mapping.wrong, mapping.answers_compared, mapping.answers_differing) == (2, 2, 16, 9)
    assert mapping.example == ((0, 2), 0.5, 0.0)
    assert q.notes[0].endswith(
        "It is the same score when no wrong option is ticked and differs when one is: Moodle takes off 0 %, 0 %, "
        "Lesmark 50 % for each. 9 of 16 ways to answer score differently; for example ticking A, C scores 50 % "
        "in Moodle and 0 % in Lesmark.")


def test_unequal_right_weights_differ_already_without_wrong_ticks():
    # Ticking only A: Moodle 75 %, Lesmark 1/2.
    q = only_question("Pick the warm colours.{~%75%red ~%25%orange ~%-100%blue}")
    assert q.weight_mapping.example == ((0,), 0.75, 0.5)
    assert "It differs already when only right options are ticked" in q.notes[0]


def test_negative_thirds_are_moodle_grades_and_whole_thirds_are_not():
    ok = gift("Pick two.{~%50%a ~%50%b ~%-33.33333%c ~%-33.33333%d ~%-33.33333%e}")
    assert ok.errors == [] and ok.questions[0].type == "multiple"
    bad = gift("\nPick two.{\n~%50%a\n~%50%b\n~%-33%c\n~d}")
    assert [(e.line, e.message) for e in bad.errors] == [
        (5, "answer weight -33% is not one of Moodle's grades; the nearest is -33.33333%")]
    assert bad.questions == []


@pytest.mark.parametrize("percent, allowed", [
    (100, True), (-100, True), (0, True), (50, True), (-50, True), (33.33333, True), (-33.33333, True),
    (33.333, True),  # within Moodle's 0.00001 tolerance on the fraction
    (33.33, False), (33, False), (66.66667, True), (16.66667, True), (14.28571, True), (12.5, True),
    (11.11111, True), (5, True), (15, False), (45, False), (101, False), (-110, False)])
def test_moodle_grade_list(percent, allowed):
    assert is_allowed(percent) is allowed


def test_nearest_allowed_grade_is_named():
    assert nearest_allowed(-33) == "-33.33333"
    assert nearest_allowed(45) == "50"  # 40 and 50 are equally near: the higher one
    assert nearest_allowed(97) == "100"


def test_positive_weights_must_add_up_to_100_percent():
    result = gift("Pick.{~%50%a ~%40%b ~c}")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "the positive answer weights add up to 90 %; Moodle needs exactly 100 % for a multiple-response question")]


def test_a_weight_that_is_not_a_number_is_an_error():
    result = gift("Pick.{\n~%half%a\n~b}")
    assert [(e.line, e.message) for e in result.errors] == [(2, "answer weight %half% is not a number")]


def test_only_one_positive_weight_becomes_single_choice_with_a_note():
    q = only_question("Pick.{~%100%a ~%-50%b ~c}")
    assert q.type == "single"
    assert keys(q) == [("a", True), ("b", False), ("c", False)]
    assert q.notes[0].startswith("Only one answer has a positive weight")


def test_partial_weights_in_single_choice_are_dropped_with_a_note():
    q = only_question("Capital of Australia?{=Canberra ~%50%Sydney ~Perth}")
    assert keys(q) == [("Canberra", True), ("Sydney", False), ("Perth", False)]
    assert q.notes[0] == "Partial weights (50 %) are dropped: a Lesmark single-choice answer scores 100 % or 0 %."


def test_general_feedback_after_four_hashes_is_the_questions_own_and_not_in_the_options_feedback():
    q = only_question("Pick the mammal.{=whale#Yes. ~shark#No. ####Whales breathe air.}")
    assert q.general_feedback == "Whales breathe air."
    assert [o.feedback for o in q.options] == ["Yes.", "No."]
    assert not any("general feedback" in note for note in q.notes)


# --- text formats -----------------------------------------------------------------------------

def test_markdown_format_is_kept():
    q = only_question("[markdown]Is **this** bold?{=yes ~no}")
    assert (q.stem, q.text_format) == ("Is **this** bold?", "markdown")


def test_html_format_becomes_markdown_and_loses_scripts():
    q = only_question('[html]<p>Is <b>this</b> <a href="https://example.org/x">safe</a>?</p>'
                      '<script>alert(1)</script><p>2 &lt; 3</p>{=<i>yes</i> ~no}')
    assert q.text_format == "html"
    assert q.stem == "Is **this** [safe](https://example.org/x)?\n\n2 \\< 3"
    assert q.options[0].text == "*yes*"


def test_html_links_to_scripts_are_dropped():
    q = only_question('[html]Click <a href="javascript:alert(1)">here</a>.{=ok ~not ok}')
    assert q.stem == "Click here."


def test_plain_and_moodle_formats_are_escaped_so_they_show_as_written():
    assert only_question("[plain]Is 2*3*4 = 24?{=yes ~no}").stem == "Is 2\\*3\\*4 = 24?"
    assert only_question("Is 2*3 six?{=yes ~no}").stem == "Is 2\\*3 six?"  # moodle is the default format


def test_answers_inherit_the_question_format_or_give_their_own():
    q = only_question("[markdown]Pick.{=**bold** ~[plain]*star*}")
    assert [o.text for o in q.options] == ["**bold**", "\\*star\\*"]


# --- skipped question types -------------------------------------------------------------------

def test_question_types_lesmark_does_not_have_are_skipped_with_their_line():
    text = "\n".join([
        "Describe your town.{}",                       # 1 essay
        "",
        "When did it happen?{#1848:1}",                # 3 numerical
        "",
        "Name the capital.{=Paris =paris}",            # 5 short answer
        "",
        "Match.{=cat -> meow =dog -> woof =cow -> moo}",  # 7 matching
        "",
        "The sky is {=blue ~green} today.",            # 9 missing word
        "",
        "Just some reading text without answers.",     # 11 description
        "",
        "A real one?{=yes ~no}",                       # 13
    ])
    result = gift(text)
    assert [(s.line, s.reason.split(" ")[0]) for s in result.skipped] == [
        (1, "essay"), (3, "numerical"), (5, "short"), (7, "matching"), (9, "missing"), (11, "description")]
    assert result.errors == []
    assert [q.line for q in result.questions] == [13]


def test_a_skipped_question_keeps_its_title():
    assert [(s.line, s.title) for s in gift("\n::Essay one:: Describe it.{}").skipped] == [(2, "Essay one")]


def test_lowercase_true_is_a_short_answer_as_in_moodle():
    assert gift("Is it?{true}").skipped[0].reason.startswith("short answer")


def test_several_fully_right_answers_in_single_choice_are_skipped():
    assert gift("Pick.{=a =b ~c}").skipped[0].reason.startswith("several answers are fully right")


def test_multiple_response_without_a_wrong_answer_is_skipped():
    assert gift("Pick.{~%50%a ~%50%b}").skipped[0].reason.startswith("every answer has a positive weight")


def test_more_than_eight_options_or_repeated_options_are_skipped():
    nine = " ".join(["=o0"] + [f"~o{i}" for i in range(1, 9)])
    assert gift(f"Pick.{{{nine}}}").skipped[0].reason == "Lesmark questions have 2–8 options; this one has 9"
    assert gift("Pick.{=Yes ~yes}").skipped[0].reason == "two options have the same text, which Lesmark does not allow"


# --- broken files -----------------------------------------------------------------------------

def test_unclosed_brace_is_an_error_at_the_brace_and_other_questions_still_import():
    text = "Good one?{=a ~b}\n\nBroken\nquestion?{=a\n~b\n\nAnother good one?{=c ~d}"
    result = gift(text)
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "'{' is not closed by '}' (write \\{ for a brace in the text)")]
    assert [q.stem for q in result.questions] == ["Good one?", "Another good one?"]


def test_closing_brace_without_opening_is_an_error_at_its_line():
    result = gift("Where?\n=a ~b}")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "'}' without an opening '{' (write \\} for a brace in the text)")]


def test_two_questions_without_a_blank_line_between_them_are_an_error_at_the_second():
    result = gift("First?{=a ~b}\nSecond?{=c ~d}")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "a second answer section: separate questions with a blank line")]


def test_title_without_closing_colons_is_an_error():
    result = gift("\n::Unclosed title\nQuestion?{=a ~b}")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "the title is not closed: write ::title:: before the question text")]


def test_text_before_the_first_answer_is_an_error():
    result = gift("Pick.{\nred\n=green ~blue}")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "text before the first answer: start every answer with ~ or =")]


def test_an_answer_without_text_and_a_question_without_text_are_errors():
    assert [(e.line, e.message) for e in gift("Pick.{=a ~#feedback only}").errors] == [(1, "an answer without text")]
    assert [(e.line, e.message) for e in gift("::Only a title::{=a ~b}").errors] == [(1, "the question has no text")]


def test_lesmark_comments_bring_back_source_rationale_and_goals():
    q = only_question("// demo-q1\n// goals: demo-g1, demo-g2\n// source: slide 3\n// rationale: The definition.\n"
                      "::demo-q1::Which?{=a ~b}")
    assert (q.goals, q.source, q.rationale) == (("demo-g1", "demo-g2"), "slide 3", "The definition.")
