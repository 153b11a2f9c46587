"""The quiz editor shows the item-writing checker's warnings (issue 10 point 4, the editor part):
for the question being edited and for the whole bank, with translated rule names and the
waiver syntax; the same rules as `flask content check`."""

from __future__ import annotations

import re

from .test_teach_quiz_editor import new_question, world  # noqa: F401 (world is a fixture)

ALL_OF_THE_ABOVE = (("Klanten behouden", True, "Juist."), ("Klanten werven", False, "Nee, dat is acquisitie."),
                    ("Alle bovenstaande", False, "Nee, werven hoort er niet bij."))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_editor_names_the_flaw_of_the_question_being_edited_and_how_to_waive_it(world):  # noqa: F811
    question_id = new_question(world, stem="Wat hoort bij retentie?", options=ALL_OF_THE_ABOVE)
    page = text_of(world.clients["owner"].get(
        f"/teach/lessons/demo-l1/questions/{question_id}/edit").get_data(as_text=True))
    assert "Item-writing checks for this question" in page
    assert f'{question_id} : "All of the above" as an option ( all-of-the-above , line' in page
    assert "waive: all-of-the-above — reason" in page


def test_a_question_without_flaws_shows_no_warnings(world):  # noqa: F811
    page = world.clients["owner"].get("/teach/lessons/demo-l1/questions/demo-l1-q01/edit").get_data(as_text=True)
    assert "Item-writing checks" not in page


def test_the_bank_page_lists_every_questions_warnings(world):  # noqa: F811
    flawed = new_question(world, stem="Wat hoort er bij klantbinding?", options=ALL_OF_THE_ABOVE)
    page = text_of(world.clients["owner"].get("/teach/lessons/demo-l1/questions").get_data(as_text=True))
    assert "Item-writing checks for this quiz bank" in page
    assert f'{flawed} : "All of the above" as an option' in page
    assert "demo-l1-q01 :" not in page  # the true/false question breaks no rule
