"""Fuzzing the importers: any text gives a result or line errors, never an exception, and every
question they let through can be stored as a valid Lesmark quiz file."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.interchange import append_questions, import_questions, to_lesmark
from app.content.model import QUESTION_TYPES
from app.content.quizzes import parse_quiz

GIFT_PIECES = ["{", "}", "~", "=", "#", "####", "::", ":", "\\", "\\{", "\\}", "\\~", "\\=", "\\#", "\\:", "\\n",
               "%", "%50%", "%-50%", "%100%", "%-33.33333%", "%33%", "->", "T", "TRUE", "F", "FALSE", "//", "\n",
               "\n\n", " ", "$CATEGORY:", "[html]", "[plain]", "[markdown]", "[moodle]", "<b>", "</p>", "<p>",
               "a", "b", "c", "Which?", "word", "- [ ] ", "## ", "*", "é", "\r\n", "\t"]
AIKEN_PIECES = ["A.", "B.", "C)", "D.", "Z)", "ANSWER:", "ANSWER: A", "ANSWER: B", "answer: c", " ", "\n", "\n\n",
                "Question?", "text", "A", "B", ".", ")", "é", "\r"]
MARKDOWN_PIECES = ["---\n", "lesson: demo-l1\n", "final: [demo-q1]\n", "## demo-q1\n", "## demo-q2\n", "## Bad Id\n",
                   "type: single\n", "type: multiple\n", "type: truefalse\n", "type: essay\n", "goals: demo-g1\n",
                   "\n", "Stem?\n", "- [x] a\n", "- [ ] b\n", "- [X] c\n", "  > feedback\n", "  > \n", "<!-- c -->\n",
                   "source: s\n", "text\n", ":", "[", "'"]

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def documents(pieces):
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=4)), max_size=40).map("".join)


def check(result, text: str) -> None:
    # the Lesmark quiz parser counts lines as str.splitlines() does (form feeds too)
    last_line = max(text.count("\n") + 1, len(text.splitlines()))
    for item in (*result.errors, *result.skipped, *result.questions):
        assert 1 <= item.line <= last_line
    for error in result.errors:
        assert error.message
    for question in result.questions:
        assert question.type in QUESTION_TYPES
        assert question.stem.strip()
        assert 2 <= len(question.options) <= 8
        assert all(o.text.strip() and o.feedback.strip() for o in question.options)
        assert sum(o.correct for o in question.options) >= 1
    # whatever an importer lets through must make a quiz file Lesmark accepts
    questions = to_lesmark(result.questions, lesson_id="demo-l1", lesson_goals=("demo-l1-g1",))
    if questions:
        quiz = parse_quiz("quizzes/demo/01-x.md", append_questions(None, "demo-l1", questions))
        assert len(quiz.questions) == len(questions)


@FAST
@given(documents(GIFT_PIECES))
def test_gift_parser_returns_a_result_for_any_text(text):
    check(import_questions(text, "gift"), text)


@FAST
@given(documents(AIKEN_PIECES))
def test_aiken_parser_returns_a_result_for_any_text(text):
    check(import_questions(text, "aiken"), text)


@FAST
@given(documents(MARKDOWN_PIECES))
def test_markdown_importer_returns_a_result_for_any_text(text):
    check(import_questions(text, "markdown"), text)


@FAST
@given(st.text(max_size=300))
def test_every_importer_survives_arbitrary_unicode(text):
    for text_format in ("gift", "aiken", "markdown"):
        check(import_questions(text, text_format), text)
