"""Accounts: registration, password hashing (argon2) and authentication."""

from __future__ import annotations

import contextlib
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ROLES, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "wachtwoord", "wachtwoord1", "welkom123", "qwertyuiop",
    "1234567890", "12345678910", "0123456789", "iloveyou123", "letmein123", "jelszo1234", "salasana123",
    "qwerty1234", "abcdefghij", "abc1234567", "football123", "admin12345", "lesmark123",
})
hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is too weak, or None. Messages are translated by the caller."""
    if len(password) < MIN_PASSWORD:
        return "too_short"
    if len(password) > MAX_PASSWORD:
        return "too_long"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return "too_common"
    if username and username.lower() in lowered:
        return "contains_username"
    return None


def register(username: str, display_name: str, password: str, role: str = "student") -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    username = normalise_username(username)
    user = User(username=username, display_name=display_name.strip() or username,
                password_hash=hasher.hash(password), role=role)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AccountError("username", "taken") from None
    return user


def username_taken(username: str) -> bool:
    username = normalise_username(username)
    return db.session.scalar(select(func.count()).select_from(User).where(User.username == username)) > 0


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return user


def ensure_user(username: str, display_name: str, password: str, role: str) -> tuple[User, bool]:
    """Create the user unless it exists (used for demo accounts). Returns (user, created)."""
    existing = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if existing is not None:
        return existing, False
    return register(username, display_name, password, role), True
