"""Server-rendered SVG bar charts (issue 9 point 7): accessible, escaped, proportional, no script."""

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output only

from app.learning.charts import LABEL_WIDTH, PADDING, VALUE_WIDTH, WIDTH, Bar, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
BAR_SPACE = WIDTH - LABEL_WIDTH - VALUE_WIDTH - PADDING * 2


def chart(bars, **kwargs):
    options = {"scale_max": 20, "chart_id": "q1"} | kwargs
    return ET.fromstring(bar_chart_svg("How the class answered question 1", bars, **options))  # noqa: S314


BARS = [Bar("A", 10, "10 (50%)", correct=True), Bar("B", 5, "5 (25%)"), Bar("C", 0, "0 (0%)"),
        Bar("D", 5, "5 (25%)")]


def test_the_chart_is_an_image_named_by_its_title():
    svg = chart(BARS)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title.text == "How the class answered question 1"
    assert svg.get("aria-labelledby") == title.get("id") == "q1-title"
    assert svg.get("viewBox").startswith("0 0 960 ")
    assert svg.get("width") is None  # scales to its container


def test_bar_lengths_are_proportional_to_the_scale_not_to_the_largest_bar():
    bars = [r for r in chart(BARS).iter(f"{SVG}rect") if r.get("class").startswith("bar ") or r.get("class") == "bar"]
    # 10 of 20 fill half the space; 5 of 20 a quarter; a zero draws no bar at all
    assert [int(r.get("width")) for r in bars] == [round(BAR_SPACE / 2), round(BAR_SPACE / 4), round(BAR_SPACE / 4)]


def test_every_option_has_a_track_so_an_option_nobody_chose_still_shows():
    tracks = [r for r in chart(BARS).iter(f"{SVG}rect") if r.get("class") == "bar-track"]
    assert len(tracks) == 4


def test_labels_and_counts_are_real_text():
    texts = [t.text for t in chart(BARS).iter(f"{SVG}text")]
    assert texts == ["A", "10 (50%)", "B", "5 (25%)", "C", "0 (0%)", "D", "5 (25%)"]


def test_the_key_stays_hidden_until_a_mark_is_given():
    hidden = chart(BARS)
    assert not [r for r in hidden.iter(f"{SVG}rect") if "bar-correct" in r.get("class")]
    shown = chart(BARS, correct_mark="✓ right")
    labels = [t.text for t in shown.iter(f"{SVG}text") if t.get("class") == "bar-label"]
    assert labels == ["A ✓ right", "B", "C", "D"]
    assert [r.get("class") for r in shown.iter(f"{SVG}rect") if "bar-correct" in r.get("class")] == ["bar bar-correct"]


def test_text_is_escaped_so_an_option_cannot_inject_markup():
    svg_text = bar_chart_svg('<script>alert(1)</script> & "quotes"',
                             [Bar("<b>A</b>", 1, "1 <img src=x onerror=alert(1)>")],
                             scale_max=1, chart_id='x" onload="alert(1)', description="<i>desc</i>")
    svg = ET.fromstring(svg_text)  # noqa: S314 - still well-formed XML
    assert "<script" not in svg_text and "<img" not in svg_text and "<b>" not in svg_text
    assert svg.find(f"{SVG}title").text == '<script>alert(1)</script> & "quotes"'
    assert svg.get("aria-labelledby") == 'x" onload="alert(1)-title'  # one attribute value, not two
    assert svg.get("onload") is None
    assert svg.find(f"{SVG}desc").text == "<i>desc</i>"


def test_a_description_is_linked_when_given():
    svg = chart(BARS, description="20 answers")
    assert svg.get("aria-describedby") == "q1-desc"
    assert chart(BARS).get("aria-describedby") is None


def test_a_count_above_the_scale_is_capped_by_growing_the_scale():
    bars = [r for r in chart([Bar("A", 40, "40")], scale_max=20).iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert int(bars[0].get("width")) == BAR_SPACE


def test_an_empty_chart_is_still_a_valid_image():
    svg = chart([], scale_max=0)
    assert svg.get("role") == "img"
    assert not list(svg.iter(f"{SVG}rect"))
