"""Hostile content files: every parser answers quickly with data or `path:line` problems, never hangs or crashes."""

# Time bounds use the CPU time of this thread (time.thread_time): neither other processes on a busy
# machine nor background threads of earlier tests (browser, servers) can fail them.

import re
import time

import pytest

from app.content import courses, frontmatter, lessons, quizzes
from app.content.courses import parse_course, parse_glossary
from app.content.lessons import heading_title, parse_lesson
from app.content.model import MAX_PROBLEMS_PER_FILE, ContentError
from app.content.quizzes import parse_quiz

LESSON = """---
id: demo-l1
course: demo
title: Klantloyaliteit
language: nl
minutes: 10
goals:
  - id: demo-l1-g1
    text: Je kunt loyaliteit uitleggen.
---

# Klantloyaliteit

Tekst.
"""
QUIZ_HEAD = "---\nlesson: demo-l1\nfinal: [demo-l1-q01]\n---\n\n"
QUESTION = """## demo-l1-q01
type: single
goals: demo-l1-g1
source: 000 s3
rationale: The definition.

Wat is loyaliteit?

- [ ] Een aankoop.
  > Nee.
- [x] Een band.
  > Juist.
"""
COURSE = "---\nid: demo\ntitle: Demo\nlanguage: nl\nlevel: mbo 3\ndescription: Een cursus.\n---\n"
GLOSSARY = "---\ncourse: demo\n---\n\nretentie\n: Klanten behouden.\n: en: retention\n"


def problems_of(parser, text: str, path: str = "lessons/demo/01-x.md") -> list[str]:
    with pytest.raises(ContentError) as info:
        parser(path, text)
    return [str(p) for p in info.value.problems]


def timed(function, *args):
    start = time.thread_time()
    try:
        result = function(*args)
    except ContentError as exc:
        result = exc
    return result, time.thread_time() - start


# --- regular expressions that backtracked --------------------------------------------------

def test_a_heading_with_thousands_of_inner_spaces_parses_in_milliseconds():
    text = LESSON.replace("# Klantloyaliteit", "# a" + " " * 6_000 + "b")
    lesson, seconds = timed(parse_lesson, "lessons/demo/01-x.md", text)
    assert seconds < 0.1
    assert isinstance(lesson, ContentError)  # the title is longer than 300 characters
    assert [p.message for p in lesson.problems] == ["slide title is longer than 300 characters"]


@pytest.mark.parametrize("line", [
    "# a" + " " * 50_000 + "b",
    "## " + "# " * 25_000 + "x",
    "#" + " \t" * 25_000,
    "<!--" + " -->" * 20_000 + " x",
    "<!--" + "-" * 50_000,
    "- " + " " * 50_000 + "[x",
    "[[" + "a|" * 25_000,
    "[[" + "a" * 50_000 + "|",
    " " * 50_000 + "1" * 50_000 + "x",
    "Checkpoint: " + ", " * 25_000 + "!",
])
def test_no_line_makes_the_lesson_parser_backtrack(line):
    text = LESSON.replace("Tekst.", line)
    _, seconds = timed(parse_lesson, "lessons/demo/01-x.md", text)
    assert seconds < 0.25


@pytest.mark.parametrize("line", [
    "## " + " " * 50_000 + "x" * 50_000 + " " * 50_000 + "!",
    "type:" + " " * 100_000 + "x",
    "- " + " " * 100_000 + "x",
    "-" + " [" * 50_000,
    "  " + " " * 100_000 + "x",
])
def test_no_line_makes_the_quiz_parser_backtrack(line):
    _, seconds = timed(parse_quiz, "quizzes/demo/01-x.md", QUIZ_HEAD + QUESTION + "\n" + line + "\n")
    assert seconds < 0.25


def test_every_pattern_in_the_content_package_is_linear_on_long_runs_of_its_own_characters():
    patterns = [value for module in (frontmatter, lessons, quizzes, courses)
                for value in vars(module).values() if isinstance(value, re.Pattern)]
    assert len(patterns) >= 8
    for pattern in patterns:
        alphabet = sorted(set(re.sub(r"\\[a-zA-Z]", "", pattern.pattern)) | {" ", "a", "\t", "#", "-", "1"})
        for char in alphabet:
            for text in (char * 5_000 + "\x01", (char + " ") * 2_500 + "\x01", "# a" + char * 5_000 + "b",
                         "## " + char * 5_000 + "x" + char * 5_000 + "!"):
                start = time.thread_time()
                pattern.search(text)
                assert time.thread_time() - start < 0.05, (pattern.pattern, char)


def test_heading_titles_drop_closing_hashes_and_ignore_deeper_headings():
    assert heading_title("#  Klant  ##  ") == "Klant"
    assert heading_title("## C# in de klas") == "C# in de klas"
    assert heading_title("### Te diep") is None
    assert heading_title("#Geen spatie") is None
    assert heading_title("#   ") is None


def test_a_comment_line_is_not_slide_content():
    (problem,) = problems_of(parse_lesson, LESSON.replace("# Klantloyaliteit\n\nTekst.\n", "<!-- only a comment -->\n"))
    assert problem.endswith(": empty slide")


# --- YAML front matter ------------------------------------------------------------------------

ALIAS_BOMB = """---
id: demo-l1
course: demo
title: x
language: nl
minutes: 5
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
goals:
  - id: demo-l1-g1
    text: *f
---

# x
"""


def test_a_yaml_alias_bomb_is_refused_at_the_first_anchor():
    problems, seconds = timed(parse_lesson, "lessons/demo/01-x.md", ALIAS_BOMB)
    assert seconds < 0.1
    assert [str(p) for p in problems.problems] == [
        "lessons/demo/01-x.md:7: bad front matter: anchors and aliases (&name, *name) are not allowed"]


def test_a_single_alias_is_refused_with_its_line():
    text = LESSON.replace("title: Klantloyaliteit", "title: &t Klantloyaliteit").replace(
        "text: Je kunt loyaliteit uitleggen.", "text: *t")
    assert problems_of(parse_lesson, text) == [
        "lessons/demo/01-x.md:4: bad front matter: anchors and aliases (&name, *name) are not allowed"]


@pytest.mark.parametrize("parser,text", [
    (parse_lesson, "---\nid: " + "[" * 5_000 + "]" * 5_000 + "\n---\n\n# x\n"),
    (parse_course, "---\nid: " + "{a: " * 5_000 + "}" * 5_000 + "\n---\n"),
    (parse_glossary, "---\ncourse: " + "[" * 50_000 + "\n---\n"),
    (parse_quiz, "---\nlesson: x\nfinal:\n" + "".join("  " * i + "- \n" for i in range(150)) + "---\n"),
])
def test_deeply_nested_front_matter_is_one_problem_not_a_recursion_error(parser, text):
    problems, seconds = timed(parser, "lessons/demo/course.md", text)
    assert seconds < 0.25
    assert isinstance(problems, ContentError)
    assert any("nested too deeply" in p.message or "front matter is longer" in p.message for p in problems.problems)


@pytest.mark.parametrize("value,message", [
    ("2025-02-30", "day is out of range for month"),
    ("9" * 5_000, "Exceeds the limit"),
])
def test_a_yaml_value_python_cannot_build_is_a_problem(value, message):
    (problem,) = problems_of(parse_lesson, LESSON.replace("title: Klantloyaliteit", f"title: {value}"))
    assert problem.startswith("lessons/demo/01-x.md:1: bad front matter: a value cannot be read (")
    assert message in problem


def test_a_repeated_front_matter_key_is_reported_on_its_second_line():
    text = LESSON.replace("minutes: 10", "minutes: 10\ntitle: Tweede titel")
    assert problems_of(parse_lesson, text) == [
        "lessons/demo/01-x.md:7: bad front matter: the key 'title' is given twice"]


def test_front_matter_over_the_line_cap_is_refused():
    text = LESSON.replace("minutes: 10", "minutes: 10\n" + "# comment\n" * 300)
    assert problems_of(parse_lesson, text) == ["lessons/demo/01-x.md:1: front matter is longer than 200 lines"]


def test_front_matter_over_the_character_cap_is_refused():
    text = LESSON.replace("minutes: 10", "minutes: 10\n# " + "x" * 30_000)
    assert problems_of(parse_lesson, text) == ["lessons/demo/01-x.md:1: front matter is longer than 20000 characters"]


def test_unknown_yaml_tags_are_a_problem():
    (problem,) = problems_of(parse_lesson, LESSON.replace("title: Klantloyaliteit", "title: !!python/object:os.system x"))
    assert problem.startswith("lessons/demo/01-x.md:4: bad front matter:")


# --- a type and a length for every field -----------------------------------------------------

@pytest.mark.parametrize("yaml_value", ["[a, b]", "{a: b}", "2025-01-01", "yes", "!!binary aGVsbG8="])
@pytest.mark.parametrize("field", ["title", "id", "course", "language"])
def test_a_lesson_text_field_that_is_not_text_is_a_problem_on_its_line(field, yaml_value):
    text = re.sub(rf"^{field}: .*$", f"{field}: {yaml_value}", LESSON, count=1, flags=re.M)
    line = text.splitlines().index(f"{field}: {yaml_value}") + 1
    assert f"lessons/demo/01-x.md:{line}: front matter: '{field}' must be text" in problems_of(parse_lesson, text)


@pytest.mark.parametrize("goal_text,message", [
    ("[a, b]", "goal 1: 'text' must be text"),
    ("{a: b}", "goal 1: 'text' must be text"),
    ("''", "goal 1: 'text' is empty"),
    ("x" * 501, "goal 1: 'text' is longer than 500 characters"),
])
def test_goal_texts_must_be_text_of_bounded_length(goal_text, message):
    text = LESSON.replace("text: Je kunt loyaliteit uitleggen.", f"text: {goal_text}")
    assert problems_of(parse_lesson, text) == [f"lessons/demo/01-x.md:8: {message}"]


def test_a_goal_id_that_is_a_list_is_a_problem_not_a_string_of_brackets():
    text = LESSON.replace("  - id: demo-l1-g1", "  - id: [demo-l1-g1]")
    assert problems_of(parse_lesson, text) == ["lessons/demo/01-x.md:7: goal 1: 'id' must be text"]


def test_ids_are_at_most_80_characters():
    long_id = "demo-" + "a" * 80
    found = problems_of(parse_lesson, LESSON.replace("id: demo-l1\n", f"id: {long_id}\n"))
    assert "lessons/demo/01-x.md:2: front matter: 'id' is longer than 80 characters" in found


def test_more_goals_than_allowed_are_refused_without_checking_each():
    goals = "".join(f"  - id: demo-l1-g{i}\n    text: Doel.\n" for i in range(5_000))
    text = LESSON.replace("  - id: demo-l1-g1\n    text: Je kunt loyaliteit uitleggen.\n", goals)
    found, seconds = timed(parse_lesson, "lessons/demo/01-x.md", text)
    assert isinstance(found, ContentError) and seconds < 0.5
    assert "front matter is longer than 200 lines" in found.problems[0].message


def test_checkpoint_ids_are_checked_like_every_other_id():
    text = LESSON + "\n---\n\nCheckpoint: demo-l1-q01, Bad_Id\n"
    assert problems_of(parse_lesson, text) == [
        "lessons/demo/01-x.md:18: checkpoint question id 'Bad_Id' must use only a-z, 0-9 and hyphens "
        "(at most 80 characters)"]
    many = LESSON + "\n---\n\nCheckpoint: " + ", ".join(f"demo-l1-q{i}" for i in range(21)) + "\n"
    assert problems_of(parse_lesson, many) == ["lessons/demo/01-x.md:18: a checkpoint holds at most 20 questions"]


@pytest.mark.parametrize("field,value,message", [
    ("title", "[a]", "front matter: 'title' must be text"),
    ("level", "{a: 1}", "front matter: 'level' must be text"),
    ("level", "x" * 301, "front matter: 'level' is longer than 300 characters"),
    ("description", "[a]", "front matter: 'description' must be text"),
    ("description", "x" * 1_001, "front matter: 'description' is longer than 1000 characters"),
    ("language", "true", "front matter: 'language' must be text"),
])
def test_course_fields_have_types_and_lengths(field, value, message):
    text = re.sub(rf"^{field}: .*$", f"{field}: {value}", COURSE, count=1, flags=re.M)
    line = text.splitlines().index(f"{field}: {value}") + 1
    assert problems_of(parse_course, text, "lessons/demo/course.md") == [f"lessons/demo/course.md:{line}: {message}"]


@pytest.mark.parametrize("body,message", [
    ("t" * 201 + "\n: Definitie.\n", "lessons/demo/glossary.md:5: term 'tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt…' "
                                     "is longer than 200 characters"),
    ("term\n: " + "d" * 1_001 + "\n", "lessons/demo/glossary.md:5: definition of 'term' is longer than 1000 characters"),
    ("term\n: Definitie.\n: en: " + "e" * 201 + "\n", "lessons/demo/glossary.md:5: English term for 'term' is longer than 200 characters"),
])
def test_glossary_terms_definitions_and_english_have_lengths(body, message):
    assert problems_of(parse_glossary, "---\ncourse: demo\n---\n\n" + body, "lessons/demo/glossary.md") == [message]


def test_a_glossary_holds_a_bounded_number_of_terms():
    body = "".join(f"term {i}\n: Definitie.\n" for i in range(1_001))
    found = problems_of(parse_glossary, "---\ncourse: demo\n---\n\n" + body, "lessons/demo/glossary.md")
    assert found == ["lessons/demo/glossary.md:2005: a glossary holds at most 1000 terms"]


@pytest.mark.parametrize("replace,message", [
    (("source: 000 s3", "source: " + "s" * 301), "quizzes/demo/01-x.md:9: demo-l1-q01: 'source:' is longer than 300 characters"),
    (("rationale: The definition.", "rationale: " + "r" * 2_001),
     "quizzes/demo/01-x.md:10: demo-l1-q01: 'rationale:' is longer than 2000 characters"),
    (("  > Juist.", "  > " + "f" * 2_001), "quizzes/demo/01-x.md:16: demo-l1-q01: feedback longer than 2000 characters"),
    (("- [x] Een band.", "- [x] " + "o" * 1_001), "quizzes/demo/01-x.md:16: demo-l1-q01: option text longer than 1000 characters"),
    (("goals: demo-l1-g1", "goals: Demo_G1"), "quizzes/demo/01-x.md:8: demo-l1-q01: goal id 'Demo_G1' must use only a-z, 0-9 and hyphens"),
    (("## demo-l1-q01", "## demo-" + "q" * 80),
     "quizzes/demo/01-x.md:6: question heading must be '## question-id' (a-z, 0-9, hyphens; at most 80 characters)"),
])
def test_question_fields_have_lengths_and_forms(replace, message):
    found = problems_of(parse_quiz, QUIZ_HEAD + QUESTION.replace(*replace), "quizzes/demo/01-x.md")
    assert message in found


@pytest.mark.parametrize("final", ["yes", "12", "{a: b}", "[[a]]", "[1, 2]"])
def test_a_final_list_that_is_not_a_list_of_ids_is_a_problem(final):
    head = QUIZ_HEAD.replace("final: [demo-l1-q01]", f"final: {final}")
    assert problems_of(parse_quiz, head + QUESTION, "quizzes/demo/01-x.md") == [
        "quizzes/demo/01-x.md:3: front matter: 'final' must be a list of question ids"]


def test_a_final_list_longer_than_the_question_cap_is_refused():
    head = QUIZ_HEAD.replace("final: [demo-l1-q01]", "final: [" + ", ".join(f"q{i}" for i in range(201)) + "]")
    assert problems_of(parse_quiz, head + QUESTION, "quizzes/demo/01-x.md") == [
        "quizzes/demo/01-x.md:3: front matter: 'final' lists more than 200 questions"]


def test_a_file_with_thousands_of_problems_reports_a_bounded_list():
    body = "".join(f"## Vraag {i}\n\n" for i in range(150))
    found = problems_of(parse_quiz, QUIZ_HEAD + body, "quizzes/demo/01-x.md")
    assert len(found) == MAX_PROBLEMS_PER_FILE + 1
    assert found[-1].endswith(f"... and {150 + 1 - MAX_PROBLEMS_PER_FILE} more problems")


# --- parse + render of one file within a second ----------------------------------------------

from app.content.loader import load_sources  # noqa: E402
from app.content.render import (  # noqa: E402
    FILE_BUDGET,
    TEXT_BUDGET,
    check_rendered,
    complexity_problem,
    markdown_cost,
    render_glossary,
    render_lesson,
)


def slide_at_the_text_budget(unit: str) -> str:
    """A slide (heading and body) repeating `unit` as often as the guard allows."""
    low, high = 1, 20_000 // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        if complexity_problem(f"## Dia\n\n{unit * middle}".strip("\n")):
            high = middle - 1
        else:
            low = middle
    return f"## Dia\n\n{unit * low}".strip("\n")


def lesson_with_slides(slides: list[str]) -> str:
    return LESSON + "".join(f"\n---\n\n{body}\n" for body in slides)


def check_one_lesson(text: str):
    """What `flask content check` does for one lesson file: parse, cross-check, render."""
    content = load_sources({"lessons/demo/course.md": COURSE, "lessons/demo/01-x.md": text})
    return content.problems + check_rendered(content)


@pytest.mark.parametrize("unit", ["***\n", "# x\n", "[a](b) ", "<b>x</b> ", "&amp;", "``a` "])
def test_a_lesson_just_under_the_file_budget_is_checked_within_a_second(unit):
    slide = slide_at_the_text_budget(unit)
    count = int(FILE_BUDGET // markdown_cost(slide))
    text = lesson_with_slides([slide] * count)
    start = time.thread_time()
    problems = check_one_lesson(text)
    assert time.thread_time() - start < 1.0
    assert problems == []


@pytest.mark.parametrize("unit", ["***\n", "[a](b) ", "&amp;"])
def test_a_lesson_over_the_file_budget_is_reported_as_too_complex_without_rendering(unit):
    slide = slide_at_the_text_budget(unit)
    text = lesson_with_slides([slide] * 12)
    start = time.thread_time()
    problems = check_one_lesson(text)
    assert time.thread_time() - start < 0.5
    assert [str(p) for p in problems] == [
        "lessons/demo/01-x.md:1: too complex: this file holds more Markdown than can be rendered within a second; "
        "split it or simplify it"]


def test_one_slide_over_the_text_budget_is_a_problem_at_its_line():
    assert complexity_problem("## Dia\n\n" + "[" + "a " * 300) is None
    text = lesson_with_slides(["## Dia\n\nok", "## Dia\n\n" + ("[" + "a " * 300) * 30])
    problems = [str(p) for p in check_one_lesson(text)]
    assert len(problems) == 1
    last_separator = max(i for i, line in enumerate(text.splitlines()) if line == "---")
    line = last_separator + 2  # a slide starts on the line after its '---' (0-based index + 2)
    assert problems[0].startswith(f"lessons/demo/01-x.md:{line}: slide cannot be rendered: too complex:")


def test_a_quiz_over_the_file_budget_is_a_problem_of_the_quiz_file():
    lesson = parse_lesson("lessons/demo/01-x.md", LESSON)
    stem = "Een **vraag** met [een link](https://example.org). " * 90
    assert complexity_problem(stem) is None  # each question alone is fine; all 59 together are not
    question = QUESTION.replace("Wat is loyaliteit?", stem)
    body = "".join(question.replace("demo-l1-q01", f"demo-l1-q{i:02}") for i in range(1, 60))
    quiz = parse_quiz("quizzes/demo/01-x.md", QUIZ_HEAD + body)
    with pytest.raises(ContentError) as info:
        render_lesson(lesson, quiz, "/courses/demo/glossary")
    assert [str(p) for p in info.value.problems] == [
        "quizzes/demo/01-x.md:1: too complex: this file holds more Markdown than can be rendered within a second; "
        "split it or simplify it"]


def test_a_glossary_definition_that_cannot_be_rendered_is_a_problem_at_its_term():
    glossary = parse_glossary("lessons/demo/glossary.md", GLOSSARY + "\nhaken\n: " + "[a" * 400 + "\n")
    with pytest.raises(ContentError) as info:
        render_glossary(glossary)
    (problem,) = info.value.problems
    assert str(problem).startswith("lessons/demo/glossary.md:9: definition of 'haken' cannot be rendered: too complex:")


def test_render_glossary_returns_the_entries_as_stored():
    (entry,) = render_glossary(parse_glossary("lessons/demo/glossary.md", GLOSSARY))
    assert entry == {"term": "retentie", "anchor": "term-retentie", "definition_html": "Klanten behouden.",
                     "english": "retention"}
    assert TEXT_BUDGET < FILE_BUDGET


def test_a_control_character_in_the_front_matter_is_reported_on_its_line():
    assert problems_of(parse_lesson, LESSON.replace("title: Klantloyaliteit", "title: Klant\x07loyaliteit")) == [
        "lessons/demo/01-x.md:4: bad front matter: control character U+0007 is not allowed"]


def test_one_hostile_slide_is_reported_at_its_line_not_as_a_whole_file():
    text = lesson_with_slides(["## Dia\n\n" + "[a" * 10_000])
    assert [str(p) for p in check_one_lesson(text)] == [
        "lessons/demo/01-x.md:17: slide cannot be rendered: text is longer than 20000 characters"]
    text = lesson_with_slides(["## Dia\n\n" + "[a" * 5_000])
    assert [str(p) for p in check_one_lesson(text)] == [
        "lessons/demo/01-x.md:17: slide cannot be rendered: too complex: brackets nested (or left open) "
        "more than 32 levels deep"]
