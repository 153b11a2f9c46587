"""Bar charts as inline SVG, rendered on the server (issue 9 point 7). Pure: values in, text out.

The projector review shows how a class answered one question without any script: a horizontal
bar per option, its label and its count as real `<text>` (readable from the back of a room and
by screen readers), `role="img"` with a `<title>` naming the chart. Every text is escaped here,
so option texts written by teachers cannot inject markup. Colours come from classes the page's
stylesheet sets (inline SVG inherits the page's CSS; a `<style>` element would need a CSP
exception); the right answers are marked with a check mark and a word, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 960  # viewBox units; the SVG scales to its container
ROW_HEIGHT = 72
BAR_HEIGHT = 44
LABEL_WIDTH = 230  # option letter and the right-answer mark, e.g. "B ✓ oikein"
VALUE_WIDTH = 230  # "12 (40 %)" right of the longest bar
FONT_SIZE = 30  # at least 24 px at a 960 px-wide render (DESIGN.md)
PADDING = 16


@dataclass(frozen=True)
class Bar:
    label: str  # short: the option's letter, e.g. "B"
    value: int  # how many chose it
    value_text: str  # what to print next to the bar, e.g. "12 (40 %)"
    correct: bool = False  # marked only when the chart is told to reveal the key


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def bar_chart_svg(title: str, bars: Sequence[Bar], *, scale_max: int, chart_id: str,
                  correct_mark: str = "", description: str = "") -> str:
    """One horizontal bar per entry of `bars`, lengths relative to `scale_max` (e.g. the number
    of attempts, so bars of different questions compare). `correct_mark` (e.g. "✓ right") is
    printed after the label of correct bars; leave it empty to keep the key hidden.

    `chart_id` makes the ids of `<title>`/`<desc>` unique on the page."""
    height = PADDING * 2 + ROW_HEIGHT * max(1, len(bars))
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - PADDING * 2
    top = max(1, scale_max, *(bar.value for bar in bars))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    labelled = f'aria-labelledby="{_attr(title_id)}"' + (f' aria-describedby="{_attr(desc_id)}"' if description else "")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {WIDTH} {height}" '
             f'role="img" {labelled} font-size="{FONT_SIZE}">',
             f'<title id="{_attr(title_id)}">{escape(title)}</title>']
    if description:
        parts.append(f'<desc id="{_attr(desc_id)}">{escape(description)}</desc>')
    for row, bar in enumerate(bars):
        y = PADDING + row * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        length = round(bar_space * bar.value / top) if bar.value else 0
        marked = bool(correct_mark) and bar.correct
        label = f"{bar.label} {correct_mark}" if marked else bar.label
        css = "bar bar-correct" if marked else "bar"
        parts.append(f'<text class="bar-label" x="{PADDING}" y="{middle:g}" dominant-baseline="middle">'
                     f"{escape(label)}</text>")
        # a hairline track shows where the full length would end, so an empty bar reads as zero
        parts.append(f'<rect class="bar-track" x="{LABEL_WIDTH}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}" '
                     f'width="{bar_space}" height="{BAR_HEIGHT}" fill="none"/>')
        if length:
            parts.append(f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}" '
                         f'width="{length}" height="{BAR_HEIGHT}"/>')
        parts.append(f'<text class="bar-value" x="{LABEL_WIDTH + length + PADDING}" y="{middle:g}" '
                     f'dominant-baseline="middle">{escape(bar.value_text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
