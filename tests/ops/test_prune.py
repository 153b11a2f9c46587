"""`flask db prune`: ended login sessions, dead API tokens and spent login throttles are deleted in
bounded batches; a live session, a live token and a throttle whose failures still count never are
(SQLite and PostgreSQL).

Each backend gets its own empty database, so the counts below are exactly this module's rows."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import OperationalError

from app import ops_cli
from app.database import count_statements
from app.extensions import db
from app.models import ApiToken, LoginThrottle, UserSession, utcnow
from app.services import pruning, tokens
from app.services.throttle import throttle_key

from ..conftest import PASSWORD, make_app, new_user
from ..support import login

_databases = itertools.count(1)
DAY = timedelta(days=1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def prune_app(request, tmp_path_factory):
    content = tmp_path_factory.mktemp("content")
    (content / "lessons").mkdir()
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"prune_{next(_databases)}")
    app = make_app(tmp_path_factory, url, CONTENT_ROOT=content)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def world(prune_app):
    """A user and empty session, token and throttle tables (each test adds the rows it needs)."""
    with prune_app.app_context():
        db.session.execute(delete(UserSession))
        db.session.execute(delete(LoginThrottle))
        db.session.execute(delete(ApiToken))
        db.session.commit()
    user_id, name = new_user(prune_app)
    prune_app.user_id, prune_app.username = user_id, name
    return prune_app


def add_session(app, label: str, *, created_ago: timedelta, seen_ago: timedelta, expires_in: timedelta,
                revoked_ago: timedelta | None = None) -> None:
    now = utcnow()
    with app.app_context():
        db.session.add(UserSession(
            user_id=app.user_id, token_hash=f"{label:0<64}"[:64], created_at=now - created_ago,
            last_seen_at=now - seen_ago, expires_at=now + expires_in,
            revoked_at=None if revoked_ago is None else now - revoked_ago, user_agent=label))
        db.session.commit()


def add_throttle(app, name: str, *, failures: int, last_failure_ago: timedelta,
                 locked_for: timedelta | None) -> None:
    now = utcnow()
    with app.app_context():
        db.session.add(LoginThrottle(key=throttle_key(name), failures=failures, last_failure_at=now - last_failure_ago,
                                     locked_until=None if locked_for is None else now + locked_for))
        db.session.commit()


def add_token(app, name: str, *, expires_in: timedelta | None = None, revoked_ago: timedelta | None = None) -> str:
    """A token made as the account page makes it, then aged: its secret."""
    now = utcnow()
    with app.app_context():
        made = tokens.create(app.user_id, name, ["read"], None, now=now - 400 * DAY)
        made.record.expires_at = None if expires_in is None else now + expires_in
        made.record.revoked_at = None if revoked_ago is None else now - revoked_ago
        db.session.commit()
        return made.secret


def token_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(ApiToken.name)))


def session_labels(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(UserSession.user_agent)))


def throttle_keys(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(LoginThrottle.key)))


def run(app, *args):
    return app.test_cli_runner().invoke(args=["db", "prune", *args])


def test_ended_sessions_older_than_the_retention_go_and_every_other_session_stays(world):
    hour = timedelta(hours=1)
    add_session(world, "live", created_ago=hour, seen_ago=timedelta(0), expires_in=11 * hour)
    add_session(world, "logged-out-long-ago", created_ago=40 * DAY, seen_ago=40 * DAY, expires_in=-39 * DAY,
                revoked_ago=40 * DAY)
    add_session(world, "logged-out-yesterday", created_ago=DAY, seen_ago=DAY, expires_in=-DAY / 2, revoked_ago=DAY)
    add_session(world, "expired-long-ago", created_ago=32 * DAY, seen_ago=31 * DAY, expires_in=-31 * DAY)
    add_session(world, "expired-an-hour-ago", created_ago=13 * hour, seen_ago=2 * hour, expires_in=-hour)
    # idle since 31 days (its absolute end moved far away, so only idleness ended it)
    add_session(world, "idle-long-ago", created_ago=31 * DAY, seen_ago=31 * DAY, expires_in=DAY)
    with world.app_context():
        report = pruning.prune(session_days=30)
    assert report.sessions_deleted == 3
    assert session_labels(world) == {"live", "logged-out-yesterday", "expired-an-hour-ago"}


def test_a_session_in_use_survives_even_a_zero_day_retention(world):
    client = world.test_client()
    assert login(client, world.username, PASSWORD).status_code == 303
    add_session(world, "ended-a-second-ago", created_ago=DAY, seen_ago=DAY, expires_in=DAY,
                revoked_ago=timedelta(seconds=1))
    result = run(world, "--session-days", "0")
    assert result.exit_code == 0, result.output
    assert "pruned: 1 ended session(s), 0 login throttle(s) in 1 batch(es); 0 revoked or expired API token(s)" \
        in result.output
    assert client.get("/account/").status_code == 200  # still logged in


def test_only_throttles_whose_failures_no_longer_count_are_deleted(world):
    add_throttle(world, "locked-now", failures=7, last_failure_ago=timedelta(minutes=1),
                 locked_for=timedelta(minutes=2))
    add_throttle(world, "counting", failures=3, last_failure_ago=timedelta(hours=23), locked_for=None)
    add_throttle(world, "spent", failures=9, last_failure_ago=2 * DAY, locked_for=-2 * DAY)
    add_throttle(world, "forgotten", failures=2, last_failure_ago=25 * timedelta(hours=1), locked_for=None)
    result = run(world, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sessions_deleted": 0, "throttles_deleted": 2, "batches": 1,
                                         "tokens_deleted": 0, "ok": True, "error": None}
    assert throttle_keys(world) == {throttle_key("locked-now"), throttle_key("counting")}


def test_revoked_or_expired_api_tokens_older_than_the_retention_go_and_live_ones_stay(world):
    live = add_token(world, "live-forever")
    add_token(world, "live-for-a-week", expires_in=7 * DAY)
    add_token(world, "revoked-long-ago", revoked_ago=40 * DAY)
    add_token(world, "revoked-long-ago-unexpired", expires_in=300 * DAY, revoked_ago=31 * DAY)
    add_token(world, "revoked-yesterday", revoked_ago=DAY)
    add_token(world, "expired-long-ago", expires_in=-31 * DAY)
    add_token(world, "expired-an-hour-ago", expires_in=-timedelta(hours=1))
    result = run(world, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sessions_deleted": 0, "throttles_deleted": 0, "batches": 1,
                                         "tokens_deleted": 3, "ok": True, "error": None}
    assert token_names(world) == {"live-forever", "live-for-a-week", "revoked-yesterday", "expired-an-hour-ago"}
    human = run(world, "--session-days", "0")
    assert human.exit_code == 0, human.output
    assert "pruned: 0 ended session(s), 0 login throttle(s) in 1 batch(es); 2 revoked or expired API token(s)" \
        in human.output
    assert token_names(world) == {"live-forever", "live-for-a-week"}
    with world.app_context():
        assert tokens.authenticate(live) is not None  # still works


def test_pruning_twice_deletes_nothing_the_second_time(world):
    add_session(world, "old", created_ago=40 * DAY, seen_ago=40 * DAY, expires_in=-39 * DAY, revoked_ago=40 * DAY)
    add_throttle(world, "spent", failures=9, last_failure_ago=2 * DAY, locked_for=None)
    add_token(world, "revoked", revoked_ago=40 * DAY)
    first = json.loads(run(world, "--json").output)
    second = run(world, "--json")
    assert (first["sessions_deleted"], first["throttles_deleted"], first["tokens_deleted"]) == (1, 1, 1)
    assert second.exit_code == 0
    assert json.loads(second.output) == {"sessions_deleted": 0, "throttles_deleted": 0, "batches": 0,
                                         "tokens_deleted": 0, "ok": True, "error": None}


def test_a_backlog_is_deleted_in_batches_of_the_given_size_each_committed(world):
    for n in range(7):
        add_session(world, f"old-{n}", created_ago=40 * DAY, seen_ago=40 * DAY, expires_in=-39 * DAY)
    for n in range(4):
        add_throttle(world, f"spent-{n}", failures=5, last_failure_ago=3 * DAY, locked_for=None)
    for n in range(3):
        add_token(world, f"revoked-{n}", revoked_ago=40 * DAY)
    commits = []

    def on_commit(connection):
        commits.append(connection)

    with world.app_context(), count_statements(db.engine) as statements:
        event.listen(db.engine, "commit", on_commit)
        try:
            report = pruning.prune(batch_size=3)
        finally:
            event.remove(db.engine, "commit", on_commit)
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert (report.sessions_deleted, report.throttles_deleted, report.tokens_deleted, report.batches) == (7, 4, 3, 6)
    # 3 + 3 + 1 sessions, 3 + 1 throttles, 3 tokens: no statement touches more than 3 rows
    assert len(deletes) == 6
    assert len(commits) == 6  # each batch its own short transaction
    assert session_labels(world) == set() and throttle_keys(world) == set() and token_names(world) == set()


def test_a_database_failure_exits_1_and_still_says_what_was_deleted(world, monkeypatch, expected_server_errors):
    def failing_prune(session_days, batch_size, report):
        report.sessions_deleted, report.batches = 500, 1
        raise OperationalError("DELETE", {}, Exception("database is locked"))

    monkeypatch.setattr(ops_cli, "prune", failing_prune)
    result = run(world, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"sessions_deleted": 500, "throttles_deleted": 0, "batches": 1,
                                         "tokens_deleted": 0, "ok": False, "error": "OperationalError"}
    human = run(world)
    assert human.exit_code == 1
    assert "pruned: 500 ended session(s)" in human.stdout and "run flask db prune again later" in human.stderr
    assert len(expected_server_errors.log_records) == 2  # logged with its traceback for the operator


def test_nonsense_options_are_refused_with_exit_2(world):
    assert run(world, "--batch-size", "0").exit_code == 2
    assert run(world, "--session-days", "-1").exit_code == 2


def test_a_successful_login_deletes_the_accounts_throttle_row(world):
    client = world.test_client()
    assert login(client, world.username, "wrong password!").status_code == 400
    assert throttle_keys(world) == {throttle_key(world.username)}
    assert login(client, world.username, PASSWORD).status_code == 303
    with world.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
