"""Server-side sessions: revocable, expiring, rotated at login, listed and ended in the settings."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import event, select, update

from app.database import count_statements
from app.extensions import db
from app.models import ApiToken, UserSession, utcnow
from app.services import tokens
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/141.0.0.0 Mobile Safari/537.36")


def logged_in_client(app, name: str, user_agent: str = FIREFOX):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert login(client, name, PASSWORD).status_code == 303
    return client


def cookie_token(app, client) -> str:
    """The session token inside the signed Flask cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value)["_user_id"]


def sessions_of(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                       .order_by(UserSession.id)))


def is_logged_in(client) -> bool:
    response = client.get("/progress")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def shift_session(app, user_id: int, **columns_minutes_ago: int) -> None:
    now = utcnow()
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id).values(
            {column: now - timedelta(minutes=minutes) for column, minutes in columns_minutes_ago.items()}))
        db.session.commit()


def test_the_cookie_carries_a_random_token_and_the_database_only_its_hash(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    token = cookie_token(app, client)
    assert token != str(user_id) and len(token) >= 43  # 32 random bytes, URL-safe
    [record] = sessions_of(app, user_id)
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert record.revoked_at is None and record.user_agent == "Firefox · Windows"
    assert record.expires_at - record.created_at == timedelta(hours=12)


def test_a_cookie_copied_before_logout_no_longer_works_after_logout(app):
    _user_id, name = new_user(app)
    client = logged_in_client(app, name)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert is_logged_in(thief)  # the copy works while the session lives
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 303
    thief.set_cookie("session", copied)  # the very same cookie value again
    assert not is_logged_in(thief)
    assert not is_logged_in(client)


def test_every_login_gets_a_new_token_and_a_cookie_from_before_the_login_stays_anonymous(app):
    user_id, name = new_user(app)
    client = app.test_client()
    csrf_token(client, "/login")  # an anonymous session cookie, as a planted one would be
    planted = client.get_cookie("session").value
    assert login(client, name, PASSWORD).status_code == 303
    first = cookie_token(app, client)
    assert client.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert not is_logged_in(attacker)
    second_client = logged_in_client(app, name)
    assert cookie_token(app, second_client) != first
    assert len({s.token_hash for s in sessions_of(app, user_id)}) == 2


def test_a_session_idle_for_longer_than_the_timeout_has_ended(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    shift_session(app, user_id, last_seen_at=29)
    assert is_logged_in(client)  # 29 minutes idle: still there (the default timeout is 30)
    shift_session(app, user_id, last_seen_at=31)
    assert not is_logged_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    shift_session(app, user_id, created_at=12 * 60 + 1, expires_at=1, last_seen_at=0)
    assert not is_logged_in(client)


def test_one_select_finds_user_and_session_and_reading_pages_writes_nothing(app):
    _user_id, name = new_user(app)
    client = logged_in_client(app, name)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        assert client.get("/").status_code == 200
        assert client.get("/progress").status_code == 200
    touching = [s for s in statements if "user_sessions" in s]
    assert len(touching) == 2  # one per request
    assert all(s.lstrip().upper().startswith("SELECT") and "users" in s for s in touching)
    assert not [s for s in statements if "FROM users" in s and "user_sessions" not in s]


def test_last_seen_is_written_at_most_once_a_minute(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    shift_session(app, user_id, last_seen_at=2)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        client.get("/")
        client.get("/")
        client.get("/")
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE") and "user_sessions" in s]
    assert len(updates) == 1
    [record] = sessions_of(app, user_id)
    assert utcnow() - record.last_seen_at < timedelta(seconds=30)


def last_seen_ago(app, user_id: int) -> timedelta:
    [record] = sessions_of(app, user_id)
    return utcnow() - record.last_seen_at


def test_a_form_sent_writes_the_refresh_with_its_own_commit(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    token = csrf_token(client, "/")
    shift_session(app, user_id, last_seen_at=2)
    with app.app_context():
        engine = db.engine
    commits = []

    def committed(connection):
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        with count_statements(engine) as statements:
            sent = client.post("/language", data={"csrf_token": token, "language": "fi", "next": "/"})
    finally:
        event.remove(engine, "commit", committed)
    assert sent.status_code == 303 and len(commits) == 1  # one transaction: no commit of its own
    writes = sorted(s.split()[1] for s in statements if not s.lstrip().upper().startswith("SELECT"))
    # the form's own write (the user's language) and the refresh, both at the request's one commit,
    # after everything the request read
    assert writes == ["user_sessions", "users"], statements
    assert not any(s.lstrip().upper().startswith("SELECT") for s in statements[-2:]), statements
    assert last_seen_ago(app, user_id) < timedelta(seconds=30)


def test_a_form_refused_leaves_the_refresh_to_the_next_page(app):
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    token = csrf_token(client, "/")
    shift_session(app, user_id, last_seen_at=2)
    assert client.post("/language", data={"csrf_token": token, "language": "xx"}).status_code == 400
    assert last_seen_ago(app, user_id) > timedelta(minutes=1)  # nothing was committed, the refresh neither
    assert client.get("/").status_code == 200
    assert last_seen_ago(app, user_id) < timedelta(seconds=30)


def test_an_api_call_with_a_session_cookie_refreshes_both_without_waiting_on_itself(app):
    """The token's refresh has a transaction of its own; the session's waits for the request's commit,
    so on SQLite neither waits for a write lock the other holds."""
    user_id, name = new_user(app)
    client = logged_in_client(app, name)
    with app.app_context():
        secret = tokens.create(user_id, "test", ["read", "quiz"], None).secret
        db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id)
                           .values(last_used_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
    shift_session(app, user_id, last_seen_at=5)
    started = client.post("/api/v1/lessons/nl-l3/attempts", headers={"Authorization": f"Bearer {secret}"})
    assert started.status_code == 201
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user_id))
    assert utcnow() - used < timedelta(seconds=30)
    assert last_seen_ago(app, user_id) < timedelta(seconds=30)


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/"), "current_password": current,
        "new_password": new, "confirm": new if confirm is None else confirm})


def test_changing_the_password_ends_every_other_session_but_keeps_this_one(app):
    user_id, name = new_user(app)
    laptop, phone = logged_in_client(app, name), logged_in_client(app, name, ANDROID_CHROME)
    response = change_password(laptop, PASSWORD, "paars konijn eet taart")
    assert response.status_code == 303
    assert "You are logged out on every other device" in laptop.get("/account/").get_data(as_text=True)
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert login(app.test_client(), name, PASSWORD).status_code == 400
    assert login(app.test_client(), name, "paars konijn eet taart").status_code == 303
    live = [s for s in sessions_of(app, user_id) if s.revoked_at is None]
    assert len(live) == 2  # the laptop's and the one just made


def test_a_wrong_current_password_changes_nothing(app):
    user_id, name = new_user(app)
    laptop, phone = logged_in_client(app, name), logged_in_client(app, name)
    response = change_password(laptop, "not my password", "paars konijn eet taart")
    assert response.status_code == 400
    assert "Your current password is not right" in response.get_data(as_text=True)
    assert is_logged_in(phone)
    assert login(app.test_client(), name, PASSWORD).status_code == 303


def test_a_weak_new_password_is_refused_with_advice(app):
    _user_id, name = new_user(app)
    client = logged_in_client(app, name)
    response = change_password(client, PASSWORD, "Welkom2026!!")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This password is too easy to guess." in page and "Use three or four random words" in page
    response = change_password(client, PASSWORD, "paars konijn eet taart", confirm="paars konijn eet")
    assert response.status_code == 400 and "The passwords do not match" in response.get_data(as_text=True)
    assert login(app.test_client(), name, PASSWORD).status_code == 303


def test_log_out_everywhere_ends_all_sessions_including_this_one(app):
    user_id, name = new_user(app)
    laptop, phone = logged_in_client(app, name), logged_in_client(app, name, ANDROID_CHROME)
    response = laptop.post("/account/log-out-everywhere", data={"csrf_token": csrf_token(laptop, "/account/")})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not is_logged_in(laptop) and not is_logged_in(phone)
    assert all(s.revoked_at is not None for s in sessions_of(app, user_id))


def test_the_settings_page_lists_the_active_sessions_and_marks_this_device(app):
    _user_id, name = new_user(app)
    laptop = logged_in_client(app, name)
    logged_in_client(app, name, ANDROID_CHROME)
    ended = logged_in_client(app, name, "curl/8.5.0")
    ended.post("/logout", data={"csrf_token": csrf_token(ended, "/")})
    page = laptop.get("/account/").get_data(as_text=True)
    listed = page.split('class="session-list"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 2
    assert "Firefox · Windows</strong> (this device)" in page
    assert "Chrome · Android</strong>" in page and "Chrome · Android</strong> (this device)" not in page
    assert "Unknown browser" not in page  # the logged-out curl session is not listed


def test_account_pages_need_a_login_and_a_csrf_token(app, client):
    assert client.get("/account/").status_code == 302
    _user_id, name = new_user(app)
    laptop = logged_in_client(app, name)
    assert laptop.post("/account/log-out-everywhere").status_code == 400
    assert laptop.post("/account/password", data={"current_password": PASSWORD}).status_code == 400
    assert is_logged_in(laptop)


def session_ids(app, user_id: int, live: bool = True) -> list[int]:
    return [s.id for s in sessions_of(app, user_id) if (s.revoked_at is None) == live]


def test_one_other_device_can_be_logged_out_from_the_settings_page(app):
    user_id, name = new_user(app)
    laptop, phone = logged_in_client(app, name), logged_in_client(app, name, ANDROID_CHROME)
    laptop_id, phone_id = session_ids(app, user_id)
    page = laptop.get("/account/").get_data(as_text=True)
    assert f'action="/account/sessions/{phone_id}/end"' in page
    assert f'action="/account/sessions/{laptop_id}/end"' not in page  # this device: use "Log out"
    response = laptop.post(f"/account/sessions/{phone_id}/end", data={"csrf_token": csrf_token(laptop, "/account/")})
    assert response.status_code == 303
    assert not is_logged_in(phone) and is_logged_in(laptop)
    assert session_ids(app, user_id) == [laptop_id]


def test_another_users_session_or_a_strange_id_is_a_404_and_ends_nothing(app):
    owner_id, owner = new_user(app)
    _other_id, other = new_user(app)
    owner_client, other_client = logged_in_client(app, owner), logged_in_client(app, other)
    [owner_session] = session_ids(app, owner_id)
    token = csrf_token(other_client, "/account/")
    for session_id in (owner_session, 0, 2**31, 10**20):
        response = other_client.post(f"/account/sessions/{session_id}/end", data={"csrf_token": token})
        assert response.status_code == 404, session_id
    assert is_logged_in(owner_client)
    assert session_ids(app, owner_id) == [owner_session]
