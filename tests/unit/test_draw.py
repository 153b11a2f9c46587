"""The final-quiz draw (issue 10 point 1): per goal, fresh questions first, a retake differs."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.learning.draw import draw_final

POOLS = {"g1": ["a1", "a2", "a3", "a4"], "g2": ["b1", "b2", "b3"]}


def draw(answered=(), previous=None, per_goal=2, seed=1, pools=POOLS):
    return draw_final(pools, set(answered), previous, per_goal, random.Random(seed))


def test_each_goal_gets_its_number_of_questions_grouped_in_goal_order():
    result = draw()
    assert len(result) == 4
    assert set(result[:2]) <= set(POOLS["g1"]) and set(result[2:]) <= set(POOLS["g2"])


def test_unanswered_questions_are_drawn_before_answered_ones():
    # a1, a2, a3 and b1 answered in the checkpoints: only a4 is fresh in g1, b2 and b3 in g2
    result = draw(answered={"a1", "a2", "a3", "b1"})
    assert "a4" in result[:2] and set(result[2:]) == {"b2", "b3"}


def test_a_retake_draws_the_questions_not_yet_answered():
    first = draw(seed=3)
    second = draw(answered=first, previous=first, seed=4)
    # g1 has 2 unanswered questions left and g2 one, so the retake asks those first
    assert set(second[:2]) == set(POOLS["g1"]) - set(first)
    assert (set(POOLS["g2"]) - set(first)) <= set(second[2:])


def test_a_retake_with_everything_answered_is_not_the_same_set_as_the_previous_attempt():
    everything = [q for pool in POOLS.values() for q in pool]
    for seed in range(30):
        previous = draw(answered=everything, seed=seed)
        # Make the retake's rng repeat the previous draw exactly: only the swap can save it
        retake = draw(answered=everything, previous=previous, seed=seed)
        assert set(retake) != set(previous)


def test_when_the_pools_hold_exactly_one_set_it_is_drawn_again():
    pools = {"g1": ["a1", "a2"], "g2": ["b1"]}
    assert set(draw(previous=["a1", "a2", "b1"], pools=pools)) == {"a1", "a2", "b1"}


def test_a_question_in_two_pools_is_asked_once_and_counts_for_both_goals():
    pools = {"g1": ["shared", "a2"], "g2": ["shared", "b2"]}
    result = draw(per_goal=2, pools=pools)
    assert sorted(result) == ["a2", "b2", "shared"]


def test_the_same_seed_gives_the_same_draw_and_sets_are_ordered_reproducibly():
    pools = {"g1": {"a3", "a1", "a2", "a4"}, "g2": frozenset({"b2", "b1", "b3"})}
    assert draw(pools=pools, seed=7) == draw(pools=pools, seed=7)


def test_per_goal_below_one_is_refused():
    with pytest.raises(ValueError):
        draw(per_goal=0)


disjoint_pools = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=5).map(
    lambda sizes: {f"g{i}": [f"g{i}-q{j}" for j in range(size)] for i, size in enumerate(sizes)})


@given(pools=disjoint_pools, per_goal=st.integers(1, 4), seed=st.integers(0, 10_000), data=st.data())
def test_draw_properties(pools, per_goal, seed, data):
    every = [q for pool in pools.values() for q in pool]
    answered = set(data.draw(st.lists(st.sampled_from(every), unique=True)) if every else [])
    result = draw_final(pools, answered, None, per_goal, random.Random(seed))
    assert len(result) == len(set(result))
    for pool in pools.values():
        drawn = [q for q in result if q in pool]
        assert len(drawn) == min(per_goal, len(pool))
        # fresh first: an answered question is drawn only when every fresh one is drawn
        if any(q in answered for q in drawn):
            assert {q for q in pool if q not in answered} <= set(drawn)
    assert result == draw_final(pools, answered, None, per_goal, random.Random(seed))


@given(pools=disjoint_pools, per_goal=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_a_retake_differs_whenever_some_pool_is_larger_than_its_share(pools, per_goal, seed):
    every = {q for pool in pools.values() for q in pool}
    previous = draw_final(pools, every, None, per_goal, random.Random(seed))
    retake = draw_final(pools, every, previous, per_goal, random.Random(seed))
    if any(len(pool) > per_goal for pool in pools.values()):
        assert set(retake) != set(previous)
    else:
        assert set(retake) == set(previous)
    for pool in pools.values():
        assert len([q for q in retake if q in pool]) == min(per_goal, len(pool))
