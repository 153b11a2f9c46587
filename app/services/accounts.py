"""Accounts: usernames, registration, password hashing (argon2), logging in and changing a password."""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ROLES, User, utcnow
from . import sessions, throttle
from .passwords import MAX_PASSWORD, MIN_PASSWORD, PasswordCheck, check_password

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "AccountError", "LoginResult", "PasswordCheck", "authenticate",
           "change_password", "check_password", "ensure_user", "log_in", "normalise_username", "register",
           "register_and_log_in", "username_problem", "username_taken"]

USERNAME_MIN, USERNAME_MAX = 3, 40
USERNAME_PUNCTUATION = "._-"
hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_username(username: str) -> str:
    """NFKC and case folding, so "Kovács", "KOVÁCS" and a decomposed "kova\u0301cs" are one name."""
    folded = unicodedata.normalize("NFKC", username or "").strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def username_problem(username: str) -> str | None:
    """Why a (normalised) username is not allowed, or None: 'length', 'characters' or 'mixed_scripts'.

    Allowed: letters of any one script (kovács, mäkinen), digits 0-9, and . - _ (not first)."""
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return "length"
    scripts = set()
    for position, char in enumerate(username):
        if char in "0123456789":
            continue
        if char in USERNAME_PUNCTUATION and position > 0:
            continue
        if not unicodedata.category(char).startswith("L"):
            return "characters"  # also invisible characters, combining marks and odd digits such as ²
        scripts.add(unicodedata.name(char, "UNKNOWN").split()[0])
    # Latin mixed with Cyrillic or Greek look-alikes ("pаul" with a Cyrillic а) impersonates others.
    return "mixed_scripts" if len(scripts) > 1 else None


def register(username: str, display_name: str, password: str, role: str = "student") -> User:
    """Create an account (commits). Callers check the username and password rules first."""
    user = _add_user(username, display_name, password, role)
    db.session.commit()
    return user


def register_and_log_in(username: str, display_name: str, password: str, user_agent: str) -> User:
    """Create a student account and its first session in one transaction."""
    user = _add_user(username, display_name, password, "student")
    sessions.start(user, user_agent)
    db.session.commit()
    return user


def _add_user(username: str, display_name: str, password: str, role: str) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    username = normalise_username(username)
    user = User(username=username, display_name=display_name.strip() or username,
                password_hash=hasher.hash(password), role=role)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AccountError("username", "taken") from None
    return user


def username_taken(username: str) -> bool:
    username = normalise_username(username)
    return db.session.scalar(select(func.count()).select_from(User).where(User.username == username)) > 0


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right (no throttling, no session: see log_in)."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        return None
    if not password_matches(user, password):
        return None
    return user


def password_matches(user: User, password: str) -> bool:
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)  # committed with the login
    return True


@dataclass(frozen=True)
class LoginResult:
    """user is set on success; retry_at when the account name is throttled; both None: wrong details."""

    user: User | None = None
    retry_at: datetime | None = None


def log_in(username: str, password: str, user_agent: str) -> LoginResult:
    """Throttle, check the password, and start a fresh server-side session (a new token every login)."""
    name = normalise_username(username)
    now = utcnow()
    admission = throttle.admit(name, now)
    if not admission.allowed:
        return LoginResult(retry_at=admission.retry_at)
    user = authenticate(name, password)
    if user is None:
        return LoginResult()
    throttle.clear(name)
    sessions.start(user, user_agent, now)
    db.session.commit()
    return LoginResult(user=user)


def change_password(user: User, current: str, new: str) -> LoginResult:
    """Set a new password after checking the current one (throttled like a login) and end every other
    session of the user. The caller has checked the new password's strength."""
    now = utcnow()
    admission = throttle.admit(user.username, now)
    if not admission.allowed:
        return LoginResult(retry_at=admission.retry_at)
    if not password_matches(user, current):
        return LoginResult()
    throttle.clear(user.username)
    user.password_hash = hasher.hash(new)
    keep = user.current_session.id if user.current_session is not None else None
    sessions.revoke_all(user.id, keep_session_id=keep)
    db.session.commit()
    return LoginResult(user=user)


def ensure_user(username: str, display_name: str, password: str, role: str) -> tuple[User, bool]:
    """Create the user unless it exists (used for demo accounts). Returns (user, created)."""
    existing = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if existing is not None:
        return existing, False
    return register(username, display_name, password, role), True
