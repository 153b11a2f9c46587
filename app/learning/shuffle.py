"""Option order for one question as one student sees it. Plain values in, plain values out.

An order is a tuple of stored option indexes in the order they are displayed: (2, 0, 1) shows
the stored option 2 first. Forms post displayed positions; `to_stored` maps them back, so
grading always works on option identity, never on where an option stood on the screen.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable, Sequence


def keeps_order(question_type: str, fixed_order: bool) -> bool:
    """True/false always reads 'true, false'; an author may fix any other order (scales…)."""
    return fixed_order or question_type == "truefalse"


def option_order(option_count: int, fixed: bool, rng: random.Random) -> tuple[int, ...]:
    """The display order of `option_count` options: shuffled by `rng`, or as stored when fixed."""
    order = list(range(option_count))
    if not fixed:
        rng.shuffle(order)
    return tuple(order)


def is_order_of(order: Sequence[int], option_count: int) -> bool:
    """Whether `order` shows each of `option_count` stored options exactly once."""
    return sorted(order) == list(range(option_count))


def to_stored(order: Sequence[int], displayed: Iterable[int]) -> frozenset[int]:
    """Stored option indexes of the displayed positions chosen (positions must be in range)."""
    return frozenset(order[position] for position in displayed)


def keyed_rng(secret: bytes, *parts: object) -> random.Random:
    """A generator that gives the same sequence for the same secret and parts, and an
    unpredictable one without the secret (a student cannot work out the stored order)."""
    digest = hmac.new(secret, "/".join(map(str, parts)).encode(), hashlib.sha256).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 - seeded by a secret HMAC
