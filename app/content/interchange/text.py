"""Question text in Moodle's formats turned into Lesmark Markdown.

Moodle texts come as `markdown`, `html`, `plain` or `moodle` (Moodle's default: plain text in
which HTML tags work and line breaks are kept). Lesmark renders Markdown and sanitises the
HTML it produces, so HTML is turned into the little Markdown a question needs (paragraphs,
line breaks, bold, italics, code, links, lists) and every other tag is dropped with its text
kept; plain text is escaped so that it shows exactly as written."""

from __future__ import annotations

import re
from html.parser import HTMLParser

FORMATS = ("moodle", "html", "plain", "markdown")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """Backslash the characters that would make plain text render as something else."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class _HtmlToMarkdown(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "pre"}
    DROPPED = {"script", "style", "head", "title", "iframe", "object"}
    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}  # the same mark opens and closes

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []  # [kind, counter]
        self.links: list[str | None] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.DROPPED:
            self.dropping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
            if tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag.startswith("h"):
                self.parts.append("**")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self.parts.append("\n" + ("- " if kind[0] == "ul" else f"{kind[1]}. "))
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if _SAFE_LINK.match(href) else None)
            if self.links[-1]:
                self.parts.append("[")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt:
                self.parts.append(escape_markdown(alt))

    def handle_endtag(self, tag):
        if tag in self.DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in self.BLOCKS:
            if tag.startswith("h"):
                self.parts.append("**")
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.parts.append("\n\n")
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f"]({href.replace(')', '%29').replace(' ', '%20')})")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(escape_markdown(re.sub(r"[ \t\r\n]+", " ", data)))


def html_to_markdown(html: str) -> str:
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def to_markdown(text: str, text_format: str) -> str:
    """Turn one text of the given Moodle format into Lesmark Markdown."""
    if text_format == "markdown":
        return text.strip()
    if text_format == "plain":
        return escape_markdown(text).strip()
    if text_format == "moodle":
        # line breaks are kept in Moodle's own format: make them Markdown paragraphs' line breaks
        text = text.replace("\n", "<br>")
    return html_to_markdown(text)
