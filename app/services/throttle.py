"""Per-account login throttling (ASVS V6.3) with exponential backoff, kept in the database so every
worker and machine sees the same count. Keyed by the normalised username, also for names that have no
account, so the answer never tells whether an account exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import LoginThrottle

FREE_FAILURES = 5  # the 5th failure in a row starts the first wait
FIRST_DELAY = timedelta(seconds=30)  # then 1, 2, 4, 8 minutes, ...
MAX_DELAY = timedelta(minutes=15)  # ... never longer: a classmate guessing must not lock someone out for a day
FORGET_AFTER = timedelta(hours=24)  # a failure this old no longer counts


def delay_after(failures: int) -> timedelta | None:
    """How long an account waits after this many failures in a row (None: no wait)."""
    if failures < FREE_FAILURES:
        return None
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def throttle_key(normalised_username: str) -> str:
    return hashlib.sha256(b"login:" + normalised_username.encode()).hexdigest()


@dataclass(frozen=True)
class Admission:
    """May this attempt check the password? If not, `retry_at` says when the next one may."""

    allowed: bool
    retry_at: datetime | None = None


def admit(normalised_username: str, now: datetime) -> Admission:
    """Count this attempt as a failure up front (committed at once, before the slow password check, so
    a burst of parallel guesses from many workers all see it). Success later clears the count."""
    key = throttle_key(normalised_username)
    before = db.session.execute(select(LoginThrottle.failures, LoginThrottle.locked_until,
                                       LoginThrottle.last_failure_at).where(LoginThrottle.key == key)).first()
    if before is not None and before.locked_until is not None and before.locked_until > now:
        db.session.rollback()
        return Admission(False, before.locked_until)
    failures = _count_failure(key, now)
    wait = delay_after(failures)
    if wait is not None:
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(locked_until=now + wait))
    db.session.commit()
    previous = 0 if before is None or before.last_failure_at <= now - FORGET_AFTER else before.failures
    if failures > FREE_FAILURES and failures != previous + 1:
        # Another request counted a failure between our read and our write: a parallel burst. Past the
        # free attempts only the first of a burst gets its password checked.
        return Admission(False, now + (wait or FIRST_DELAY))
    return Admission(True)


def _count_failure(key: str, now: datetime) -> int:
    """failures + 1 (or 1 after FORGET_AFTER) in one atomic upsert; returns the new count."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    table = LoginThrottle.__table__
    statement = insert(table).values(key=key, failures=1, last_failure_at=now, locked_until=None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((table.c.last_failure_at <= now - FORGET_AFTER, 1), else_=table.c.failures + 1),
              "last_failure_at": now},
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def clear(normalised_username: str) -> None:
    """A successful login forgets the failures (flushed, not committed)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle_key(normalised_username)))
