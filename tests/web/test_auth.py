"""Register, log in, log out: clear messages, CSRF, safe cookies, no 500s."""

import pytest

from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login


def register(client, **fields):
    data = {"display_name": "Anna de Vries", "username": "anna", "password": PASSWORD, "confirm": PASSWORD}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ("/lessons/nl-l1/", "/lessons/nl-l1/slides/1", "/progress", "/lessons/nl-l1/quiz"):
        response = client.get(path)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_registering_logs_the_student_in(client, request):
    name = f"new{request.node.callspec.id}"
    response = register(client, username=name.upper())
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "Anna de Vries" in page and "Log out" in page


def test_a_taken_username_gets_a_clear_message(app, client):
    _uid, name = new_user(app)
    response = register(client, username=name)
    assert response.status_code == 400
    assert "This username is taken" in response.get_data(as_text=True)


@pytest.mark.parametrize(("password", "message"), [
    ("short1", "at least 10 characters"),
    ("password123", "too easy to guess"),
    ("aaaaaaaaaaaaaa", "too easy to guess"),
    ("x" * 129, "at most 128 characters"),
])
def test_weak_passwords_are_refused_with_the_reason(client, password, message):
    response = register(client, username="weakling", password=password, confirm=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_password_containing_the_username_is_refused(client):
    response = register(client, username="pietjan", password="pietjan-is-cool", confirm="pietjan-is-cool")
    assert response.status_code == 400 and "must not contain your username" in response.get_data(as_text=True)


def test_empty_registration_lists_every_missing_field_in_the_error_summary(client):
    response = register(client, display_name="", username="", password="", confirm="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    for message in ("Enter your name", "Enter a username", "Enter a password", "Repeat your password"):
        assert message in page
    assert 'href="#username"' in page


def test_huge_and_strange_input_is_a_400_not_a_500(client):
    response = register(client, username="u" * 10_000, display_name="n" * 5_000)
    assert response.status_code == 400
    assert "3 to 40 characters" in response.get_data(as_text=True)
    response = register(client, username="Ünïcode name!")
    assert response.status_code == 400 and "may only use lowercase letters" in response.get_data(as_text=True)


def test_wrong_password_says_so_without_telling_which_part_was_wrong(app, client):
    _uid, name = new_user(app)
    for username in (name, "nobody-here"):
        response = login(client, username, "not the password")
        assert response.status_code == 400
        assert "The username or password is not right" in response.get_data(as_text=True)


def test_login_is_case_insensitive_for_the_username(app, client):
    _uid, name = new_user(app)
    assert login(client, name.upper(), PASSWORD).status_code == 303


def test_a_form_without_csrf_token_is_refused(app, client):
    _uid, name = new_user(app)
    response = client.post("/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_login_never_redirects_to_another_site(app, client):
    _uid, name = new_user(app)
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x",
                           data={"csrf_token": token, "username": name, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(app, client):
    _uid, name = new_user(app)
    response = login(client, name, PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_a_post_with_csrf(client, student):
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/progress").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(app):
    from app.extensions import db
    from app.models import User

    user_id, _name = new_user(app)
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_repeated_login_attempts_are_rate_limited(tmp_path_factory):
    from tests.conftest import make_app

    limited = make_app(tmp_path_factory, None, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [login(client, "someone", "wrong password").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in login(client, "someone", "wrong password").get_data(as_text=True)
