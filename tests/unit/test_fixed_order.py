"""`order: fixed` in a quiz file: parsed, checked and carried into the rendered question."""

import pytest

from app.content.loader import load_content
from app.content.model import ContentError
from app.content.quizzes import parse_quiz
from app.content.render import render_lesson

from .test_loader import COURSE, lesson, write_tree

HEAD = "---\nlesson: demo-l1\nfinal: [demo-l1-q01]\n---\n\n"
SCALE = """## demo-l1-q01
type: single
goals: demo-l1-g1
{order}
Hoe vaak moet je een klacht registreren?

- [ ] Nooit.
  > Nee.
- [ ] Soms.
  > Nee.
- [x] Altijd.
  > Juist.
"""


def parse(order_line: str):
    return parse_quiz("quizzes/demo/01-x.md", HEAD + SCALE.format(order=order_line))


def test_order_fixed_marks_the_question_as_keeping_its_order():
    (question,) = parse("order: fixed").questions
    assert question.fixed_order is True


def test_without_an_order_line_the_options_may_be_shuffled():
    (question,) = parse("").questions
    assert question.fixed_order is False


@pytest.mark.parametrize("value", ["random", "Fixed", "fixed please"])
def test_any_other_order_value_is_a_problem_on_its_line(value):
    with pytest.raises(ContentError) as info:
        parse(f"order: {value}")
    assert [str(p) for p in info.value.problems] == [
        "quizzes/demo/01-x.md:9: demo-l1-q01: 'order:' can only be 'fixed' (leave it out to shuffle the options)"]


def test_the_rendered_question_keeps_the_fixed_order_flag(tmp_path):
    quiz = HEAD.replace("demo-l1-q01]", "demo-l1-q01, demo-l1-q02]") + SCALE.format(order="order: fixed") + (
        "\n## demo-l1-q02\ntype: single\ngoals: demo-l1-g1\n\nWie?\n\n- [x] Jij.\n  > Ja.\n"
        "- [ ] Ik.\n  > Nee.\n- [ ] Zij.\n  > Nee.\n")
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE, "lessons/demo/01-a.md": lesson(1), "quizzes/demo/01-a.md": quiz}))
    assert content.problems == []
    rendered = render_lesson(content.lessons["demo-l1"], content.quizzes["demo-l1"], "/glossary")
    assert {q.id: q.fixed_order for q in rendered.questions} == {"demo-l1-q01": True, "demo-l1-q02": False}
