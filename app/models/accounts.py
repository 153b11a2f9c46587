"""Accounts and roles, server-side login sessions and the per-account login throttle."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import utcnow

ROLES = ("student", "teacher", "admin")
TEACHER_ROLES = ("teacher", "admin")  # may write content, run classes and present


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="student")
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    # Set by the session loader: the cookie names a server-side session, never the user id.
    # (plain attributes, not columns: str | None and UserSession | None)
    session_token = None
    current_session = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_teacher(self) -> bool:
        return self.role in TEACHER_ROLES


class UserSession(db.Model):
    """One login: the cookie holds a random token, the database only its SHA-256 hash."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)  # absolute end, whatever the activity
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str] = mapped_column(String(120), default="")  # a short label, e.g. "Firefox on Windows"


class LoginThrottle(db.Model):
    """Failed log-ins per account name (hashed; also for names that have no account)."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class ApiToken(db.Model):
    """A personal access token for the JSON API: shown once, stored as the SHA-256 of the whole
    token; `prefix` (the visible start, e.g. ``lm_1a2b3c4d``) finds the row and names the token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated, from API_SCOPES
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
