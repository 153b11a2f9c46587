"""Slides that present, not paged text (issue 11 point 3): in every lesson the median content
slide shows at most 45 words and none more than 80. Words are counted in what the student sees:
the rendered slide (title, bullets, tables, glossary links by their shown text), never the
speaker notes or the reviewers' comments."""

import re
import statistics
from html import unescape

import pytest

from app.content.lessons import parse_lesson
from app.content.loader import load_content
from app.content.render import render_markdown

from ..support import ROOT

CONTENT = load_content(ROOT)
MEDIAN_LIMIT, SLIDE_LIMIT = 45, 80


IMAGE_SOURCE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)")


def visible_words(slide) -> list[str]:
    # figures render as the student sees them: the caption counts, the alt text (read instead of
    # the image, never shown beside it) does not
    media = {source: "/media/figure.svg" for source in IMAGE_SOURCE.findall(slide.body)}
    html = render_markdown(slide.body, glossary_url="/glossary", media=media)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return [token for token in text.split() if re.search(r"\w", token)]


def content_slides(lesson):
    return [slide for slide in lesson.slides if slide.kind == "content"]


LESSON_TEXT = """---
id: xx-l1
course: xx
title: Proef
language: nl
minutes: 5
goals:
  - id: xx-l1-g1
    text: Doel.
---

## Twee woorden

- Een **vette** [[klant|term]], en €20.
- 80/20

<!-- een opmerking van vijf woorden -->

Notes:
Deze notities tellen niet mee, hoe lang ze ook zijn.
"""


def test_the_count_takes_title_bullets_and_shown_glossary_text_but_not_notes_or_comments():
    (slide,) = parse_lesson("xx.md", LESSON_TEXT).slides
    # Twee, woorden, Een, vette, klant, en, €20, 80/20: punctuation alone is no word.
    assert visible_words(slide) == ["Twee", "woorden", "Een", "vette", "klant", "en", "€20.", "80/20"]


def test_a_figure_counts_by_its_caption_not_by_its_alt_text():
    lesson = LESSON_TEXT.replace("Notes:", '![Vier woorden alt tekst](media/x.svg "Drie woorden onderschrift")\n\nNotes:')
    (slide,) = parse_lesson("xx.md", lesson).slides
    assert visible_words(slide)[-3:] == ["Drie", "woorden", "onderschrift"]
    assert "alt" not in visible_words(slide)


@pytest.mark.parametrize("lesson_id", sorted(CONTENT.lessons))
def test_the_median_content_slide_shows_at_most_45_words(lesson_id):
    counts = [len(visible_words(slide)) for slide in content_slides(CONTENT.lessons[lesson_id])]
    assert statistics.median(counts) <= MEDIAN_LIMIT, counts


@pytest.mark.parametrize("lesson_id", sorted(CONTENT.lessons))
def test_no_content_slide_shows_more_than_80_words(lesson_id):
    crowded = {slide.title: len(visible_words(slide)) for slide in content_slides(CONTENT.lessons[lesson_id])
               if len(visible_words(slide)) > SLIDE_LIMIT}
    assert crowded == {}
