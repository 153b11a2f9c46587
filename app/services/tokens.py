"""Personal access tokens for the JSON API: created and revoked on the account page, shown once.

A token is ``lm_<8 hex>_<token_urlsafe(32)>``; the database keeps its visible prefix (``lm_<8 hex>``,
to find the row and to name the token on the page) and the SHA-256 of the whole token, never the
token itself. Each function a view calls commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import ApiToken, User, utcnow

# read: courses, lessons, own progress and attempts; quiz: start and hand in final quizzes;
# gradebook: the gradebooks of the classes the owner teaches
SCOPES = ("read", "quiz", "gradebook")
MAX_TOKENS = 20  # live tokens per account
EXPIRY_DAYS = (7, 30, 90, 365)  # the choices on the page; None: no expiry
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often
_TOKEN = re.compile(r"(lm_[0-9a-f]{8})_[A-Za-z0-9_-]{43}")


class TokenError(ValueError):
    """A token request the user can correct (no scope, too many tokens...)."""


@dataclass(frozen=True)
class NewToken:
    record: ApiToken
    secret: str  # the whole token: shown once, never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(user_id: int, name: str, scopes: list[str], days: int | None, now: datetime | None = None) -> NewToken:
    now = now or utcnow()
    chosen = sorted(set(scopes), key=SCOPES.index) if set(scopes) <= set(SCOPES) else None
    if not chosen:
        raise TokenError("scopes")
    if days is not None and days not in EXPIRY_DAYS:
        raise TokenError("expiry")
    if len(live_tokens(user_id, now)) >= MAX_TOKENS:
        raise TokenError("too many")
    for _ in range(3):  # a prefix collision (1 in 4 billion) just draws again
        prefix = f"lm_{secrets.token_hex(4)}"
        secret = f"{prefix}_{secrets.token_urlsafe(32)}"
        record = ApiToken(user_id=user_id, name=name.strip()[:80], prefix=prefix, token_hash=hash_token(secret),
                          scopes=" ".join(chosen), created_at=now,
                          expires_at=now + timedelta(days=days) if days else None)
        db.session.add(record)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return NewToken(record, secret)
    raise RuntimeError("no free token prefix")


def live_tokens(user_id: int, now: datetime | None = None) -> list[ApiToken]:
    now = now or utcnow()
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)).order_by(ApiToken.created_at, ApiToken.id)))


def revoke(user_id: int, token_id: int) -> bool:
    """Revoke one of the user's live tokens; False if it is not theirs or already revoked."""
    revoked = db.session.execute(update(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())).rowcount
    db.session.commit()
    return revoked == 1


def prefix_of(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None (also used as the rate-limit key)."""
    match = _TOKEN.fullmatch(token or "")
    return match.group(1) if match else None


def authenticate(token: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The owner and record of a live token (one SELECT), else None; refreshes last_used_at at
    most once a minute in its own short transaction, so the request's own work is untouched."""
    prefix = prefix_of(token)
    if prefix is None:
        return None
    now = now or utcnow()
    row = db.session.execute(select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id).where(
        ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    user, record = row
    if not hmac.compare_digest(record.token_hash, hash_token(token)):
        return None
    if record.expires_at is not None and record.expires_at <= now:
        return None
    if record.last_used_at is None or now - record.last_used_at >= TOUCH_INTERVAL:
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == record.id).values(last_used_at=now))
        set_committed_value(record, "last_used_at", now)
    return user, record
