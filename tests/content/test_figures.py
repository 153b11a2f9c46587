"""Figures that teach (issue 11 point 2): every lesson shows at least two figures, each an image alone
in its paragraph with alt text and a caption, drawn as a static SVG beside the lessons
(lessons/<course>/media/) that follows docs' figure rules: a viewBox, role="img", a <title> equal to
the alt text in the lesson's language, real text of at least 24 px at a 960 px-wide render, its own
dark-mode colours, and nothing that could run or fetch."""

import re
from xml.etree import ElementTree

import pytest

from app.content.loader import load_content

from ..support import ROOT

CONTENT = load_content(ROOT)
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# a figure: an image alone in its paragraph, with a title that becomes its caption
FIGURE = re.compile(r'(?:^|\n\n)!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\s+"(?P<caption>[^"]*)"\)(?=\n\n|\n?$)')
FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)px")
SMALLEST_TEXT_PX, RENDER_WIDTH_PX = 24, 960
# the stage caps a figure at 55 % of its 16:9 height and the text column is about 90 % of its
# width: a figure narrower than 3:1 is drawn smaller than the column, its text shrinks with it, and
# the slide's own words no longer fit beside it
WIDEST_ASPECT_NEEDED = 3.0


def figures(lesson) -> list[dict]:
    found = []
    for slide in lesson.slides:
        for match in FIGURE.finditer(slide.body.strip()):
            found.append({**match.groupdict(), "slide": slide.title, "lesson": lesson})
    return found


def svg_file(figure):
    return ROOT / "lessons" / figure["lesson"].course / figure["src"]


def parse_svg(svg_text: str) -> ElementTree.Element:
    # the standard parser is safe once there is no DTD: no entity can expand or fetch anything
    assert "<!doctype" not in svg_text.lower() and "<!entity" not in svg_text.lower()
    return ElementTree.fromstring(svg_text)  # noqa: S314


def svg_root(figure) -> ElementTree.Element:
    return parse_svg(svg_file(figure).read_text(encoding="utf-8"))


def active_parts(svg_text: str) -> list[str]:
    """What in an SVG could run, fetch or expand: scripts, event attributes, foreignObject,
    links or url() leaving the file, @import, DTDs and entities."""
    found = [word for word in ("<!DOCTYPE", "<!ENTITY", "@import") if word.lower() in svg_text.lower()]
    found += [f"url({target})" for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", svg_text)
              if not target.startswith("#")]
    if found[:1] in (["<!DOCTYPE"], ["<!ENTITY"]):
        return found
    for element in parse_svg(svg_text).iter():
        name = element.tag.removeprefix(SVG_NS)
        if name in ("script", "foreignObject", "iframe", "embed", "object"):
            found.append(f"<{name}>")
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                found.append(f"{name} {attribute}")
            if attribute in ("href", XLINK_HREF) and not value.startswith("#"):
                found.append(f"{name} href={value}")
    return found


def smallest_text_at_render_width(root) -> float:
    """The smallest font size in px when the figure is drawn RENDER_WIDTH_PX wide."""
    sizes = [float(size) for style in root.iter(f"{SVG_NS}style") for size in FONT_SIZE.findall(style.text or "")]
    sizes += [float(element.get("font-size").removesuffix("px")) for element in root.iter()
              if element.get("font-size")]
    view_width = float(root.get("viewBox").split()[2])
    return min(sizes) * RENDER_WIDTH_PX / view_width


ALL_FIGURES = [figure for lesson_id in sorted(CONTENT.lessons) for figure in figures(CONTENT.lessons[lesson_id])]
FIGURE_IDS = [f"{f['lesson'].id}:{f['src']}" for f in ALL_FIGURES]


def test_the_figure_pattern_takes_an_image_alone_in_its_paragraph_with_a_title():
    body = ('Tekst.\n\n![Alt](media/a.svg "Let op dit")\n\n- punt met ![b](media/b.svg "c") erin\n\n'
            '![Zonder titel](media/d.svg)')
    assert [(m["alt"], m["src"], m["caption"]) for m in FIGURE.finditer(body)] == [("Alt", "media/a.svg", "Let op dit")]


def test_the_safety_check_finds_scripts_event_attributes_and_external_references():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
           '<script>alert(1)</script><foreignObject/><image xlink:href="https://example.org/a.png"/>'
           '<use href="#ok"/><style>rect { fill: url(https://example.org/p.svg); stroke: url(#grad); }</style></svg>')
    assert sorted(active_parts(svg)) == sorted(
        ["svg onload", "<script>", "<foreignObject>", "image href=https://example.org/a.png",
         "url(https://example.org/p.svg)"])
    assert active_parts('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>') == [
        "<!DOCTYPE", "<!ENTITY"]


@pytest.mark.parametrize("lesson_id", sorted(CONTENT.lessons))
def test_every_lesson_has_at_least_two_figures_with_alt_text_and_a_caption(lesson_id):
    found = figures(CONTENT.lessons[lesson_id])
    assert len(found) >= 2, [f["src"] for f in found]
    for figure in found:
        assert figure["alt"].strip() and figure["caption"].strip(), figure["src"]


def test_no_figure_file_is_shown_twice():
    shown = [(f["lesson"].course, f["src"]) for f in ALL_FIGURES]
    assert len(shown) == len(set(shown))


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_every_figure_is_an_svg_beside_its_lesson_that_parses_as_xml(figure):
    assert figure["src"].startswith("media/") and figure["src"].endswith(".svg")
    root = svg_root(figure)
    assert root.tag == f"{SVG_NS}svg"


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_every_figure_scales_and_names_itself_in_the_lessons_language(figure):
    root = svg_root(figure)
    assert len(root.get("viewBox", "").split()) == 4
    assert root.get("width") is None and root.get("height") is None  # scales with the slide
    assert root.get("role") == "img"
    assert root.get("lang") == figure["lesson"].language
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == figure["alt"]


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_every_figure_has_real_text_readable_from_the_back_of_the_room(figure):
    root = svg_root(figure)
    assert any("".join(text.itertext()).strip() for text in root.iter(f"{SVG_NS}text"))
    assert smallest_text_at_render_width(root) >= SMALLEST_TEXT_PX


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_every_figure_is_wide_and_low_enough_to_fill_the_stage_width(figure):
    _, _, width, height = (float(n) for n in svg_root(figure).get("viewBox").split())
    assert width / height >= WIDEST_ASPECT_NEEDED


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_every_figure_brings_its_own_dark_mode_colours(figure):
    root = svg_root(figure)
    style = "".join(element.text or "" for element in root.iter(f"{SVG_NS}style"))
    assert re.search(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", style)


@pytest.mark.parametrize("figure", ALL_FIGURES, ids=FIGURE_IDS)
def test_no_figure_holds_anything_active_or_external(figure):
    assert active_parts(svg_file(figure).read_text(encoding="utf-8")) == []
