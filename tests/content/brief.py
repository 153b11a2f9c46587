"""Read the quiz bank of ../shared/content/COURSE-BRIEF.md: ids, goals, types, options and keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ..support import ROOT

SHARED = ROOT.parent / "shared"
BRIEF = SHARED / "content" / "COURSE-BRIEF.md"
SEEDS = SHARED / "seeds"
HEADER = re.compile(r"^\*\*([a-z]{2}-l\d+-q\d+)\*\* · ([^·]+) · ([a-z/ ]+)")
OPTION = re.compile(r"^- (?:([A-H])\) |(Waar|Niet waar|Igaz|Hamis|Tosi|Epätosi):)(.*?)(?: \*|$)")
KEY = re.compile(r"^\*\*Key:\*\* (.+)$")
TYPES = {"single choice": "single", "multiple response": "multiple", "true/false": "truefalse"}


@dataclass(frozen=True)
class BriefItem:
    id: str
    goals: tuple[str, ...]
    type: str
    option_labels: tuple[str, ...]  # "A", "B"… or the true/false words
    option_texts: tuple[str, ...]  # the option as the brief words it, without its feedback
    key: tuple[str, ...]  # letters, or the true/false word


def read_brief(path: Path = BRIEF) -> dict[str, BriefItem]:
    items: dict[str, BriefItem] = {}
    current = None
    labels: list[str] = []
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := HEADER.match(line):
            current = match
            labels, texts = [], []
            continue
        if current is None:
            continue
        if match := OPTION.match(line):
            labels.append(match.group(1) or match.group(2))
            texts.append((match.group(3) or match.group(2)).strip())
        elif match := KEY.match(line):
            item_id, goals, kind = current.group(1), current.group(2), current.group(3).strip()
            lesson = item_id.rsplit("-", 1)[0]
            key_text = re.split(r"[.(]", match.group(1))[0].strip()
            key = tuple(k.strip() for k in key_text.split(",")) if kind != "true/false" else (key_text,)
            items[item_id] = BriefItem(
                id=item_id,
                goals=tuple(f"{lesson}-{g.strip()}" for g in goals.split(",")),
                type=next(v for k, v in TYPES.items() if kind.startswith(k)),
                option_labels=tuple(labels), option_texts=tuple(texts), key=key)
            current = None
    return items


CHECKPOINT = re.compile(r"^(\d+)\. ▶ \*\*[^*]+\*\*(?: \*\([^)]*\)\*)?: `([a-z]{2}-l\d+)-q(\d+)`–`q(\d+)`(?: and `[a-z]{2}-l\d+-q(\d+)`)?")


def read_checkpoints(path: Path = BRIEF) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Lesson id -> [(slide number, question ids in order)] as the brief places the checkpoints."""
    result: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := CHECKPOINT.match(line):
            slide, lesson, first, last, extra = match.groups()
            numbers = list(range(int(first), int(last) + 1)) + ([int(extra)] if extra else [])
            result.setdefault(lesson, []).append((int(slide), tuple(f"{lesson}-q{n:02d}" for n in numbers)))
    return result


def read_slide_counts(path: Path = BRIEF) -> dict[str, int]:
    """Lesson id -> number of slides in the brief's outline (numbered lines before the quiz bank)."""
    counts = {}
    for section in re.split(r"^### ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        lesson_id = section.split(":", 1)[0].strip()
        outline = section.split("**Quiz bank", 1)[0]
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", outline, flags=re.M)]
        if re.fullmatch(r"[a-z]{2}-l\d+", lesson_id) and numbers:
            counts[lesson_id] = max(numbers)
    return counts


OUTLINE_SLIDE = re.compile(r"^\d+\. (?:\*\([^)]*\)\* )?(▶ )?\*\*([^*]+)\*\*")


def read_outlines(path: Path = BRIEF) -> dict[str, list[str]]:
    """Lesson id -> the brief's slide titles in order, with each checkpoint as "▶"."""
    outlines = {}
    for section in re.split(r"^### ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        lesson_id = section.split(":", 1)[0].strip()
        if not re.fullmatch(r"[a-z]{2}-l\d+", lesson_id):
            continue
        outline = section.split("**Quiz bank", 1)[0]
        outlines[lesson_id] = ["▶" if m.group(1) else m.group(2).strip()
                               for m in map(OUTLINE_SLIDE.match, outline.splitlines()) if m]
    return outlines


def read_goal_ids(path: Path = BRIEF) -> set[str]:
    return set(re.findall(r"^- `([a-z]{2}-l\d+-g\d+)`", path.read_text(encoding="utf-8"), flags=re.M))


def _trigrams(text: str) -> set[str]:
    padded = " " + " ".join(re.findall(r"\w+", text.lower())) + " "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _similarity(a: str, b: str) -> float:
    # Trigram overlap pairs reworded options; the matching-blocks ratio tells apart options that
    # use the same words in another order ("A does X and B does Y" against "A does Y and B does X").
    left, right = _trigrams(a), _trigrams(b)
    overlap = len(left & right) / len(left | right) if left | right else 0.0
    return overlap + SequenceMatcher(None, a.lower(), b.lower()).ratio()


def align_options(brief_texts: tuple[str, ...], our_texts: tuple[str, ...]) -> tuple[int, ...]:
    """For each brief option, the index of our option that words it: the one-to-one pairing with
    the most character-trigram overlap. Our options are reworded and reordered, never renamed in
    meaning, so the pairing shows which of our options carries which brief letter."""
    from itertools import permutations

    scores = [[_similarity(b, o) for o in our_texts] for b in brief_texts]
    return max(permutations(range(len(our_texts)), len(brief_texts)),
               key=lambda pairing: sum(scores[i][j] for i, j in enumerate(pairing)))
