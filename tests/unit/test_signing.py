"""app/signing.py keeps the derived signing key and the session serializer: its signatures must be
the very bytes itsdangerous and Flask make, and Flask-WTF must accept its form tokens."""

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import validate_csrf
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature, TimestampSigner
from wtforms import ValidationError

from app.signing import (
    VERIFIED_COOKIE,
    KeyKeepingSessionInterface,
    KeyKeepingSigner,
    csrf_serializer,
)


def flask_app(secret="s3cret-" * 6, fallbacks=()):
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret, SECRET_KEY_FALLBACKS=list(fallbacks))
    return app


@given(secret=st.text(min_size=1, max_size=80), salt=st.text(max_size=30), value=st.binary(max_size=200),
       derivation=st.sampled_from(["hmac", "concat", "django-concat", "none"]))
def test_a_signature_is_the_one_itsdangerous_makes(secret, salt, value, derivation):
    plain = TimestampSigner(secret, salt=salt, key_derivation=derivation)
    kept = KeyKeepingSigner(secret, salt=salt, key_derivation=derivation)
    plain.get_timestamp = kept.get_timestamp = lambda: 1_700_000_000
    assert kept.sign(value) == plain.sign(value)
    assert kept.unsign(plain.sign(value)) == value
    if secret != "x":
        with pytest.raises(BadSignature):
            KeyKeepingSigner(secret + "x", salt=salt, key_derivation=derivation).unsign(plain.sign(value))


def test_cookies_pass_both_ways_between_flask_and_the_kept_serializer():
    app = flask_app()
    data = {"_user_id": "token", "csrf_token": "abc", "locale": "fi", "n": [1, 2]}
    flask_cookie = SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)
    kept = KeyKeepingSessionInterface().get_signing_serializer(app)
    assert kept.loads(flask_cookie) == data
    assert SecureCookieSessionInterface().get_signing_serializer(app).loads(kept.dumps(data)) == data


def test_a_rotated_secret_still_reads_old_cookies_and_a_changed_one_does_not():
    old = flask_app("old-secret-" * 4)
    cookie = KeyKeepingSessionInterface().get_signing_serializer(old).dumps({"a": 1})
    interface = KeyKeepingSessionInterface()
    assert interface.get_signing_serializer(flask_app("new-secret-" * 4, ["old-secret-" * 4])).loads(cookie) == {"a": 1}
    with pytest.raises(BadSignature):
        interface.get_signing_serializer(flask_app("new-secret-" * 4)).loads(cookie)
    assert KeyKeepingSessionInterface().get_signing_serializer(flask_app("")) is None


def test_flask_wtf_accepts_its_form_tokens_and_refuses_altered_ones():
    app = flask_app()
    with app.test_request_context("/"):
        session["csrf_token"] = "0123456789abcdef0123456789abcdef01234567"
        token = csrf_serializer(app).dumps(session["csrf_token"])
        validate_csrf(token)
        for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"),
                       csrf_serializer(flask_app("another-secret-" * 3)).dumps(session["csrf_token"])):
            with pytest.raises(ValidationError):
                validate_csrf(forged)


def test_a_cookie_verified_earlier_in_the_request_is_taken_only_if_it_is_this_very_cookie():
    app = flask_app()
    interface = app.session_interface = KeyKeepingSessionInterface()
    cookie = interface.get_signing_serializer(app).dumps({"a": 1})
    for verified, expected in (((cookie, {"a": 1, "b": 2}), {"a": 1, "b": 2}),  # taken as verified
                               (("another-cookie", {"forged": True}), {"a": 1})):  # checked afresh
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"},
                                      environ_base={VERIFIED_COOKIE: verified}):
            assert dict(session) == expected
    with app.test_request_context("/", headers={"Cookie": "session=not-signed"},
                                  environ_base={VERIFIED_COOKIE: ("other", {"forged": True})}):
        assert dict(session) == {}
