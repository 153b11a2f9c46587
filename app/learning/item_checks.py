"""The item-writing checker (issue 10 point 4): classic flaws of multiple-choice items. Pure.

Each rule follows a guideline of Haladyna, Downing & Rodriguez (2002), "A review of
multiple-choice item-writing guidelines for classroom assessment" (the guideline numbers below
are theirs); docs/authoring.md lists the rules with good and bad examples. Warnings never stop
a quiz from loading; `flask content check --strict` treats them as errors. A question waives a
rule with a reason (proposed quiz-file syntax: a metadata line `waive: rule-name — reason`;
`parse_waiver` reads its value).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..content.model import ContentSet, Problem, Question

KEY_LONGEST = "key-longest"  # 28d: a conspicuous correct choice
OPTION_LENGTH = "option-length"  # 24: keep the length of choices about equal
ALL_OF_THE_ABOVE = "all-of-the-above"  # 26: avoid all-of-the-above
NONE_OF_THE_ABOVE = "none-of-the-above"  # 25: none-of-the-above should be used carefully
ABSOLUTE_WORDS = "absolute-words"  # 28a: specific determiners such as always, never
NEGATIVE_STEM = "negative-stem"  # 17: word the stem positively; if not, capitals or bold
DUPLICATE_OPTIONS = "duplicate-options"  # 22: keep choices independent, not overlapping
ALL_OPTIONS_RIGHT = "all-options-right"  # multiple response that ticking everything would ace
KEY_POSITION_SKEW = "key-position-skew"  # 20: vary the location of the right answer
FINAL_REPEATS_CHECKPOINT = "final-repeats-checkpoint"  # the final quiz must measure, not recall
RULES = (KEY_LONGEST, OPTION_LENGTH, ALL_OF_THE_ABOVE, NONE_OF_THE_ABOVE, ABSOLUTE_WORDS, NEGATIVE_STEM,
         DUPLICATE_OPTIONS, ALL_OPTIONS_RIGHT, KEY_POSITION_SKEW, FINAL_REPEATS_CHECKPOINT)

# Thresholds, chosen so a flagged item is visibly off to a reader, not merely uneven.
KEY_LONGEST_RATIO, KEY_LONGEST_MIN_EXTRA = 1.5, 15  # key >= 1.5 x the longest distractor, +15 chars
LENGTH_RATIO, LENGTH_MIN_EXTRA = 3.0, 30  # longest >= 3 x the shortest option, +30 chars
NEAR_DUPLICATE_MAX_EDIT, NEAR_DUPLICATE_MIN_CHARS = 1, 12  # characters changed in one place
SKEW_MIN_ITEMS, SKEW_SHARE = 6, 0.45  # single choice: one position holds > 45 % of the keys
MR_SKEW_MIN_ITEMS, MR_SKEW_SHARE = 3, 0.5  # multiple response: right options first in > half

ALL_OF_THE_ABOVE_PHRASES = (
    "all of the above", "all the above", "all of these", "all answers are correct",
    "alle bovenstaande", "al het bovenstaande", "alle antwoorden zijn juist", "alle antwoorden zijn goed",
    "alle genoemde", "mindegyik", "a fentiek mindegyike", "minden válasz helyes",
    "kaikki edellä mainitut", "kaikki yllä olevat", "kaikki vaihtoehdot", "kaikki edellä olevat",
    "kaikki vastaukset ovat oikein")
NONE_OF_THE_ABOVE_PHRASES = (
    "none of the above", "none of these", "geen van de bovenstaande", "geen van bovenstaande",
    "geen van deze", "geen van beide", "geen van de antwoorden", "egyik sem", "a fentiek közül egyik sem",
    "egyik válasz sem", "ei mikään edellä mainituista", "ei mikään näistä", "ei mikään yllä olevista",
    "ei mikään vaihtoehdoista", "ei kumpikaan")
ABSOLUTES = {
    "en": ("always", "never", "completely", "absolutely", "entirely", "totally", "impossible", "guaranteed"),
    "nl": ("altijd", "nooit", "nimmer", "helemaal", "absoluut", "uitsluitend", "alleen maar", "onmogelijk",
           "gegarandeerd"),
    "hu": ("mindig", "soha", "sohasem", "semmikor", "kizárólag", "teljesen", "egyáltalán", "lehetetlen"),
    "fi": ("aina", "koskaan", "ikinä", "ainoastaan", "täysin", "ehdottomasti"),
}
NEGATIONS = {
    "en": ("not", "except", "cannot", "never", "none"),
    "nl": ("niet", "geen", "behalve", "nooit"),
    "hu": ("nem", "nincs", "nincsen", "nincsenek", "kivéve", "sem"),
    "fi": ("ei", "eivät", "en", "et", "emme", "ette", "eikä", "paitsi"),
}


@dataclass(frozen=True)
class ItemWarning:
    question_id: str
    line: int
    rule: str
    message: str  # English, for the command line; the interface translates by `rule`


class InvalidWaiver(ValueError):
    """A `waive:` line that names no known rule or gives no reason."""


def parse_waiver(value: str) -> tuple[str, str]:
    """`key-longest — the key quotes the law` -> (rule, reason). Dash: —, – or --."""
    match = re.fullmatch(r"\s*([a-z-]+?)\s*(?:—|–|--)\s*(.*?)\s*", value)
    if not match or not match.group(2):
        raise InvalidWaiver("write 'waive: rule-name — reason'")
    rule, reason = match.groups()
    if rule not in RULES:
        raise InvalidWaiver(f"unknown rule {rule!r}; known: {', '.join(RULES)}")
    return rule, reason


def _plain(text: str) -> str:
    """Text as a reader compares it: no Markdown marks, one case, single spaces."""
    text = unicodedata.normalize("NFC", re.sub(r"[*_`]", "", text))
    return " ".join(text.casefold().split())


def _words(text: str) -> str:
    """Letters and digits only, for word-for-word comparisons and phrase look-ups."""
    return " ".join(re.findall(r"\w+", _plain(text)))


def _has_phrase(text: str, phrases: Iterable[str], whole_option_if_one_word: bool = False) -> str | None:
    plain = _words(text)
    words = f" {plain} "
    return next((p for p in phrases if f" {p} " in words
                 and not (whole_option_if_one_word and " " not in p and plain != p)), None)


def _one_small_edit(a: str, b: str) -> bool:
    """True when a and b differ in one character only (a typo, a plural -s) once punctuation and
    case are set aside. Minimal pairs that change the meaning ("interne" / "externe",
    "accepts" / "rejects") differ more and pass. Linear time, so long options stay cheap."""
    longest = max(len(a), len(b))
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return longest - prefix - suffix <= NEAR_DUPLICATE_MAX_EDIT


def _length(text: str) -> int:
    return len(_plain(text))


def _languages(language: str, table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if language in table:
        return table[language]
    return tuple(word for words in table.values() for word in words)


def _question_sentences(stem: str) -> list[str]:
    """The sentences that ask (end in '?'), else the last one: the scenario before is not the lead-in."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", stem.strip()) if s]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return asking or sentences[-1:]


def _emphasised_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"(\*\*|__)(.+?)\1", text, re.S)]


def _check_negative_stem(q: Question, language: str) -> str | None:
    if q.type == "truefalse":
        return None
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, _languages(language, NEGATIONS))) + r")\b|n't\b",
                         re.IGNORECASE)
    for sentence in _question_sentences(q.stem):
        spans = _emphasised_spans(sentence)
        for match in pattern.finditer(sentence):
            word = match.group(0)
            shouted = word.isupper() and len(word) > 1
            bold = any(start <= match.start() and match.end() <= end for start, end in spans)
            if not shouted and not bold:
                return (f"the question is worded negatively ({word!r}) without emphasis: "
                        f"ask it positively, or write the word in capitals or **bold**")
    return None


def _check_question(q: Question, language: str) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    keys = [o for o in q.options if o.correct]
    distractors = [o for o in q.options if not o.correct]
    if q.type == "single" and len(q.options) >= 3 and keys and distractors:
        key, longest = _length(keys[0].text), max(_length(o.text) for o in distractors)
        if key >= KEY_LONGEST_RATIO * longest and key - longest >= KEY_LONGEST_MIN_EXTRA:
            found.append((KEY_LONGEST, keys[0].line,
                          f"the right option is the longest by far ({key} characters, the others at most "
                          f"{longest}): shorten it and move detail to its feedback"))
    if q.type != "truefalse" and len(q.options) >= 2:
        lengths = [_length(o.text) for o in q.options]
        if max(lengths) >= LENGTH_RATIO * min(lengths) and max(lengths) - min(lengths) >= LENGTH_MIN_EXTRA:
            found.append((OPTION_LENGTH, q.line,
                          f"options of very different length ({min(lengths)} to {max(lengths)} characters)"))
    for option in q.options:
        if phrase := _has_phrase(option.text, ALL_OF_THE_ABOVE_PHRASES, True):
            found.append((ALL_OF_THE_ABOVE, option.line, f"'{phrase}' as an option: ask a multiple-response question instead"))
        if phrase := _has_phrase(option.text, NONE_OF_THE_ABOVE_PHRASES, True):
            found.append((NONE_OF_THE_ABOVE, option.line, f"'{phrase}' as an option tests only what is not true"))
    absolutes = _languages(language, ABSOLUTES)
    if not any(_has_phrase(o.text, absolutes) for o in keys):
        for option in distractors:
            if word := _has_phrase(option.text, absolutes):
                found.append((ABSOLUTE_WORDS, option.line,
                              f"'{word}' appears only in wrong options: test-wise students rule them out unread"))
    if message := _check_negative_stem(q, language):
        found.append((NEGATIVE_STEM, q.line, message))
    seen: list = []
    for option in q.options:
        for earlier in seen:
            a, b = _words(option.text), _words(earlier.text)
            # Options that differ only in a number ("3 days", "30 days") are a scale, not a repeat.
            numbers_only = a != b and re.sub(r"\d+", "#", a) == re.sub(r"\d+", "#", b)
            near = (not numbers_only and min(len(a), len(b)) >= NEAR_DUPLICATE_MIN_CHARS
                    and _one_small_edit(a, b))
            if a == b or near:
                kind = "the same as" if a == b else "nearly the same as"
                found.append((DUPLICATE_OPTIONS, option.line, f"this option is {kind} the option on line {earlier.line}"))
                break
        seen.append(option)
    if q.type == "multiple" and q.options and not distractors:
        found.append((ALL_OPTIONS_RIGHT, q.line, "every option is right: ticking everything scores full marks"))
    return found


def _check_key_positions(questions: Sequence[Question]) -> list[tuple[Question, str, int, str]]:
    found = []
    singles = [q for q in questions if q.type == "single" and len(q.correct_indexes) == 1]
    if len(singles) >= SKEW_MIN_ITEMS:
        positions = Counter(next(iter(q.correct_indexes)) for q in singles)
        position, count = max(sorted(positions.items()), key=lambda item: item[1])
        if count / len(singles) > SKEW_SHARE:
            first = next(q for q in singles if position in q.correct_indexes)
            found.append((first, KEY_POSITION_SKEW, first.line,
                          f"option {position + 1} is the key of {count} of the {len(singles)} single-choice "
                          f"questions in this quiz ({round(100 * count / len(singles))} %): vary the key position"))
    multiples = [q for q in questions if q.type == "multiple"]
    first_up = [q for q in multiples if q.correct_indexes == frozenset(range(len(q.correct_indexes)))]
    if len(multiples) >= MR_SKEW_MIN_ITEMS and len(first_up) / len(multiples) > MR_SKEW_SHARE:
        found.append((first_up[0], KEY_POSITION_SKEW, first_up[0].line,
                      f"in {len(first_up)} of the {len(multiples)} multiple-response questions all right "
                      "options come first: mix right and wrong options"))
    return found


def check_items(questions: Sequence[Question], checkpoint_question_ids: Iterable[str],
                final_pool_ids: Iterable[str], language: str,
                waivers: Mapping[str, Mapping[str, str]] | None = None) -> list[ItemWarning]:
    """Warnings for one quiz bank (one quiz file) in `language` ("nl", "hu", "fi", "en").

    `waivers` maps question id -> {rule: reason}; a waived rule is not reported for that
    question. Warnings come in file-line order.
    """
    waivers = waivers or {}
    raw: list[tuple[Question, str, int, str]] = []
    for q in questions:
        raw.extend((q, rule, line, message) for rule, line, message in _check_question(q, language))
    raw.extend(_check_key_positions(questions))
    checkpoints = set(checkpoint_question_ids)
    fresh_pool = set(final_pool_ids) - checkpoints
    checkpoint_stems = {_words(q.stem): q.id for q in questions if q.id in checkpoints}
    for q in questions:
        original = checkpoint_stems.get(_words(q.stem))
        if q.id in fresh_pool and original:
            raw.append((q, FINAL_REPEATS_CHECKPOINT, q.line,
                        f"repeats checkpoint question {original} word for word: the final quiz then tests recall"))
    return sorted((ItemWarning(q.id, line, rule, f"{q.id}: {message} [{rule}]")
                   for q, rule, line, message in raw if rule not in waivers.get(q.id, {})),
                  key=lambda w: (w.line, RULES.index(w.rule)))


def check_content_items(content: ContentSet,
                        waivers: Mapping[str, Mapping[str, str]] | None = None) -> list[Problem]:
    """Item-writing warnings for every loaded quiz, as `path:line: message` problems.

    For `flask content check` (warnings) and `--strict` (errors): the lesson of each quiz gives
    the language and the checkpoint questions; the quiz's final list is the final-quiz pool.
    """
    if waivers is None:  # the waivers written in the quiz files ("waive:" lines)
        waivers = {q.id: dict(q.waivers) for quiz in content.quizzes.values() for q in quiz.questions}
    problems: list[Problem] = []
    for lesson_id, quiz in sorted(content.quizzes.items()):
        lesson = content.lessons.get(lesson_id)
        checkpoints = {q for slide in lesson.slides for q in slide.question_ids} if lesson else set()
        language = lesson.language if lesson else ""
        problems.extend(Problem(quiz.path, w.line, w.message)
                        for w in check_items(quiz.questions, checkpoints, quiz.final, language, waivers))
    return problems
