"""The final-quiz draw (issue 10 point 1): which questions one attempt asks. Pure.

Per learning goal, `per_goal` questions come from the goal's pool, questions this student has
not answered yet first (then the others), at random within each group. A retake never gets
the same set of questions as the attempt before it when the pools allow another set. The
caller stores the result with the attempt; review, regrading and statistics use the stored
draw, never a new one.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping


def _in_order(pool: Iterable[str]) -> list[str]:
    """The pool without repeats, in a reproducible order (sets have no order of their own)."""
    if isinstance(pool, (set, frozenset)):
        return sorted(pool)
    return list(dict.fromkeys(pool))


def draw_final(pools: Mapping[str, Iterable[str]], answered_before: Collection[str],
               previous_draw: Collection[str] | None, per_goal: int,
               rng: random.Random) -> list[str]:
    """Question ids for a new final-quiz attempt, grouped by goal in the order of `pools`.

    - A question already drawn for an earlier goal whose pool also holds it counts for this
      goal too (a question that measures two goals is asked once).
    - A goal with a smaller pool than `per_goal` gets its whole pool.
    - `answered_before`: every question this student has answered (checkpoints included).
    - `previous_draw`: the questions of the student's previous attempt, or None.
    The same `rng` state gives the same draw.
    """
    if per_goal < 1:
        raise ValueError("per_goal must be at least 1")
    ordered_pools = {goal: _in_order(pool) for goal, pool in pools.items()}
    chosen: dict[str, list[str]] = {}
    taken: set[str] = set()
    for goal, pool in ordered_pools.items():
        need = per_goal - sum(1 for q in pool if q in taken)
        fresh = [q for q in pool if q not in taken and q not in answered_before]
        seen = [q for q in pool if q not in taken and q in answered_before]
        rng.shuffle(fresh)
        rng.shuffle(seen)
        chosen[goal] = (fresh + seen)[:max(0, need)]
        taken.update(chosen[goal])
    if previous_draw is not None and taken == set(previous_draw):
        _swap_one(ordered_pools, chosen, taken, answered_before, rng)
    return [q for goal in ordered_pools for q in chosen[goal]]


def _swap_one(pools: Mapping[str, list[str]], chosen: dict[str, list[str]], taken: set[str],
              answered_before: Collection[str], rng: random.Random) -> None:
    """Replace one drawn question by an undrawn one of the same goal, so the set differs.

    Prefers a swap that does not trade an unanswered question for an answered one.
    """
    options = []
    for goal, pool in pools.items():
        spare = [q for q in pool if q not in taken]
        if not chosen[goal] or not spare:
            continue
        spare_fresh = [q for q in spare if q not in answered_before]
        drawn_seen = [q for q in chosen[goal] if q in answered_before]
        costless = bool(spare_fresh) or bool(drawn_seen)
        options.append((not costless, goal, spare_fresh or spare, drawn_seen or chosen[goal]))
    if not options:
        return  # every pool is drawn in full: no other set exists
    _, goal, incoming, outgoing = min(options, key=lambda o: o[0])
    old, new = rng.choice(outgoing), rng.choice(incoming)
    chosen[goal][chosen[goal].index(old)] = new
    taken.discard(old)
    taken.add(new)
