"""Per-account login throttling in the database: backoff after 5 failures, for every account name."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import LoginThrottle, utcnow
from app.services.throttle import delay_after, throttle_key
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

WAIT = "Too many failed attempts with this username. Try again in"


@pytest.mark.parametrize(("failures", "seconds"), [
    (1, None), (4, None), (5, 30), (6, 60), (7, 120), (8, 240), (9, 480), (10, 900), (11, 900), (500, 900),
])
def test_the_wait_starts_at_the_fifth_failure_and_doubles_up_to_fifteen_minutes(failures, seconds):
    expected = None if seconds is None else timedelta(seconds=seconds)
    assert delay_after(failures) == expected


def fail(client, name: str, times: int) -> list[int]:
    return [login(client, name, "not the password").status_code for _ in range(times)]


def throttle_row(app, name: str) -> LoginThrottle | None:
    with app.app_context():
        return db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == throttle_key(name)))


def end_the_wait(app, name: str) -> None:
    with app.app_context():
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == throttle_key(name))
                           .values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_after_five_failures_even_the_right_password_waits(app, client):
    _uid, name = new_user(app)
    assert fail(client, name, 5) == [400] * 5
    response = login(client, name, PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert f"{WAIT} 1 minute." in page
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert "The username or password is not right" not in page


def test_an_unknown_username_is_throttled_the_same_way_so_nothing_tells_it_apart(app, client):
    _uid, name = new_user(app)
    known = fail(client, name, 6)
    unknown = fail(client, f"nobody-{name}", 6)
    assert known == unknown == [400] * 5 + [429]
    assert throttle_row(app, f"nobody-{name}").failures == 5
    assert f"{WAIT} 1 minute." in login(client, f"NOBODY-{name}", "x").get_data(as_text=True)


def test_the_throttle_key_is_the_normalised_name_and_stores_no_name(app, client):
    _uid, name = new_user(app)
    fail(client, name.upper(), 2)
    fail(client, f"  {name} ", 2)
    row = throttle_row(app, name)
    assert row.failures == 4
    assert name not in row.key and len(row.key) == 64


def test_after_the_wait_the_right_password_works_and_clears_the_count(app, client):
    _uid, name = new_user(app)
    fail(client, name, 5)
    end_the_wait(app, name)
    assert login(client, name, PASSWORD).status_code == 303
    assert throttle_row(app, name) is None


def test_after_the_wait_each_further_failure_waits_twice_as_long(app, client):
    _uid, name = new_user(app)
    fail(client, name, 5)
    end_the_wait(app, name)
    assert fail(client, name, 1) == [400]  # the 6th failure: checked, then a 60 s wait
    row = throttle_row(app, name)
    assert row.failures == 6
    assert timedelta(seconds=55) < row.locked_until - utcnow() <= timedelta(seconds=60)
    assert fail(client, name, 1) == [429]


def test_a_successful_login_resets_the_count(app):
    _uid, name = new_user(app)
    client = app.test_client()
    assert fail(client, name, 4) == [400] * 4
    assert login(client, name, PASSWORD).status_code == 303
    client = app.test_client()
    assert fail(client, name, 4) == [400] * 4  # would have been the 5th..8th failure without the reset
    assert login(client, name, PASSWORD).status_code == 303


def test_failures_older_than_a_day_no_longer_count(app, client):
    _uid, name = new_user(app)
    fail(client, name, 4)
    with app.app_context():
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == throttle_key(name))
                           .values(last_failure_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    assert fail(client, name, 1) == [400]
    assert throttle_row(app, name).failures == 1


def test_guessing_the_current_password_on_the_settings_page_is_throttled_too(app):
    _uid, name = new_user(app)
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    from .test_sessions import change_password

    statuses = [change_password(client, f"guess {i}", "paars konijn eet taart").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    response = change_password(client, PASSWORD, "paars konijn eet taart")
    assert response.status_code == 429 and WAIT in response.get_data(as_text=True)


def test_a_burst_of_parallel_guesses_gets_at_most_five_password_checks(app):
    _uid, name = new_user(app)
    clients = [app.test_client() for _ in range(16)]
    tokens = [csrf_token(client, "/login") for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client, token, i):
        start.wait()
        response = client.post("/login", data={"csrf_token": token, "username": name, "password": f"guess {i}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(c, t, i)) for i, (c, t) in enumerate(zip(clients, tokens, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [400] * 5 + [429] * 11
    assert throttle_row(app, name).failures >= 5
