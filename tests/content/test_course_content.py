"""The shipped course content: valid, complete, keyed as the brief decides, in our own words."""

import re
from collections import Counter

import pytest

from app.cli import check_tree
from app.content.loader import load_content

from ..support import ROOT, missing
from .brief import (
    BRIEF,
    SEEDS,
    align_options,
    read_brief,
    read_checkpoints,
    read_goal_ids,
    read_outlines,
)

CONTENT = load_content(ROOT)
QUESTIONS = {q.id: (lesson_id, q) for lesson_id, quiz in CONTENT.quizzes.items() for q in quiz.questions}
LETTERS = "ABCDEFGH"


@pytest.fixture(scope="module")
def brief():
    if not BRIEF.exists():
        missing(f"the course brief ({BRIEF.relative_to(ROOT.parent)})")
    return read_brief()


def test_every_content_file_passes_the_checks_strictly():
    problems, warnings, lesson_count = check_tree(ROOT)
    assert [str(p) for p in problems] == []
    assert [str(w) for w in warnings] == [], "item-writing warnings fail `flask content check --strict`"
    assert lesson_count == 8


def test_all_three_courses_and_eight_lessons_are_there():
    assert sorted(CONTENT.courses) == ["fi-jalkimarkkinointi", "hu-ugyfelkapcsolat", "nl-klantrelaties"]
    assert sorted(CONTENT.lessons) == ["fi-l1", "hu-l1", "hu-l2", "hu-l3", "hu-l4", "nl-l1", "nl-l2", "nl-l3"]
    assert {c.language for c in CONTENT.courses.values()} == {"nl", "hu", "fi"}


def test_every_goal_is_measured_by_at_least_four_questions():
    for lesson_id, lesson in CONTENT.lessons.items():
        counts = Counter(g for q in CONTENT.quizzes[lesson_id].questions for g in q.goals)
        for goal in lesson.goals:
            assert counts[goal.id] >= 4, f"{goal.id} has {counts[goal.id]} questions"


def test_every_final_quiz_covers_every_goal_of_its_lesson():
    for lesson_id, quiz in CONTENT.quizzes.items():
        covered = {g for q in quiz.questions if q.id in quiz.final for g in q.goals}
        assert covered == {g.id for g in CONTENT.lessons[lesson_id].goals}, lesson_id


def test_the_brief_has_the_full_quiz_bank(brief):
    assert len(brief) == 94


def test_every_brief_item_is_in_the_content_with_its_goals_type_and_key(brief):
    assert set(brief) <= set(QUESTIONS), f"missing: {sorted(set(brief) - set(QUESTIONS))}"
    for item_id, item in brief.items():
        lesson_id, question = QUESTIONS[item_id]
        assert question.type == item.type, item_id
        assert set(question.goals) == set(item.goals), item_id
        assert len(question.options) == len(item.option_labels), item_id
        if item.type == "truefalse":
            (right,) = [o.text.rstrip(".") for o in question.options if o.correct]
            assert right == item.key[0], f"{item_id}: key {right!r}, brief says {item.key[0]!r}"
        else:
            # Options are reordered against answer cues, so a key is found by what the option
            # says (paired with the brief's wording), never by its letter.
            pairing = align_options(item.option_texts, tuple(o.text for o in question.options))
            keys = tuple(label for label, ours in zip(item.option_labels, pairing, strict=True)
                         if question.options[ours].correct)
            assert keys == item.key, f"{item_id}: key {keys}, brief says {item.key}"


def test_every_checkpoint_holds_the_items_the_brief_gives_in_the_brief_order(brief):
    expected = read_checkpoints()
    assert sorted(expected) == sorted(CONTENT.lessons) and sum(len(v) for v in expected.values()) == 24
    for lesson_id, lesson in CONTENT.lessons.items():
        ours = [slide.question_ids for slide in lesson.slides if slide.kind == "checkpoint"]
        assert ours == [ids for _slide, ids in expected[lesson_id]], lesson_id


def test_the_learning_goals_are_the_23_of_the_brief(brief):
    ours = {goal.id for lesson in CONTENT.lessons.values() for goal in lesson.goals}
    assert ours == read_goal_ids() and len(ours) == 23


# Titles reworded in review; the brief's outline stays the reference for what they cover.
RENAMED = {
    "Szerzés vagy megtartás? Az ügyfélvesztés okai": "Szerzés vagy megtartás? Miért veszítünk ügyfelet?",
    "Alapelvek": "A panaszkezelés alapelvei",
}


def follow_outline(outline: list[str], slides) -> list[str]:
    """Walk the lesson along the brief's outline and return every mismatch. Each brief slide
    appears in order with its title; a brief slide may become two, so a content slide whose title
    starts with the same word may follow it (\"Privacy\", \"Privacy nu: de AVG\"); each checkpoint
    ("▶") sits between the same slides as in the brief."""
    mismatches, index = [], 0
    for position, expected in enumerate(outline):
        slide = slides[index] if index < len(slides) else None
        if expected == "▶":
            if slide is None or slide.kind != "checkpoint":
                mismatches.append(f"brief slide {position + 1}: a checkpoint, found {slide and slide.title!r}")
                continue
            index += 1
            continue
        title = RENAMED.get(expected, expected)
        if slide is None or slide.kind != "content" or slide.title != title:
            mismatches.append(f"brief slide {position + 1}: {title!r}, found {slide and (slide.title or 'a checkpoint')!r}")
            continue
        index += 1
        first_word = title.split()[0]
        following = outline[position + 1] if position + 1 < len(outline) else None
        while (index < len(slides) and slides[index].kind == "content" and slides[index].title != following
               and slides[index].title.split()[0] == first_word):
            index += 1
    mismatches += [f"slide {n + 1} ({s.title or 'checkpoint'!r}) is not in the brief" for n, s in
                   enumerate(slides[index:], start=index)]
    return mismatches


def test_every_lesson_covers_the_brief_outline_in_order_with_checkpoints_after_their_slides(brief):
    outlines = read_outlines()
    assert sorted(outlines) == sorted(CONTENT.lessons)
    assert {lesson_id: follow_outline(outlines[lesson_id], lesson.slides)
            for lesson_id, lesson in CONTENT.lessons.items()} == dict.fromkeys(CONTENT.lessons, [])


def test_a_slide_missing_from_the_outline_or_out_of_place_is_reported(brief):
    slide = type("Slide", (), {})
    def make(kind, title):
        s = slide()
        s.kind, s.title = kind, title
        return s
    outline = ["Titel", "Privacy", "▶", "Slot"]
    split = [make("content", "Titel"), make("content", "Privacy"), make("content", "Privacy nu"),
             make("checkpoint", ""), make("content", "Slot")]
    assert follow_outline(outline, split) == []
    moved = [make("content", "Titel"), make("checkpoint", ""), make("content", "Privacy"), make("content", "Slot")]
    assert follow_outline(outline, moved) != []
    extra = [*split, make("content", "Toegift")]
    assert follow_outline(outline, extra) == ["slide 6 ('Toegift') is not in the brief"]


# The seed lesson (nl-l1), transcribed by hand from the brief's decisions, so that this check
# holds even where the brief file is not at hand. Options are reordered against answer cues, so
# each right option is named by words that only it contains, never by its letter.
NL_L1_KEYS = {
    "nl-l1-q01": ("commercieel benut",), "nl-l1-q02": "Niet waar",
    "nl-l1-q03": ("opbouwen", "onderhouden", "commercieel benutten"),
    "nl-l1-q04": ("verwacht", "Persoonlijke aandacht", "belonen"), "nl-l1-q05": ("sterker",),
    "nl-l1-q06": ("Imago", "Referenties", "Customer service"), "nl-l1-q07": ("Sociale marketing",),
    "nl-l1-q08": ("Nieuwe klanten",), "nl-l1-q09": "Waar", "nl-l1-q10": "Waar", "nl-l1-q11": "Waar",
    "nl-l1-q12": ("vóór, tijdens en na",), "nl-l1-q13": ("commerciële relatie",),
    "nl-l1-q14": ("Na de aankoop",), "nl-l1-q15": ("installeren", "Garantie", "klacht"),
    "nl-l1-q16": ("€450",), "nl-l1-q17": ("Hoe lang geleden", "Hoe vaak", "Hoeveel"),
    "nl-l1-q18": ("groot deel van de omzet",), "nl-l1-q19": ("30%",),
    "nl-l1-q20": ("Bakker doet aan relatiemarketing",),
}


@pytest.mark.parametrize(("question_id", "key"), sorted(NL_L1_KEYS.items()))
def test_nl_l1_keys_match_the_brief_one_by_one(question_id, key):
    _lesson, question = QUESTIONS[question_id]
    right = [o.text for o in question.options if o.correct]
    if question.type == "truefalse":
        assert [text.rstrip(".") for text in right] == [key]
        return
    named = []
    for words in key:
        holders = [o.text for o in question.options if words in o.text]
        assert len(holders) == 1, f"{question_id}: {words!r} should name exactly one option"
        named += holders
    assert sorted(named) == sorted(right)


def test_nl_l1_calculation_keys_hold_the_right_figures():
    _l, clv = QUESTIONS["nl-l1-q16"]
    assert "450" in next(o.text for o in clv.options if o.correct)  # 15 × 10 × 4 − 150
    _l, wallet = QUESTIONS["nl-l1-q19"]
    assert "30" in next(o.text for o in wallet.options if o.correct)  # 150 / 500


def test_nl_l1_has_five_goals_and_the_checkpoints_of_the_brief():
    lesson = CONTENT.lessons["nl-l1"]
    assert [g.id for g in lesson.goals] == [f"nl-l1-g{i}" for i in range(1, 6)]
    checkpoints = [s.question_ids for s in lesson.slides if s.kind == "checkpoint"]
    assert checkpoints == [
        ("nl-l1-q01", "nl-l1-q02", "nl-l1-q03", "nl-l1-q04", "nl-l1-q20"),
        ("nl-l1-q05", "nl-l1-q06", "nl-l1-q07"),
        tuple(f"nl-l1-q{i:02d}" for i in range(8, 16)),
        tuple(f"nl-l1-q{i:02d}" for i in range(16, 20)),
    ]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_no_run_of_twelve_words_from_the_seeds_appears_in_any_lesson_or_quiz():
    if not SEEDS.is_dir():
        missing(f"the seed texts ({SEEDS.relative_to(ROOT.parent)})")
    grams = set()
    for seed in SEEDS.glob("*.txt"):
        w = words(seed.read_text(encoding="utf-8"))
        grams.update(tuple(w[i:i + 12]) for i in range(len(w) - 11))
    assert grams, "no seed text found"
    copied = []
    for path in sorted([*ROOT.glob("lessons/*/*.md"), *ROOT.glob("quizzes/*/*.md")]):
        w = words(path.read_text(encoding="utf-8"))
        copied += [f"{path.relative_to(ROOT)}: {' '.join(w[i:i + 12])}" for i in range(len(w) - 11)
                   if tuple(w[i:i + 12]) in grams]
    assert copied == []


def test_every_question_has_a_rationale_a_source_and_feedback_for_every_option():
    for _lesson, question in QUESTIONS.values():
        assert question.rationale, question.id
        assert question.source, question.id
        assert all(option.feedback for option in question.options), question.id


def test_every_lesson_has_speaker_notes_and_starts_with_its_goals():
    for lesson in CONTENT.lessons.values():
        assert any(slide.notes for slide in lesson.slides), lesson.id
        goals_slide = lesson.slides[1]
        assert goals_slide.kind == "content", lesson.id
