"""The item-writing checker (issue 10 point 4): every rule with a good and a bad example."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.loader import load_content
from app.content.model import Option, Question
from app.learning.item_checks import (
    ABSOLUTE_WORDS,
    ALL_OF_THE_ABOVE,
    ALL_OPTIONS_RIGHT,
    DUPLICATE_OPTIONS,
    FINAL_REPEATS_CHECKPOINT,
    KEY_LONGEST,
    KEY_POSITION_SKEW,
    NEGATIVE_STEM,
    NONE_OF_THE_ABOVE,
    OPTION_LENGTH,
    RULES,
    InvalidWaiver,
    check_content_items,
    check_items,
    parse_waiver,
)

from ..support import ROOT
from .test_loader import write_tree


def question(options, stem="Wat is het belangrijkste doel van relatiebeheer?", qtype="single", qid="q1", line=10):
    """options: list of (text, correct); option lines follow the question line."""
    return Question(
        id=qid, type=qtype, goals=("g1",), stem=stem, source="source", rationale="rationale", line=line,
        goals_line=line + 1,
        options=tuple(Option(text=text, correct=correct, feedback="Feedback.", line=line + 2 + 2 * i)
                      for i, (text, correct) in enumerate(options)))


def rules(questions, language="nl", checkpoints=(), pool=(), waivers=None):
    if isinstance(questions, Question):
        questions = [questions]
    return [w.rule for w in check_items(questions, checkpoints, pool, language, waivers)]


BALANCED = [("Nieuwe klanten werven.", False), ("De relatie versterken.", True),
            ("Klachten doorsturen.", False), ("Prijzen verhogen.", False)]


def test_a_balanced_question_gets_no_warnings():
    assert rules(question(BALANCED)) == []


def test_key_that_is_the_longest_option_by_far_is_flagged_on_its_line():
    q = question([("Nieuwe klanten werven.", False),
                  ("De relatie met de klant versterken, zodat hij terugkomt en anderen over ons vertelt.", True),
                  ("Klachten doorsturen.", False), ("Prijzen verhogen.", False)])
    (warning,) = [w for w in check_items([q], (), (), "nl") if w.rule == KEY_LONGEST]
    assert warning.line == 14 and warning.question_id == "q1"
    assert "q1:" in warning.message and "[key-longest]" in warning.message


def test_key_slightly_longer_than_the_distractors_is_fine():
    q = question([("Nieuwe klanten werven.", False), ("De relatie met de klant versterken.", True),
                  ("Klachten snel doorsturen naar de baas.", False)])
    assert KEY_LONGEST not in rules(q)


def test_options_of_very_different_length_are_flagged():
    # 4 characters next to 60: more than 3 times and 30 characters longer
    q = question([("Bolt", False), ("Een verkoper die zelf met zijn aanbod langs de deuren gaat.", True),
                  ("Een webwinkel waar klanten zelf komen.", False)], qtype="single")
    assert OPTION_LENGTH in rules(q)


def test_options_of_similar_length_are_fine():
    assert OPTION_LENGTH not in rules(question(BALANCED))


@pytest.mark.parametrize(("text", "language"), [
    ("All of the above.", "en"), ("Alle bovenstaande antwoorden.", "nl"), ("Mindegyik.", "hu"),
    ("Kaikki edellä mainitut.", "fi")])
def test_all_of_the_above_is_flagged_in_four_languages(text, language):
    q = question(BALANCED[:3] + [(text, False)])
    assert ALL_OF_THE_ABOVE in rules(q, language)


@pytest.mark.parametrize(("text", "language"), [
    ("None of the above.", "en"), ("Geen van de bovenstaande.", "nl"), ("Egyik sem.", "hu"),
    ("Ei mikään näistä.", "fi")])
def test_none_of_the_above_is_flagged_in_four_languages(text, language):
    q = question(BALANCED[:3] + [(text, False)])
    assert NONE_OF_THE_ABOVE in rules(q, language)


def test_the_word_mindegyik_inside_an_ordinary_option_is_not_all_of_the_above():
    q = question([("Mindegyik ügyfelet ugyanúgy kezeljük.", False), ("A kapcsolat erősítése.", True),
                  ("Új ügyfelek szerzése.", False)], stem="Mi a kapcsolatkezelés célja?")
    assert rules(q, "hu") == []


@pytest.mark.parametrize(("word", "language"), [
    ("altijd", "nl"), ("nooit", "nl"), ("mindig", "hu"), ("soha", "hu"), ("aina", "fi"), ("koskaan", "fi"),
    ("always", "en"), ("never", "en")])
def test_absolute_words_only_in_distractors_are_flagged(word, language):
    q = question([("Nieuwe klanten werven.", False), ("De relatie versterken.", True),
                  (f"Klachten {word} doorsturen.", False)])
    assert ABSOLUTE_WORDS in rules(q, language)


def test_absolute_words_in_the_key_as_well_are_fine():
    q = question([("Klachten altijd doorsturen.", False), ("De relatie altijd versterken.", True),
                  ("Nieuwe klanten werven.", False)])
    assert ABSOLUTE_WORDS not in rules(q)


@pytest.mark.parametrize(("stem", "language"), [
    ("Welke taak hoort niet bij relatiebeheer?", "nl"), ("Melyik nem tartozik a panaszkezeléshez?", "hu"),
    ("Mikä seuraavista ei kuulu jälkimarkkinointiin?", "fi"), ("Which task is not part of it?", "en")])
def test_negative_stem_without_emphasis_is_flagged(stem, language):
    assert NEGATIVE_STEM in rules(question(BALANCED, stem=stem), language)


@pytest.mark.parametrize("stem", ["Welke taak hoort NIET bij relatiebeheer?", "Welke taak hoort **niet** bij relatiebeheer?"])
def test_negative_stem_in_capitals_or_bold_is_fine(stem):
    assert NEGATIVE_STEM not in rules(question(BALANCED, stem=stem))


def test_a_negation_in_the_scenario_before_the_question_is_fine():
    stem = "Je betaalt voor het gebruik, niet voor de auto zelf. Welk kenmerk van diensten is dit?"
    assert NEGATIVE_STEM not in rules(question(BALANCED, stem=stem))


def test_duplicate_and_near_duplicate_options_are_flagged():
    exact = question(BALANCED[:3] + [("De relatie  versterken!", False)])
    near = question(BALANCED[:3] + [("De relaties versterken.", False)])
    assert DUPLICATE_OPTIONS in rules(exact) and DUPLICATE_OPTIONS in rules(near)


def test_options_that_differ_only_in_a_number_are_not_duplicates():
    q = question([("3 napon belül.", False), ("8 napon belül.", False), ("30 napon belül.", True)],
                 stem="Mennyi időn belül kell válaszolni?")
    assert rules(q, "hu") == []


def test_multiple_response_with_every_option_right_is_flagged():
    every = question([("Opbouwen.", True), ("Onderhouden.", True), ("Benutten.", True)], qtype="multiple",
                     stem="Welke activiteiten horen erbij?")
    mixed = question([("Opbouwen.", True), ("Onderhouden.", True), ("Loslaten.", False)], qtype="multiple",
                     stem="Welke activiteiten horen erbij?")
    assert ALL_OPTIONS_RIGHT in rules(every) and ALL_OPTIONS_RIGHT not in rules(mixed)


def _bank(key_positions):
    bank = []
    for n, position in enumerate(key_positions):
        options = [(f"Optie {chr(97 + i)} van vraag {n}.", i == position) for i in range(4)]
        bank.append(question(options, qid=f"q{n}", line=10 + 20 * n, stem=f"Vraag nummer {n}?"))
    return bank


def test_key_position_skew_within_a_bank_is_flagged_once():
    # first option is the key of 4 of 6 questions: 67 % > 45 %
    warnings = [w for w in check_items(_bank([0, 0, 1, 0, 2, 0]), (), (), "nl") if w.rule == KEY_POSITION_SKEW]
    assert len(warnings) == 1 and warnings[0].question_id == "q0" and "4 of the 6" in warnings[0].message


def test_key_positions_spread_over_the_options_are_fine():
    assert KEY_POSITION_SKEW not in rules(_bank([0, 1, 2, 3, 1, 2]))


def test_multiple_response_items_with_right_options_always_first_are_flagged():
    def mr(n, right):
        options = [(f"Optie {chr(97 + i)} {n}.", i in right) for i in range(4)]
        return question(options, qtype="multiple", qid=f"m{n}", line=10 + 20 * n, stem=f"Welke horen bij {n}?")
    assert KEY_POSITION_SKEW in rules([mr(0, {0, 1}), mr(1, {0, 1, 2}), mr(2, {0})])
    assert KEY_POSITION_SKEW not in rules([mr(0, {0, 2}), mr(1, {1, 3}), mr(2, {0})])


def test_final_pool_question_that_repeats_a_checkpoint_word_for_word_is_flagged():
    checkpoint = question(BALANCED, qid="cp1", line=10)
    copy = question(BALANCED, qid="fin1", line=40, stem="Wat is het **belangrijkste** doel van relatiebeheer ?")
    assert rules([checkpoint, copy], checkpoints={"cp1"}, pool={"fin1", "cp1"}) == [FINAL_REPEATS_CHECKPOINT]


def test_final_pool_question_in_its_own_words_is_fine():
    checkpoint = question(BALANCED, qid="cp1", line=10)
    fresh = question(BALANCED, qid="fin1", line=40, stem="Waar draait relatiebeheer vooral om?")
    assert rules([checkpoint, fresh], checkpoints={"cp1"}, pool={"fin1", "cp1"}) == []


def test_a_waived_rule_is_not_reported_for_that_question_only():
    q1 = question(BALANCED, stem="Welke taak hoort niet bij relatiebeheer?", qid="q1")
    q2 = question(BALANCED, stem="Welke taak hoort niet bij klantenservice?", qid="q2", line=40)
    waivers = {"q1": {NEGATIVE_STEM: "de ontkenning is hier het leerdoel"}}
    assert [(w.question_id, w.rule) for w in check_items([q1, q2], (), (), "nl", waivers)] == [("q2", NEGATIVE_STEM)]


def test_waiver_syntax_names_a_rule_and_a_reason():
    assert parse_waiver("negative-stem — de ontkenning is het leerdoel") == (NEGATIVE_STEM, "de ontkenning is het leerdoel")
    assert parse_waiver("key-longest -- the key quotes the law") == (KEY_LONGEST, "the key quotes the law")
    for bad in ["negative-stem", "negative-stem — ", "no-such-rule — reason"]:
        with pytest.raises(InvalidWaiver):
            parse_waiver(bad)


def test_warnings_come_in_line_order():
    late = question(BALANCED[:3] + [("Geen van de bovenstaande.", False)], qid="late", line=50)
    early = question(BALANCED, qid="early", line=5, stem="Welke taak hoort niet bij relatiebeheer?")
    assert [w.line for w in check_items([late, early], (), (), "nl")] == [5, 58]


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=60, deadline=None)
@given(stem=texts, options=st.lists(st.tuples(texts, st.booleans()), min_size=2, max_size=8),
       qtype=st.sampled_from(["single", "multiple", "truefalse"]), language=st.sampled_from(["nl", "hu", "fi", "en", "xx"]))
def test_any_text_gives_warnings_with_known_rules_and_never_raises(stem, options, qtype, language):
    q = question(options, stem=stem, qtype=qtype)
    for warning in check_items([q], {"q1"}, {"q1"}, language):
        assert warning.rule in RULES and warning.question_id == "q1" and warning.line >= 10


def test_long_options_are_checked_quickly():
    import random
    import time
    rng = random.Random(1)
    options = [("".join(rng.choice("ab ") for _ in range(1000)), i == 0) for i in range(8)]
    started = time.perf_counter()
    check_items([question(options)], (), (), "nl")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("first", "second"), [
    ("Interne klanten.", "Externe klanten."), ("De klant is tevreden.", "De klant is ontevreden."),
    ("Fogadás → rögzítés → megoldás.", "Rögzítés → fogadás → megoldás."),
    ("A panaszt elfogadjuk.", "A panaszt elutasítjuk.")])
def test_minimal_pairs_and_reorderings_are_not_near_duplicates(first, second):
    q = question([(first, True), (second, False), ("Iets heel anders dan dit.", False)], stem="Welke klopt er?")
    assert DUPLICATE_OPTIONS not in rules(q)


def test_content_warnings_name_the_quiz_file_and_line(tmp_path):
    # The documented example course and lesson, with a quiz whose first question has a negative stem.
    blocks = re.findall(r"```markdown\n(.*?)```", (ROOT / "docs/authoring.md").read_text(encoding="utf-8"), re.S)
    course, lesson, _, glossary = blocks
    options = "- [x] De relatie versterken.\n  > Ja.\n- [ ] Prijzen verhogen.\n  > Nee.\n- [ ] Klachten doorsturen.\n  > Nee.\n"
    quiz = ("---\nlesson: nl-demo\nfinal: [nl-demo-q01, nl-demo-q02]\n---\n\n"
            "## nl-demo-q01\ntype: single\ngoals: nl-demo-g1\nsource: s\nrationale: r\n\n"
            "Welke taak hoort niet bij relatiebeheer?\n\n" + options + "\n"
            "## nl-demo-q02\ntype: single\ngoals: nl-demo-g2\nsource: s\nrationale: r\n\n"
            "Wat is het doel van relatiebeheer?\n\n" + options)
    content = load_content(write_tree(tmp_path, {
        "lessons/nl-klantrelaties/course.md": course, "lessons/nl-klantrelaties/glossary.md": glossary,
        "lessons/nl-klantrelaties/01-demo.md": lesson, "quizzes/nl-klantrelaties/01-demo.md": quiz}))
    assert [str(p) for p in content.problems] == []
    (problem,) = check_content_items(content)
    # the question heading of nl-demo-q01 is line 6 of the quiz file
    assert problem.path.endswith("quizzes/nl-klantrelaties/01-demo.md") and problem.line == 6
    assert problem.message.startswith("nl-demo-q01: ") and "[negative-stem]" in problem.message
    assert check_content_items(content, {"nl-demo-q01": {NEGATIVE_STEM: "het leerdoel"}}) == []
