"""Markdown is rendered to safe HTML; hostile or pathological input is refused cleanly."""

# Time bounds use the CPU time of this thread (time.thread_time): neither other processes on a busy
# machine nor background threads of earlier tests (browser, servers) can fail them.

import pytest

from app.content.render import RenderError, render_inline, render_markdown, term_anchor


def test_scripts_event_handlers_and_javascript_links_are_removed():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))')
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "javascript:" not in html


def test_tables_and_lists_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n")
    assert "<table>" in html and "<li>one</li>" in html


def test_glossary_links_point_at_the_term_anchor():
    html = render_markdown("Zie [[share of wallet]] en [[CLV|klantwaarde / CLV]].", "/courses/c/glossary")
    assert 'href="/courses/c/glossary#term-share-of-wallet"' in html
    assert '>CLV</a>' in html and "#term-klantwaarde-clv" in html


def test_term_anchors_are_stable_and_keep_accented_letters():
    assert term_anchor("Ügyfélmegtartás / ügyfélszerzés") == "term-ügyfélmegtartás-ügyfélszerzés"


def test_inline_render_drops_the_paragraph():
    assert render_inline("**Juist**, zo is het.") == "<strong>Juist</strong>, zo is het."


@pytest.mark.parametrize("text", ["[" * 10_000, "> " * 5_000 + "x", "".join("  " * i + "- x\n" for i in range(300))])
def test_pathological_nesting_is_refused_quickly(text):
    with pytest.raises(RenderError):
        render_markdown(text)


def test_huge_input_is_refused():
    with pytest.raises(RenderError):
        render_markdown("x" * 200_000)


# --- text that Python-Markdown would take seconds or minutes to render ------------------------

import time  # noqa: E402

from app.content.render import (  # noqa: E402
    FILE_BUDGET,
    MAX_MARKDOWN_CHARS,
    TEXT_BUDGET,
    complexity_problem,
    markdown_cost,
)

ISSUE_7_TEXTS = {  # each took 15-30 s (or minutes) before
    "unclosed links": "[a" * 10_000,
    "unclosed images": "![" * 10_000,
    "unclosed link targets": "[a](" * 8_000,
}
WORST_CASES = {  # measured on this code base: each took 0.3 s to over 10 s unguarded
    "links spread over a long paragraph": ("[" + "a" * 300) * 64,
    "images spread": ("![" + "a" * 300) * 64,
    "footnote-like brackets": "[^" * 5_000,
    "nested unmatched brackets": "[![" * 5_000,
    "brackets and parentheses": "([" * 10_000,
    "parentheses nested in a link": "[a](" + "(" * 5_000 + ")" * 5_000 + ")",
    "code span openers": "``a`" * 5_000,
    "html openers on lines": "<a\n" * 5_000,
    "html attributes": "<a " * 6_000,
    "cdata": "<![CDATA[" * 2_000,
    "closing tags": "</" * 3_000,
    "raw html blocks": "<div>\n\n" * 2_000,
    "autolinks": "<http://" * 2_400,
    "headings in one block": "# x\n" * 4_900,
    "setext headings": "x\n===\n" * 3_300,
    "horizontal rules": "***\n" * 4_900,
    "one-line nested lists": "- " * 5_000 + "x",
    "one-line nested quotes": "> " * 5_000 + "x",
    "one-line nested ordered lists": "1. " * 3_000 + "x",
    "quotes and lists": "> - " * 100 + "x",
    "deeply indented lists": "".join("  " * i + "- x\n" for i in range(300)),
    "wide table": "|" + "a|" * 200 + "\n|" + "-|" * 200 + "\n" + ("|" + "1|" * 200 + "\n") * 45,
    "entities": "&amp;" * 4_000,
    "escaped backticks": "\\`" * 8_000,
    "emphasis runs": "**_a" * 2_000,
    "unclosed tags across paragraphs": ("<a " + " x" * 15 + "\n\n") * 500,
    "unclosed fences across paragraphs": ("```" + "x" * 20 + "\n\n") * 900,
}


def best_time(function, *args, runs=3):
    best = float("inf")
    for _ in range(runs):
        start = time.thread_time()
        function(*args)
        best = min(best, time.thread_time() - start)
    return best


def refusal(text):
    start = time.thread_time()
    with pytest.raises(RenderError) as info:
        render_markdown(text)
    return str(info.value), time.thread_time() - start


@pytest.mark.parametrize("text", ISSUE_7_TEXTS.values(), ids=ISSUE_7_TEXTS.keys())
def test_the_bracket_texts_of_issue_7_are_refused_in_milliseconds(text):
    message, seconds = refusal(text)
    assert message.startswith(("too complex:", "text is longer than")) and seconds < 0.05


@pytest.mark.parametrize("text", WORST_CASES.values(), ids=WORST_CASES.keys())
def test_text_that_would_render_for_seconds_is_refused_before_rendering(text):
    message, seconds = refusal(text)
    assert message.startswith(("too complex:", "text is longer than")) and seconds < 0.05


# Units that are cheap in small numbers and slow in large ones: the most of each that the
# guard lets through must still render quickly, which calibrates the cost model.
UNITS = ["[a ", "![ ", "[a](", "[a](b) ", "[1] ", "(a ", "[a] (", "[a]", "<a ", "<b>x</b> ", "``a` ", "`a` ", "***\n", "# x\n", "x\n=\n", "- x\n",
         "> x\n", "&amp;", "\\`", "**_a", "*a_", "|a", "<!-- -->", "<http://x> ", "  - x\n", "1. x\n", "[[a]]", "a\n\n",
         "<a x\n\n", "```x\n\n", "~~~\n\n", "- x\n\n", "> x\n\n", "| a |\n\n"]


def largest_accepted(unit: str) -> str:
    low, high = 1, MAX_MARKDOWN_CHARS // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        if complexity_problem(unit * middle):
            high = middle - 1
        else:
            low = middle
    return unit * low


@pytest.mark.parametrize("unit", UNITS)
def test_the_most_complex_text_the_guard_accepts_renders_within_the_text_budget(unit):
    text = largest_accepted(unit)
    assert complexity_problem(text) is None and markdown_cost(text) <= TEXT_BUDGET
    assert best_time(render_markdown, text) < TEXT_BUDGET / 1e6  # 0.15 s


def test_the_cost_estimate_is_an_upper_bound_for_ordinary_prose():
    text = ("Een **loyale** klant komt terug. Zie [de definitie](https://example.org) en `code`.\n\n"
            "- punt een\n- punt twee\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n") * 60
    assert complexity_problem(text) is None
    assert best_time(render_markdown, text) * 1e6 < markdown_cost(text)


def test_balanced_brackets_and_a_few_open_ones_are_fine():
    text = "Zie (bijlage [1]) en (ook [2] (a) (b)). " * 200 + "(" * 20
    assert complexity_problem(text) is None
    assert "too complex" in complexity_problem("(" * 33)


def test_lists_and_quotes_nest_twenty_levels_deep_and_no_deeper():
    twenty = "".join("  " * i + "- x\n" for i in range(20))
    assert complexity_problem(twenty) is None
    assert "nested more than 20 levels" in complexity_problem(twenty + "  " * 20 + "- x\n")
    assert "nested more than 20 levels" in complexity_problem("> " * 21 + "x")
    assert "nested more than 20 levels" in complexity_problem("1. " * 21 + "x")


def test_a_renderer_crash_is_a_render_error(monkeypatch):
    import markdown

    def explode(self, text):
        raise IndexError("bug")

    monkeypatch.setattr(markdown.Markdown, "convert", explode)
    with pytest.raises(RenderError, match=r"the Markdown renderer failed \(IndexError\)"):
        render_markdown("x")


def test_glossary_links_are_counted_in_the_complexity_they_add():
    text = "[[term]] " * 2_000
    assert complexity_problem(text) is not None  # 4,000 brackets in one paragraph
    with pytest.raises(RenderError):
        render_markdown(text, "/courses/c/glossary")
    assert MAX_MARKDOWN_CHARS >= 20_000 and FILE_BUDGET > TEXT_BUDGET


def test_the_shipped_courses_use_a_small_part_of_every_budget():
    from pathlib import Path

    from app.content.loader import load_content

    root = Path(__file__).resolve().parents[2]
    content = load_content(root)
    assert len(content.lessons) >= 8
    for lesson in content.lessons.values():
        quiz = content.quizzes.get(lesson.id)
        slide_texts = [render_text for slide in lesson.slides for render_text in (slide.body, slide.notes) if render_text]
        quiz_texts = [t for q in quiz.questions for t in (q.stem, *(o.text for o in q.options), *(o.feedback for o in q.options))]
        for texts in (slide_texts, quiz_texts):
            assert max(map(markdown_cost, texts)) < TEXT_BUDGET / 10
            assert sum(map(markdown_cost, texts)) < FILE_BUDGET / 4
            assert all(complexity_problem(text) is None for text in texts)


def test_rules_setext_underlines_and_indented_code_are_not_nesting():
    assert complexity_problem("Titel\n" + "-" * 40) is None
    assert complexity_problem("*" * 40 + "\n\n" + "_ " * 30) is None
    assert complexity_problem("Versie 1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22") is None
    assert complexity_problem("```\n" + " " * 60 + "diep ingesprongen code\n```") is None
