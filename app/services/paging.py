"""Pages of a long list (a class's gradebook and heat map): which rows a page shows, and a name
filter. Pure: plain values in, plain values out.

Forgiving like a gradebook should be: a page number past the end shows the last page, one below 1
or not a number shows the first, a page size outside the bounds is brought within them. A link
someone edited by hand never turns into an error page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

PER_PAGE_DEFAULT = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)
PER_PAGE_MAX = PER_PAGE_CHOICES[-1]
QUERY_MAX = 100  # characters of a name filter; longer input is cut

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination:
    """Page `page` (1-based) of `total` rows, `per_page` rows a page."""

    page: int
    per_page: int
    total: int
    size_choices: ClassVar[tuple[int, ...]] = PER_PAGE_CHOICES
    query_max: ClassVar[int] = QUERY_MAX

    @property
    def size_param(self) -> int | None:
        """The page size as a link's argument: None (left out) for the default."""
        return None if self.per_page == PER_PAGE_DEFAULT else self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """Number of the first row shown (1-based; 0 when there are none)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers a navigation shows: the first, the last and `around` either side of
        this one; None where numbers are left out (shown as an ellipsis)."""
        shown = sorted({1, self.pages, *range(max(1, self.page - around), min(self.pages, self.page + around) + 1)})
        result: list[int | None] = []
        for number in shown:
            previous = result[-1] if result else number - 1
            if number - previous == 2:
                result.append(number - 1)  # one number left out: show it rather than an ellipsis
            elif number - previous > 2:
                result.append(None)
            result.append(number)
        return result


def whole_number(value: str | None) -> int | None:
    """A positive whole number written in ASCII digits (huge ones capped), else None."""
    value = (value or "").strip()
    if not value or not value.isascii() or not value.isdigit():
        return None
    return int(value[:12])


def paginate(total: int, page: str | int | None, per_page: str | int | None = None) -> Pagination:
    """The page asked for, brought within bounds (see the module's docstring)."""
    size = per_page if isinstance(per_page, int) else whole_number(per_page)
    size = PER_PAGE_DEFAULT if not size else min(max(size, PER_PAGE_CHOICES[0]), PER_PAGE_MAX)
    number = page if isinstance(page, int) else whole_number(page)
    pages = max(1, -(-total // size))
    return Pagination(min(max(number or 1, 1), pages), size, total)


def folded(text: str) -> str:
    """Text for matching a name filter: case and accents left out ("Bálint" ~ "balint")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clean_query(value: str | None) -> str:
    """A name filter as typed, without control characters or surrounding space, at most QUERY_MAX long."""
    text = "".join(c for c in (value or "") if c.isspace() or unicodedata.category(c)[0] != "C")
    return " ".join(text.split())[:QUERY_MAX]


def matching(rows: Sequence[T], query: str, *names: Callable[[T], str]) -> list[T]:
    """The rows of which one of the `names` contains every word of `query` (case and accents aside)."""
    words = folded(query).split()
    if not words:
        return list(rows)
    return [row for row in rows
            if all(any(word in folded(name(row)) for name in names) for word in words)]
