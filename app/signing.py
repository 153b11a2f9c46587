"""Signed cookies and form tokens without deriving the signing key again for every request.

itsdangerous derives a key from the secret and the salt (an HMAC) each time it signs or checks
anything, and Flask builds a new serializer for every request. Neither changes while the app runs,
so both are kept: the key per secret and salt, the serializer per app. The signatures are the same
bytes as before (tests/unit/test_signing.py)."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class KeyKeepingSigner(TimestampSigner):
    """A TimestampSigner that derives its key from a secret once, not on every signature."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return _derived_key(self.secret_keys[-1] if secret_key is None else secret_key, self.salt,
                            self.key_derivation, self.digest_method)


@lru_cache(maxsize=32)
def _derived_key(secret_key, salt, derivation, digest_method) -> bytes:
    return TimestampSigner(secret_key, salt=salt, key_derivation=derivation,
                           digest_method=digest_method).derive_key()


# the environ key of a session cookie verified earlier in this request: (cookie value, its data)
VERIFIED_COOKIE = "lesmark.verified_session_cookie"


class KeyKeepingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, with one serializer per secret (and fallbacks) and a kept key.
    A cookie verified below Flask in this request already (app/below_flask.py) is not verified again."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        verified = request.environ.get(VERIFIED_COOKIE)
        if verified is not None and verified[0] == request.cookies.get(self.get_cookie_name(app)):
            return self.session_class(dict(verified[1]))
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        return self._serializer(app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))

    @lru_cache(maxsize=8)  # noqa: B019 - one interface per app, a handful of secrets over its life
    def _serializer(self, secret_key, fallbacks: tuple) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            [*fallbacks, secret_key], salt=self.salt, serializer=self.serializer, signer=KeyKeepingSigner,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})


def csrf_serializer(app: Flask) -> URLSafeTimedSerializer:
    """Flask-WTF's form-token serializer (flask_wtf.csrf.generate_csrf), with a kept key."""
    return URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                  salt="wtf-csrf-token", signer=KeyKeepingSigner)
