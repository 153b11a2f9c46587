"""Pure edits of a quiz bank: every other question keeps its source byte for byte."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.content import editing
from app.content.quizzes import parse_quiz

ROOT = Path(__file__).resolve().parents[2]
BANK = """---
lesson: demo-l1
final: [demo-l1-q01, demo-l1-q02]
---

<!-- reviewers: checked in November -->

## demo-l1-q01
type: truefalse
goals: demo-l1-g1

Klopt dit?

- [x] Waar
  > Juist.
- [ ] Niet waar
  > Nee.

## demo-l1-q02
type: single
goals: demo-l1-g1
source: 000 s4

Welke?   <!-- keep this comment -->

- [ ] A
  > Nee.
- [x] B
  > Ja.
"""
DRAFT = editing.QuestionDraft(type="multiple", stem="Welke twee?\n\n- [x] not an option", options=(
    ("Een", True, "Ja."), ("Twee", True, "Ja."), ("Drie", False, "Nee.")), goals=("demo-l1-g1",), fixed_order=True)


def bank():
    return editing.layout("quizzes/demo/01-a.md", BANK)


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "quizzes").rglob("*.md")))
def test_splitting_and_joining_a_shipped_bank_gives_it_back_byte_for_byte(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    layout = editing.layout(path, text)
    assert editing.assemble(layout.lesson, layout.final, layout.preamble, layout.order, layout.blocks) == text


def test_a_new_question_is_added_at_the_end_in_the_documented_layout_and_the_rest_is_untouched():
    text = editing.put_question(bank(), "demo-l1-q03", DRAFT, in_final=False)
    assert text.startswith(BANK.rstrip("\n") + "\n\n## demo-l1-q03\n")
    assert text.endswith("## demo-l1-q03\ntype: multiple\ngoals: demo-l1-g1\norder: fixed\n\nWelke twee?\n\n"
                         "\\- [x] not an option\n\n- [x] Een\n  > Ja.\n- [x] Twee\n  > Ja.\n- [ ] Drie\n  > Nee.\n")
    parsed = parse_quiz("quizzes/demo/01-a.md", text)
    assert [q.id for q in parsed.questions] == ["demo-l1-q01", "demo-l1-q02", "demo-l1-q03"]
    assert parsed.questions[2].fixed_order is True and parsed.questions[2].stem == "Welke twee?\n\n\\- [x] not an option"


def test_editing_in_place_keeps_its_position_and_the_final_list_follows_the_tick_box():
    text = editing.put_question(bank(), "demo-l1-q01", DRAFT, in_final=False)
    assert "final: [demo-l1-q02]" in text
    assert text.index("## demo-l1-q01") < text.index("## demo-l1-q02")
    assert "Welke?   <!-- keep this comment -->" in text and "<!-- reviewers: checked in November -->" in text


def test_copy_move_and_remove():
    copied = editing.copy_question(bank(), "demo-l1-q01", "demo-l1-q09")
    assert [q.id for q in parse_quiz("q.md", copied).questions] == ["demo-l1-q01", "demo-l1-q09", "demo-l1-q02"]
    assert "final: [demo-l1-q01, demo-l1-q02]" in copied
    moved = editing.move_question(bank(), "demo-l1-q02", -1)
    assert [q.id for q in parse_quiz("q.md", moved).questions] == ["demo-l1-q02", "demo-l1-q01"]
    assert editing.move_question(bank(), "demo-l1-q02", +1) is None
    removed = editing.remove_question(bank(), "demo-l1-q01")
    assert "demo-l1-q01" not in removed and "final: [demo-l1-q02]" in removed


def test_a_lesson_without_a_bank_gets_a_new_one():
    text = editing.new_bank("demo-l2", "demo-l2-q01", DRAFT, in_final=True)
    quiz = parse_quiz("quizzes/demo/02-b.md", text)
    assert quiz.lesson == "demo-l2" and quiz.final == ("demo-l2-q01",)


def test_new_ids_count_on_from_the_highest_number_and_never_reuse_a_taken_id():
    assert editing.next_question_id("nl-l1", {"nl-l1-q01", "nl-l1-q07", "nl-l2-q30"}) == "nl-l1-q08"
    assert editing.next_question_id("nl-l1", set()) == "nl-l1-q01"
    assert editing.next_question_id("nl-l1", {"nl-l1-q99", "nl-l1-q100"}) == "nl-l1-q101"


def test_editing_a_question_keeps_its_waivers_and_fixed_order():
    text = (
        "---\nlesson: x-l1\nfinal: []\n---\n\n"
        "## x-l1-q01\ntype: single\ngoals: x-l1-g1\norder: fixed\n"
        "waive: key-longest — the key quotes the law word for word\n\n"
        "Which one?\n\n- [x] Alpha\n  > Right.\n- [ ] Beta\n  > Wrong.\n")
    bank = editing.layout("quizzes/x/01-x.md", text)
    draft = editing.draft_of(parse_quiz("quizzes/x/01-x.md", text).questions[0])
    edited = dataclasses.replace(draft, stem="Which one now?", waivers=())
    new_text = editing.put_question(bank, "x-l1-q01", edited, in_final=False)
    question = parse_quiz("quizzes/x/01-x.md", new_text).questions[0]
    assert question.stem == "Which one now?"
    assert question.fixed_order is True
    assert question.waivers == (("key-longest", "the key quotes the law word for word"),)
