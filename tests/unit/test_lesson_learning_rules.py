"""Front matter for checkpoint tries and optional goals (issue 10 points 5 and 7)."""

import pytest

from app.content.lessons import parse_lesson
from app.content.model import ContentError

from .test_lesson_parser import GOOD


def parsed(text: str):
    return parse_lesson("lessons/demo/01-x.md", text)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ContentError) as info:
        parsed(text)
    return [str(p) for p in info.value.problems]


def with_front(extra: str) -> str:
    return GOOD.replace("minutes: 10\n", "minutes: 10\n" + extra, 1)


def test_a_lesson_gives_two_tries_per_checkpoint_unless_it_says_otherwise():
    assert parsed(GOOD).checkpoint_tries == 2
    assert parsed(with_front("tries: 1\n")).checkpoint_tries == 1
    assert parsed(with_front("tries: 2\n")).checkpoint_tries == 2


@pytest.mark.parametrize("value", ["0", "3", "true", "twee", "1.5"])
def test_tries_other_than_one_or_two_is_a_problem_with_its_line(value):
    assert problems_of(with_front(f"tries: {value}\n")) == [
        "lessons/demo/01-x.md:7: front matter: 'tries' must be 1 or 2"]


def test_a_goal_may_be_marked_optional_and_goals_are_required_by_default():
    text = GOOD.replace("    text: Je kunt voordelen noemen.\n",
                        "    text: Je kunt voordelen noemen.\n    optional: true\n")
    goals = parsed(text).goals
    assert [(g.id, g.optional) for g in goals] == [("demo-l1-g1", False), ("demo-l1-g2", True)]


def test_optional_must_be_true_or_false():
    text = GOOD.replace("    text: Je kunt voordelen noemen.\n",
                        "    text: Je kunt voordelen noemen.\n    optional: ja\n")
    assert any("goal 2: 'optional' must be true or false" in p for p in problems_of(text))


def test_a_goal_with_an_unknown_field_is_refused():
    text = GOOD.replace("    text: Je kunt voordelen noemen.\n",
                        "    text: Je kunt voordelen noemen.\n    weight: 2\n")
    assert any("goal 2: needs the fields 'id' and 'text'" in p for p in problems_of(text))


def test_the_final_quiz_leaves_optional_goals_out_unless_the_lesson_includes_them():
    assert parsed(GOOD).final_includes_optional is False
    assert parsed(with_front("final_includes_optional: true\n")).final_includes_optional is True
    assert problems_of(with_front("final_includes_optional: 1\n")) == [
        "lessons/demo/01-x.md:7: front matter: 'final_includes_optional' must be true or false"]
