"""Forget what no longer counts: dead login sessions, expired login throttles and dead API tokens
(`flask db prune`).

Without this, these tables only grow: a user's dead sessions are removed only when that user logs
in again (`sessions.start`), a throttle row only when its account name logs in successfully, and
a revoked or expired API token never (the account page lists only live ones; nothing refers to it).

Deleted in bounded batches, one short transaction each, so a large backlog never holds SQLite's
write lock for long and never builds one huge transaction on PostgreSQL. A live session, a live
token and a throttle whose failures still count are never touched, whatever the options.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from ..extensions import db
from ..models import ApiToken, LoginThrottle, UserSession, utcnow
from .sessions import idle_timeout
from .throttle import FORGET_AFTER

# how long an ended session (an account's recent logins, for a support question) or a dead API token stays
DEFAULT_SESSION_DAYS = 30
DEFAULT_BATCH_SIZE = 500


@dataclass
class PruneReport:
    """What was deleted so far (also when a later batch failed)."""

    sessions_deleted: int = 0
    throttles_deleted: int = 0
    batches: int = 0
    tokens_deleted: int = 0  # added after the others: scripts read the JSON keys by name

    def as_json(self) -> dict[str, int]:
        return asdict(self)


def dead_session_condition(now: datetime, keep: timedelta):
    """Sessions that ended (logged out, past their lifetime, or idle too long) at least `keep` ago.

    Each way of ending has its own moment: revoked_at, expires_at, last_seen_at + the idle
    timeout; a live session has none of them in the past, so `keep >= 0` never matches it."""
    before = now - keep
    return or_(UserSession.revoked_at <= before, UserSession.expires_at <= before,
               UserSession.last_seen_at <= before - idle_timeout())


def dead_token_condition(now: datetime, keep: timedelta):
    """API tokens revoked, or past their expiry, at least `keep` ago. A live token (not revoked,
    no expiry or one still ahead) has neither in the past, so `keep >= 0` never matches it."""
    before = now - keep
    return or_(ApiToken.revoked_at <= before, ApiToken.expires_at <= before)


def expired_throttle_condition(now: datetime):
    """Throttles whose failures no longer count (the last one is FORGET_AFTER old) and whose wait
    is over: deleting such a row changes nothing, the next failure would start again at 1."""
    return (LoginThrottle.last_failure_at <= now - FORGET_AFTER) & or_(
        LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now)


def prune(session_days: int = DEFAULT_SESSION_DAYS, batch_size: int = DEFAULT_BATCH_SIZE,
          now: datetime | None = None, report: PruneReport | None = None) -> PruneReport:
    """Delete dead sessions and dead API tokens older than `session_days` and expired throttles,
    `batch_size` rows per committed transaction. Idempotent. Pass `report` to keep the counts if a
    batch raises."""
    if session_days < 0 or batch_size < 1:
        raise ValueError("session_days must be >= 0 and batch_size >= 1")
    now = now or utcnow()  # fixed for the whole run: rows that die meanwhile wait for the next one
    report = report if report is not None else PruneReport()
    kept_for = timedelta(days=session_days)
    for key_column, condition, counter in (
            (UserSession.id, dead_session_condition(now, kept_for), "sessions_deleted"),
            (LoginThrottle.key, expired_throttle_condition(now), "throttles_deleted"),
            (ApiToken.id, dead_token_condition(now, kept_for), "tokens_deleted")):
        found = batch_size
        while found == batch_size:
            found, deleted = _delete_batch(key_column, condition, batch_size)
            setattr(report, counter, getattr(report, counter) + deleted)
            report.batches += int(found > 0)
    return report


def _delete_batch(key_column, condition, batch_size: int) -> tuple[int, int]:
    """Delete at most batch_size matching rows in one transaction: (rows found, rows deleted). The
    DELETE checks the condition again, so a row revived in between (a new failure) stays."""
    try:
        keys = list(db.session.scalars(select(key_column).where(condition).limit(batch_size)))
        if not keys:
            db.session.rollback()
            return 0, 0
        statement = delete(key_column.class_).where(key_column.in_(keys), condition)
        deleted = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        return len(keys), deleted
    except BaseException:
        db.session.rollback()
        raise
