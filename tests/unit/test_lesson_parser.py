"""Lesson files -> plain data, or precise `path:line: message` problems."""

import pytest

from app.content.lessons import expand_screens, parse_lesson
from app.content.model import ContentError

GOOD = """---
id: demo-l1
course: demo
title: Klantloyaliteit
language: nl
minutes: 10
goals:
  - id: demo-l1-g1
    text: Je kunt loyaliteit uitleggen.
  - id: demo-l1-g2
    text: Je kunt voordelen noemen.
---

# Klantloyaliteit

Intro met een [[retentie]]-link.

Notes:
Alleen voor de docent.

---

## Code

```
---
not a separator
```

<!-- source: 000 s4 -->

---

Checkpoint: demo-l1-q01, demo-l1-q02

---

## Samenvatting
- Klaar.
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ContentError) as info:
        parse_lesson("lessons/demo/01-x.md", text)
    return [str(p) for p in info.value.problems]


def test_a_valid_lesson_parses_into_slides_goals_and_links():
    lesson = parse_lesson("lessons/demo/01-x.md", GOOD)
    assert lesson.id == "demo-l1" and lesson.minutes == 10 and lesson.language == "nl"
    assert [g.id for g in lesson.goals] == ["demo-l1-g1", "demo-l1-g2"]
    assert [s.kind for s in lesson.slides] == ["content", "content", "checkpoint", "content"]
    assert lesson.slides[0].title == "Klantloyaliteit"
    assert lesson.slides[0].notes == "Alleen voor de docent."
    assert "Alleen voor de docent" not in lesson.slides[0].body
    assert lesson.slides[2].question_ids == ("demo-l1-q01", "demo-l1-q02")
    assert [link.term for link in lesson.glossary_links] == ["retentie"]
    assert lesson.folder == "demo" and lesson.stem == "01-x"


def test_a_separator_inside_a_code_fence_does_not_split_the_slide():
    lesson = parse_lesson("lessons/demo/01-x.md", GOOD)
    assert "not a separator" in lesson.slides[1].body


def test_each_checkpoint_question_becomes_its_own_numbered_screen():
    screens = expand_screens(parse_lesson("lessons/demo/01-x.md", GOOD))
    assert [(s.position, s.kind) for s in screens] == [
        (1, "content"), (2, "content"), (3, "question"), (4, "question"), (5, "content")]
    assert (screens[3].question_id, screens[3].checkpoint_item, screens[3].checkpoint_size) == ("demo-l1-q02", 2, 2)


def test_missing_front_matter_is_reported_on_line_1():
    assert problems_of("# Just a slide\n") == [
        "lessons/demo/01-x.md:1: front matter missing: the file must start with a '---' line"]


def test_unclosed_front_matter_is_reported():
    assert "front matter is not closed" in problems_of("---\nid: x\n")[0]


def test_invalid_yaml_points_at_its_line():
    text = GOOD.replace("minutes: 10", "minutes: [10")
    (problem,) = problems_of(text)
    assert problem.startswith("lessons/demo/01-x.md:") and "bad front matter" in problem


def test_every_front_matter_problem_is_listed_with_its_line():
    text = GOOD.replace("minutes: 10", "minutes: lots").replace("language: nl", "language: Dutch!").replace(
        "title: Klantloyaliteit\n", "")
    found = problems_of(text)
    assert "lessons/demo/01-x.md:1: front matter: 'title' is required" in found
    assert "lessons/demo/01-x.md:4: front matter: language 'Dutch!' is not a language code such as 'nl' or 'hu'" in found
    assert "lessons/demo/01-x.md:5: front matter: 'minutes' must be a whole number from 1 to 600" in found


def test_unknown_front_matter_field_is_named():
    found = problems_of(GOOD.replace("minutes: 10", "minutes: 10\nauthor: me"))
    assert found == ["lessons/demo/01-x.md:7: front matter: unknown field 'author' (allowed: course, final_includes_optional, goals, id, language, minutes, title, tries)"]


def test_duplicate_goal_ids_are_reported():
    found = problems_of(GOOD.replace("id: demo-l1-g2", "id: demo-l1-g1"))
    assert any("duplicate goal id 'demo-l1-g1'" in p for p in found)


def test_goal_ids_must_start_with_the_lesson_id():
    found = problems_of(GOOD.replace("id: demo-l1-g2", "id: other-g2"))
    assert found == ["lessons/demo/01-x.md:10: goal id 'other-g2' must start with the lesson id 'demo-l1-'"]


def test_an_empty_slide_is_reported_with_its_line():
    text = GOOD.replace("---\n\n## Samenvatting", "---\n\n---\n\n## Samenvatting")
    found = problems_of(text)
    assert len(found) == 1 and found[0].endswith(": empty slide")
    line = int(found[0].split(":")[1])
    assert text.splitlines()[line - 2] == "---"


def test_a_slide_with_only_notes_is_reported():
    text = GOOD.replace("## Samenvatting\n- Klaar.\n", "Notes:\nalleen notities\n")
    assert problems_of(text)[0].endswith("slide has speaker notes but no content")


def test_a_checkpoint_slide_may_hold_nothing_else():
    text = GOOD.replace("Checkpoint: demo-l1-q01, demo-l1-q02", "Some text\n\nCheckpoint: demo-l1-q01")
    assert "a checkpoint slide may hold only the 'Checkpoint:' line" in problems_of(text)[0]


def test_a_checkpoint_needs_question_ids_and_no_repeats():
    assert "checkpoint names no question ids" in problems_of(GOOD.replace(" demo-l1-q01, demo-l1-q02", ""))[0]
    repeated = GOOD.replace("demo-l1-q01, demo-l1-q02", "demo-l1-q01, demo-l1-q01")
    assert "checkpoint names the same question twice" in problems_of(repeated)[0]


def test_goals_must_be_a_list_of_id_and_text():
    text = GOOD.replace("goals:\n  - id: demo-l1-g1\n    text: Je kunt loyaliteit uitleggen.\n", "goals:\n  - just text\n")
    assert any("needs the fields 'id' and 'text'" in p for p in problems_of(text))


def test_a_huge_file_is_refused_before_parsing():
    assert "file is too large" in problems_of("---\n" + "x" * 400_000)[0]


def test_nested_lists_use_two_spaces_per_level():
    nested = GOOD.replace("## Samenvatting\n- Klaar.\n", "## Samenvatting\n- Klaar.\n  - ook dit\n    - en dit\n- Einde\n")
    parse_lesson("lessons/demo/01-x.md", nested)
    four = GOOD.replace("## Samenvatting\n- Klaar.\n", "## Samenvatting\n- Klaar.\n    - te diep\n")
    (problem,) = problems_of(four)
    assert problem.endswith("nested list items are indented by two spaces per level")
    assert four.splitlines()[int(problem.split(":")[1]) - 1] == "    - te diep"


def test_two_space_nested_lists_render_as_nested_lists():
    from app.content.render import render_markdown

    html = render_markdown("- a\n  - b\n- c\n")
    assert html.count("<ul>") == 2 and "<li>a<ul>" in html
