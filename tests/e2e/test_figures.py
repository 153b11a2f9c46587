"""Figures show on their slides at phone, laptop and projector sizes, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.lessons import expand_screens, parse_lesson

from .test_journey import create_student, log_in

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"phone": (390, 844), "laptop": (1366, 768), "projector": (1920, 1080)}
MEASURE = """() => [...document.querySelectorAll('.slide-stage figure img')].map(img => {
  const box = img.getBoundingClientRect();
  return {src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
          width: box.width, height: box.height,
          stage: document.querySelector('.slide-stage').getBoundingClientRect().width};
})"""


def figure_slides() -> list[tuple[str, int]]:
    """(lesson id, slide number) of every slide with a figure, read from the lesson files."""
    found = []
    for path in sorted((ROOT / "lessons").glob("*/*.md")):
        if path.name in ("course.md", "glossary.md"):
            continue
        lesson = parse_lesson(path.name, path.read_text(encoding="utf-8"))
        found += [(lesson.id, s.position) for s in expand_screens(lesson) if "](media/" in s.body]
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_figure_loads_and_takes_a_real_part_of_its_slide(e2e_app, new_context, scheme):
    slides = figure_slides()
    assert len(slides) >= 16  # two or more per lesson, eight lessons
    page = new_context(viewport={"width": 1366, "height": 768}, color_scheme=scheme).new_page()
    log_in(page, create_student(e2e_app))
    problems = []
    for lesson, number in slides:
        page.goto(f"/lessons/{lesson}/slides/{number}")
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function("() => [...document.querySelectorAll('.slide-stage figure img')]"
                                   ".every(img => img.complete)")
            figures = page.evaluate(MEASURE)
            if not figures:
                problems.append(f"{lesson} slide {number} at {size}: no figure")
            for figure in figures:
                # an SVG with only a viewBox has no size of its own: a shrink-to-fit parent makes it 0 wide
                if not figure["loaded"] or figure["width"] < 0.4 * figure["stage"] or figure["height"] < 40:
                    problems.append(f"{lesson} slide {number} at {size}: {figure}")
    assert not problems, "\n".join(problems)
