"""Option order per student and attempt (app/learning/shuffle.py)."""

import random

from hypothesis import given
from hypothesis import strategies as st

from app.learning.grading import grade
from app.learning.shuffle import is_order_of, keeps_order, keyed_rng, option_order, to_stored


def test_a_fixed_order_shows_the_options_as_stored():
    assert option_order(4, True, random.Random(1)) == (0, 1, 2, 3)


def test_true_false_and_authored_fixed_orders_keep_their_order_other_questions_do_not():
    assert keeps_order("truefalse", False) is True
    assert keeps_order("single", True) is True
    assert keeps_order("multiple", True) is True
    assert keeps_order("single", False) is False
    assert keeps_order("multiple", False) is False


def test_the_same_seed_gives_the_same_order_and_another_seed_usually_another():
    assert option_order(5, False, random.Random(7)) == option_order(5, False, random.Random(7))
    orders = {option_order(5, False, random.Random(seed)) for seed in range(200)}
    # 120 possible orders of 5 options; 200 seeds that gave fewer than 50 would be no shuffle at all
    assert len(orders) > 50


def test_every_position_gets_every_option_about_equally_often():
    rng = random.Random(2026)
    first = [option_order(4, False, rng)[0] for _ in range(4000)]
    for option in range(4):  # expected 1000 each; 850..1150 is more than 5 standard deviations
        assert 850 < first.count(option) < 1150, first.count(option)


@given(st.integers(0, 8), st.booleans(), st.integers(0, 2**32))
def test_an_order_always_shows_every_option_exactly_once(count, fixed, seed):
    order = option_order(count, fixed, random.Random(seed))
    assert is_order_of(order, count)


def test_an_order_with_a_missing_or_repeated_option_is_not_an_order():
    assert not is_order_of((0, 0, 1), 3)
    assert not is_order_of((0, 1), 3)
    assert not is_order_of((0, 1, 3), 3)
    assert is_order_of((2, 0, 1), 3)


def test_displayed_positions_map_back_to_stored_options():
    order = (2, 0, 3, 1)  # the stored option 2 is shown first
    assert to_stored(order, {0}) == {2}
    assert to_stored(order, {1, 3}) == {0, 1}
    assert to_stored(order, set()) == frozenset()


def test_the_key_at_a_shuffled_position_scores_one_and_the_first_position_does_not():
    order = (2, 0, 3, 1)
    key = frozenset({0})  # stored option 0, shown second
    assert grade("single", 4, key, to_stored(order, {1})).score == 1.0
    assert grade("single", 4, key, to_stored(order, {0})).score == 0.0


def test_a_keyed_generator_repeats_for_the_same_key_and_parts_only():
    def order(secret, *parts):
        return option_order(6, False, keyed_rng(secret, *parts))

    assert order(b"k", "checkpoint", 1, 5, 0) == order(b"k", "checkpoint", 1, 5, 0)
    # 720 orders of 6 options: among 20 students at most a few may share one by chance
    students = {order(b"k", "checkpoint", user, 5, 0) for user in range(20)}
    assert len(students) >= 17
    runs = {order(b"k", "checkpoint", 1, 5, run) for run in range(20)}
    assert len(runs) >= 17
    secrets = {order(secret.encode(), "checkpoint", 1, 5, 0) for secret in "abcdefghijklmnopqrst"}
    assert len(secrets) >= 17
