"""Export -> import gives back the same questions, for every shipped quiz bank and for awkward text."""

from pathlib import Path

import pytest

from app.content.interchange import (
    append_questions,
    export_quiz,
    format_quiz,
    import_questions,
    new_id,
    slugify,
    to_lesmark,
)
from app.content.interchange.gift import escape
from app.content.lessons import parse_lesson
from app.content.model import Option, Question, Quiz
from app.content.quizzes import parse_quiz

ROOT = Path(__file__).resolve().parents[2]
QUIZ_FILES = sorted(ROOT.glob("quizzes/*/*.md"))


def shipped(path: Path) -> tuple[Quiz, str]:
    """The quiz bank and the language of its lesson."""
    relative = path.relative_to(ROOT).as_posix()
    quiz = parse_quiz(relative, path.read_text(encoding="utf-8"))
    lesson_path = ROOT / "lessons" / path.parent.name / path.name
    lesson = parse_lesson(lesson_path.relative_to(ROOT).as_posix(), lesson_path.read_text(encoding="utf-8"))
    return quiz, lesson.language


def same(question):
    return (question.type, question.stem, tuple((o.text, o.correct, o.feedback) for o in question.options))


def test_every_course_has_quiz_banks_to_check():
    assert {p.parent.name for p in QUIZ_FILES} == {"nl-klantrelaties", "hu-ugyfelkapcsolat", "fi-jalkimarkkinointi"}
    assert len(QUIZ_FILES) == 8


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_gift_export_then_import_gives_back_every_question(path):
    quiz, language = shipped(path)
    result = import_questions(export_quiz(quiz, "gift").text, "gift", language=language)
    assert result.errors == [] and result.skipped == []
    assert [same(q) for q in result.questions] == [same(q) for q in quiz.questions]
    assert [q.title for q in result.questions] == [q.id for q in quiz.questions]
    assert [(q.goals, q.source, q.rationale) for q in result.questions] == [
        (q.goals, q.source, q.rationale) for q in quiz.questions]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_markdown_export_parses_back_to_the_same_quiz_and_is_stable(path):
    quiz, language = shipped(path)
    text = format_quiz(quiz)
    again = parse_quiz(quiz.path, text)
    assert (again.lesson, again.final) == (quiz.lesson, quiz.final)
    assert [(q.id, q.goals, q.source, q.rationale, same(q)) for q in again.questions] == [
        (q.id, q.goals, q.source, q.rationale, same(q)) for q in quiz.questions]
    assert format_quiz(again) == text
    imported = import_questions(text, "markdown", language=language)
    assert imported.errors == [] and imported.skipped == []
    assert [(q.id_hint, same(q)) for q in imported.questions] == [(q.id, same(q)) for q in quiz.questions]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_aiken_export_then_import_gives_back_every_single_choice_question(path):
    quiz, language = shipped(path)
    export = export_quiz(quiz, "aiken")
    singles = [q for q in quiz.questions if q.type == "single"]
    assert [qid for qid, _reason in export.left_out] == [q.id for q in quiz.questions if q.type != "single"]
    result = import_questions(export.text, "aiken", language=language)
    assert result.errors == [] and result.skipped == []
    # Aiken has no feedback: type, text, options and key come back
    assert [(q.type, q.stem, [(o.text, o.correct) for o in q.options]) for q in result.questions] == [
        (q.type, q.stem, [(o.text, o.correct) for o in q.options]) for q in singles]


def awkward_quiz() -> Quiz:
    def option(text, correct, feedback):
        return Option(text, correct, feedback, 1)
    return Quiz(lesson="demo-l1", final=("demo-q1",), path="quizzes/demo/01-x.md", folder="demo", stem="01-x",
                questions=(
        Question("demo-q1", "single", ("demo-g1",), "Is {a} = b # c ~ d: \\ e?\n\nSecond *paragraph*.",
                 (option("[html] looks like a format", False, "No ####, really"),
                  option("%50% off", False, "Not 50%"),
                  option("Yes = right", True, "Right: {yes}")), "s1", "r1", 1, 1),
        Question("demo-q2", "multiple", ("demo-g1",), "Pick three.",
                 (option("a", True, "A."), option("b", True, "B."), option("c", True, "C."),
                  option("d", False, "D."), option("e", False, "E.")), "", "", 1, 1),
        Question("demo-q3", "truefalse", ("demo-g1",), "False?",
                 (option("Tosi", False, "Ei."), option("Epätosi", True, "Oikein.")), "", "", 1, 1),
    ))


def test_gift_escapes_every_special_character():
    assert escape("a{b}c=d~e#f:g\\h\ni") == "a\\{b\\}c\\=d\\~e\\#f\\:g\\\\h\\ni"


def test_gift_export_of_awkward_text_comes_back_unchanged():
    quiz = awkward_quiz()
    result = import_questions(export_quiz(quiz, "gift").text, "gift", language="fi")
    assert result.errors == [] and result.skipped == []
    assert [same(q) for q in result.questions] == [same(q) for q in quiz.questions]


def test_gift_export_writes_lesmarks_rule_as_equal_moodle_weights():
    text = export_quiz(awkward_quiz(), "gift").text
    assert "\t~%33.33333%a#A.\n\t~%33.33333%b#B.\n\t~%33.33333%c#C.\n\t~%-50%d#D.\n\t~%-50%e#E.\n" in text
    assert "::demo-q3::[markdown]False?{FALSE#Ei.#Oikein.}" in text
    assert "\t~%0%%50% off#Not 50%\n" in text
    assert "\t~[markdown][html] looks like a format#No \\#\\#\\#\\#, really\n" in text
    q2 = import_questions(text, "gift", language="fi").questions[1]
    assert q2.weight_mapping.same_everywhere


def test_slug_and_new_ids_are_unique_and_valid():
    assert slugify("Ügyfél-elégedettség: mérés!") == "ugyfel-elegedettseg-meres"
    assert new_id("nl-l1", "Klant & loyaliteit", set()) == "nl-l1-klant-loyaliteit-1"
    assert new_id("nl-l1", "", {"nl-l1-q-1", "nl-l1-q-2"}) == "nl-l1-q-3"
    assert new_id("nl-l1", "!!!", set()) == "nl-l1-q-1"


def test_imported_questions_are_appended_to_the_quiz_file_and_it_still_parses():
    path = ROOT / "quizzes/nl-klantrelaties/01-relatiemarketing.md"
    original = path.read_text(encoding="utf-8")
    quiz = parse_quiz("quizzes/nl-klantrelaties/01-relatiemarketing.md", original)
    result = import_questions("::Loyaliteit::Wat is loyaliteit?{=Een band#Juist. ~Een korting#Nee.}\n\n"
                              "Klopt dit?{T}", "gift", language="nl")
    questions = to_lesmark(result.questions, lesson_id="nl-l1", lesson_goals=("nl-l1-g1", "nl-l1-g2"),
                           chosen_goals=("nl-l1-g2",), taken_ids={q.id for q in quiz.questions})
    assert [(q.id, q.goals) for q in questions] == [("nl-l1-loyaliteit-1", ("nl-l1-g2",)),
                                                    ("nl-l1-q-1", ("nl-l1-g2",))]
    text = append_questions(original, "nl-l1", questions)
    assert text.startswith(original.rstrip("\n") + "\n\n## nl-l1-loyaliteit-1\n")
    merged = parse_quiz("quizzes/nl-klantrelaties/01-relatiemarketing.md", text)
    assert len(merged.questions) == len(quiz.questions) + 2
    assert merged.final == quiz.final
    last = merged.questions[-1]
    assert (last.type, [(o.text, o.correct, o.feedback) for o in last.options]) == (
        "truefalse", [("Waar", True, "Juist."), ("Niet waar", False, "Niet juist.")])


def test_without_chosen_goals_a_question_counts_for_every_goal_of_the_lesson():
    result = import_questions("Which?{=a ~b}", "gift")
    [question] = to_lesmark(result.questions, lesson_id="demo-l1", lesson_goals=("demo-l1-g1", "demo-l1-g2"))
    assert question.goals == ("demo-l1-g1", "demo-l1-g2")


def test_a_markdown_question_keeps_its_id_and_goals_when_they_fit_the_lesson():
    text = "## demo-l1-q09\ntype: single\ngoals: demo-l1-g2\n\nWhich?\n\n- [x] a\n  > A.\n- [ ] b\n  > B.\n"
    imported = import_questions(text, "markdown").questions
    [kept] = to_lesmark(imported, lesson_id="demo-l1", lesson_goals=("demo-l1-g1", "demo-l1-g2"))
    assert (kept.id, kept.goals) == ("demo-l1-q09", ("demo-l1-g2",))
    [renamed] = to_lesmark(imported, lesson_id="demo-l2", lesson_goals=("demo-l2-g1",), taken_ids={"demo-l1-q09"})
    assert (renamed.id, renamed.goals) == ("demo-l2-q-1", ("demo-l2-g1",))


def test_a_new_quiz_file_is_started_when_the_lesson_has_none():
    result = import_questions("Which?{=a ~b}", "gift")
    questions = to_lesmark(result.questions, lesson_id="demo-l1", lesson_goals=("demo-l1-g1",))
    text = append_questions(None, "demo-l1", questions)
    quiz = parse_quiz("quizzes/demo/01-x.md", text)
    assert (quiz.lesson, quiz.final, [q.id for q in quiz.questions]) == ("demo-l1", (), ["demo-l1-q-1"])


def test_markdown_import_reports_broken_questions_by_line_and_keeps_the_good_ones():
    text = ("---\nlesson: demo-l1\nfinal: []\n---\n\n"
            "## demo-q1\ntype: single\ngoals: demo-g1\n\nGood?\n\n- [x] a\n  > A.\n- [ ] b\n  > B.\n\n"
            "## demo-q2\ntype: single\ngoals: demo-g1\n\nNo key?\n\n- [ ] a\n  > A.\n- [ ] b\n  > B.\n")
    result = import_questions(text, "markdown")
    assert [q.id_hint for q in result.questions] == ["demo-q1"]
    assert [(e.line, e.message) for e in result.errors] == [
        (17, "demo-q2: no correct answer (mark one option '- [x]')")]
