"""Slide buttons of the lesson editor as pure text edits: the body is split on '---' lines outside
code fences exactly like the lesson parser does; the front matter and every slide's text stay."""

import pytest

from app.content.editing import edit_slide, lesson_slides
from app.content.lessons import parse_lesson

PATH = "lessons/demo/01-a.md"
FRONT = ("---\nid: demo-l1\ncourse: demo\ntitle: Les 1\nlanguage: nl\nminutes: 5\n"
         "goals:\n  - id: demo-l1-g1\n    text: Doel.\n---\n")
LESSON = (FRONT + "\n# Een\n\nTekst een.\n\n---\n\n# Twee\n\n```\ncode\n---\nnog code\n```\n\n---\n\n"
          "Checkpoint: demo-l1-q01\n")


def titles(text: str) -> list[str]:
    return [s.title or ",".join(s.question_ids) for s in parse_lesson(PATH, text).slides]


def test_the_split_matches_the_parser_and_ignores_a_separator_inside_a_code_fence():
    head, slides = lesson_slides(PATH, LESSON)
    assert "\n".join(head) + "\n" == FRONT
    assert slides == [["# Een", "", "Tekst een."], ["# Twee", "", "```", "code", "---", "nog code", "```"],
                      ["Checkpoint: demo-l1-q01"]]
    assert len(slides) == len(parse_lesson(PATH, LESSON).slides) == 3


def test_a_lesson_in_the_house_layout_comes_back_byte_for_byte_after_moving_a_slide_down_and_up():
    down = edit_slide(PATH, LESSON, 1, "down")
    assert titles(down) == ["Twee", "Een", "demo-l1-q01"]
    assert edit_slide(PATH, down, 2, "up") == LESSON


def test_add_puts_a_new_slide_right_after_the_chosen_one():
    text = edit_slide(PATH, LESSON, 2, "add", "## Nieuwe dia")
    assert titles(text) == ["Een", "Twee", "Nieuwe dia", "demo-l1-q01"]
    assert "```\ncode\n---\nnog code\n```\n\n---\n\n## Nieuwe dia\n\n---\n\nCheckpoint" in text


def test_delete_removes_only_that_slide_and_keeps_the_front_matter():
    text = edit_slide(PATH, LESSON, 2, "delete")
    assert text == FRONT + "\n# Een\n\nTekst een.\n\n---\n\nCheckpoint: demo-l1-q01\n"


def test_a_separator_at_the_start_or_end_of_the_body_is_not_a_slide():
    text = FRONT + "\n---\n\n# Een\n\n---\n\n# Twee\n\n---\n"
    assert edit_slide(PATH, text, 2, "up") == FRONT + "\n# Twee\n\n---\n\n# Een\n"


@pytest.mark.parametrize(("number", "action"), [(1, "up"), (3, "down"), (0, "delete"), (4, "add"), (9, "delete")])
def test_a_slide_or_move_that_does_not_exist_gives_none(number, action):
    assert edit_slide(PATH, LESSON, number, action) is None


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        edit_slide(PATH, LESSON, 1, "split")
