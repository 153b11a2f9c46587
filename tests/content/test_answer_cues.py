"""The shipped quizzes give a test-wise student no cue to the key, and student-facing text holds
no internal remarks (issue 10, points 3 and 8)."""

import re
from collections import Counter, defaultdict

import pytest

from app.content.loader import load_content

from ..support import ROOT

CONTENT = load_content(ROOT)
LANGUAGES = ("nl", "hu", "fi")


def questions_in_file_order(language: str | None = None):
    for lesson_id, quiz in sorted(CONTENT.quizzes.items()):
        if language is None or CONTENT.lessons[lesson_id].language == language:
            yield from quiz.questions


def single_choice(language: str | None = None):
    return [q for q in questions_in_file_order(language) if q.type == "single"]


def key_is_strictly_longest(question) -> bool:
    (key,) = question.correct_indexes
    lengths = [len(option.text) for option in question.options]
    return all(lengths[key] > length for i, length in enumerate(lengths) if i != key)


def share_where_key_is_longest(questions) -> float:
    return sum(key_is_strictly_longest(q) for q in questions) / len(questions)


# --- the rules themselves, on hand-made items -------------------------------------------------

class Item:
    def __init__(self, *options: tuple[str, bool]):
        self.options = [type("Option", (), {"text": text, "correct": right}) for text, right in options]
        self.correct_indexes = frozenset(i for i, (_text, right) in enumerate(options) if right)


def test_a_key_longer_than_every_distractor_counts_as_longest():
    assert key_is_strictly_longest(Item(("Kort.", False), ("Een veel langer antwoord.", True), ("Ook kort.", False)))


def test_a_key_as_long_as_a_distractor_is_not_strictly_longest():
    assert not key_is_strictly_longest(Item(("Twaalf tekens", False), ("Twaalf tekens", True)))


# --- the shipped content -----------------------------------------------------------------------

def test_every_language_has_enough_single_choice_items_to_measure():
    assert {language: len(single_choice(language)) >= 10 for language in LANGUAGES} == dict.fromkeys(LANGUAGES, True)


def test_the_key_is_the_longest_option_in_at_most_35_percent_of_all_single_choice_items():
    assert share_where_key_is_longest(single_choice()) <= 0.35


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_key_is_the_longest_option_in_at_most_40_percent_per_language(language):
    longest = [q.id for q in single_choice(language) if key_is_strictly_longest(q)]
    assert len(longest) / len(single_choice(language)) <= 0.40, longest


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_option_position_holds_more_than_45_percent_of_the_keys_per_language(language):
    questions = single_choice(language)
    positions = Counter(next(iter(q.correct_indexes)) for q in questions)
    position, count = positions.most_common(1)[0]
    assert count / len(questions) <= 0.45, f"position {position + 1} holds {count} of {len(questions)} keys"


@pytest.mark.parametrize("language", LANGUAGES)
def test_multiple_response_items_vary_where_their_right_options_stand(language):
    items = [q for q in questions_in_file_order(language) if q.type == "multiple"]
    assert len(items) >= 3
    right_first = [q.id for q in items if q.correct_indexes == frozenset(range(len(q.correct_indexes)))]
    patterns = {tuple(sorted(q.correct_indexes)) for q in items}
    assert len(right_first) <= len(items) // 2, f"right options all first in {right_first}"
    assert len(patterns) >= 2, f"every item puts its right options at {patterns}"


# --- point 8: no internal remarks where students or teachers read -----------------------------

HINT_IN_STEM = re.compile(r"kies alle juiste|jelöl(?:d|j) (?:meg|be) (?:az összes|minden)|valitse kaikki", re.I)
UNNAMED_SOURCE = re.compile(r"\b(?:a forrás|forrásban|forrás szerint|lähteen|lähteessä|lähde)\b", re.I)
QUESTION_ID = re.compile(r"\b[a-z]{2}-l\d+-q\d+\b")
REVIEW_REMARK = re.compile(r"controleer|in het leerboek|bronles|reviewer|tarkista|ellenőrizzük|a tananyag készítőjé", re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)


def student_text(slide) -> str:
    return COMMENT.sub("", slide.body)


def test_no_stem_repeats_the_choose_all_hint_the_quiz_page_already_shows():
    assert [q.id for q in questions_in_file_order() if HINT_IN_STEM.search(q.stem)] == []


def test_no_slide_or_stem_points_students_to_an_unnamed_source():
    slides = [f"{lesson.id} slide {n}" for lesson in CONTENT.lessons.values()
              for n, slide in enumerate(lesson.slides, start=1) if UNNAMED_SOURCE.search(student_text(slide))]
    stems = [q.id for q in questions_in_file_order() if UNNAMED_SOURCE.search(q.stem)]
    assert slides == [] and stems == []


def test_teacher_notes_hold_no_question_ids_or_review_remarks():
    remarks = defaultdict(list)
    for lesson in CONTENT.lessons.values():
        for number, slide in enumerate(lesson.slides, start=1):
            for pattern in (QUESTION_ID, REVIEW_REMARK):
                remarks[f"{lesson.id} slide {number}"] += pattern.findall(slide.notes)
    assert {where: found for where, found in remarks.items() if found} == {}


def test_dutch_notes_speak_of_studenten_as_mbo_does():
    notes = " ".join(s.notes for lesson in CONTENT.lessons.values() if lesson.language == "nl" for s in lesson.slides)
    assert "leerling" not in notes.lower()


def test_the_relatieprogramma_slide_says_a_firm_recognises_its_customers():
    (slide,) = [s for s in CONTENT.lessons["nl-l1"].slides if s.title == "Relatieprogramma"]
    assert "herkent" in slide.body and "zoekt" not in slide.body


def test_nl_l1_q20_says_vraagt_hen():
    (question,) = [q for q in questions_in_file_order("nl") if q.id == "nl-l1-q20"]
    assert "vraagt hen" in question.stem and "vraagt hun" not in question.stem
