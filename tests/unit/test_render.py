"""Markdown is rendered to safe HTML; hostile or pathological input is refused cleanly."""

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
