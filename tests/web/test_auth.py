"""Register, log in, log out: clear messages, CSRF, safe cookies, no 500s."""

import itertools

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import accounts
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

_cli_names = itertools.count(1)


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
    ("Short1!", "at least 12 characters"),
    ("password1234", "This password is too easy to guess. It is, or contains, a very common password or word."),
    ("aaaaaaaaaaaaaa", "Repeated characters or patterns such as aaa or abcabc are guessed first."),
    ("asdfghjkl;lkjh", "Keyboard rows and sequences such as qwerty or 12345 are guessed first."),
    ("x" * 129, "at most 128 characters"),
])
def test_weak_passwords_are_refused_with_the_reason_and_what_to_do(client, password, message):
    response = register(client, username="weakling", password=password, confirm=password)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    if "too easy" in message:
        assert "Use three or four random words" in page


def test_password_containing_the_users_own_name_is_refused(client):
    response = register(client, username="pietjan", display_name="Piet Jansen",
                        password="Jansen-Piet-2009", confirm="Jansen-Piet-2009")
    assert response.status_code == 400
    assert "It contains your name or username." in response.get_data(as_text=True)


def test_a_passphrase_of_random_words_is_accepted(client, request):
    name = f"phrase{request.node.callspec.id}"
    response = register(client, username=name, password="tulp fiets zeven regen", confirm="tulp fiets zeven regen")
    assert response.status_code == 303


def test_the_password_hint_says_how_long_and_what_works(client):
    page = client.get("/register").get_data(as_text=True)
    assert "At least 12 characters. Three or four random words are strong and easy to remember." in page


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
    assert "Username must be 3 to 40 characters long" in response.get_data(as_text=True)
    response = register(client, username="Ünïcode name!")
    assert response.status_code == 400
    assert "Username may only use letters, digits, dots, hyphens and underscores" in response.get_data(as_text=True)


def test_usernames_with_accents_are_accepted_and_found_in_any_case_and_composition(app, client, request):
    suffix = request.node.callspec.id
    response = register(client, username=f"Kovács.{suffix}", display_name="Kovács Anna")
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(User.username).where(User.display_name == "Kovács Anna",
                                                                User.username.like(f"%.{suffix}")))
    assert stored == f"kovács.{suffix}"
    other = app.test_client()
    # upper case, and "a" + COMBINING ACUTE ACCENT instead of the single character "á"
    assert login(other, f"KOVA\u0301CS.{suffix}", PASSWORD).status_code == 303


@pytest.mark.parametrize(("username", "message"), [
    ("p\u0430ul", "Use letters from one alphabet only"),  # Latin p, u, l with a Cyrillic а
    ("an\u200bna", "may only use letters, digits"),  # zero-width space
    ("anna\u0301\u0301", "may only use letters, digits"),  # a stray combining accent (after NFKC)
    ("_anna", "must start with a letter or digit"),
])
def test_confusable_or_invisible_usernames_are_refused(client, username, message):
    response = register(client, username=username)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_username_hint_says_accents_are_welcome(client):
    page = client.get("/register").get_data(as_text=True)
    assert "letters (also with accents, like á or ä), digits, dots, hyphens and underscores" in page


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


def test_cli_users_create_applies_the_same_password_rule(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "clistudent", "--password", "Welkom2026!!"])
    assert weak.exit_code != 0 and "password rejected (too weak)" in weak.output
    short = runner.invoke(args=["users", "create", "clistudent", "--password", "kort"])
    assert short.exit_code != 0 and "password rejected (too short)" in short.output
    with app.app_context():
        assert not accounts.username_taken("clistudent")
    name = f"cli{next(_cli_names)}{app.config['SQLALCHEMY_DATABASE_URI'][:6]}".replace(":", "")
    good = runner.invoke(args=["users", "create", name, "--password", "paars konijn eet taart"])
    assert good.exit_code == 0, good.output
    with app.app_context():
        assert accounts.username_taken(name)


def test_demo_accounts_are_created_and_can_log_in(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "demo", "lesmark-demo-2026").status_code == 303
