"""Server-side login sessions (ASVS V7): one record per login, revocable, with an idle timeout and
an absolute lifetime. The cookie carries only a random token; the database keeps its SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, bindparam, delete, event, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..database import read_connection
from ..extensions import db
from ..models import User, UserSession, utcnow

# last_seen_at is written at most this often, so reading pages costs no write.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 64  # token_urlsafe(32) is 43 characters; anything much longer is not ours


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def start(user: User, user_agent: str, now: datetime | None = None) -> str:
    """A fresh session for `user` (flushed, not committed); returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    # Forget this user's dead sessions, so the list on the settings page stays short.
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now,
            UserSession.last_seen_at <= now - idle_timeout())))
    record = UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                         expires_at=now + lifetime(), user_agent=agent_label(user_agent))
    db.session.add(record)
    db.session.flush()
    user.session_token, user.current_session = token, record
    return token


@dataclass(frozen=True, slots=True)
class LiveSession:
    """The session record of this request, as far as pages need it (its id: "this device")."""
    id: int
    last_seen_at: datetime


_USER_COLUMNS = tuple(User.__table__.c)
USER_KEYS = tuple(column.key for column in _USER_COLUMNS)


def _live_session_statement():
    """Built once: every request runs it, and building a SELECT costs more than executing this one.
    Plain columns: the user is made from them below, cheaper than the ORM loading two objects."""
    users, records, now = User.__table__, UserSession.__table__, bindparam("now")
    return select(*_USER_COLUMNS, records.c.id, records.c.last_seen_at).join(
        records, records.c.user_id == users.c.id).where(
        records.c.token_hash == bindparam("token_hash"), records.c.revoked_at.is_(None),
        records.c.expires_at > now, records.c.last_seen_at > bindparam("idle_since"))


LIVE_SESSION = _live_session_statement()  # also joined with a slide: lessons.session_and_glance
LIVE_SESSION_WIDTH = len(_USER_COLUMNS) + 2  # its columns: the user's, the record's id and last_seen_at


# `touch_due` worked out by the database, for a statement with LIVE_SESSION's conditions
TOUCH_DUE = (UserSession.__table__.c.last_seen_at <= bindparam("touch_before")).label("touch_due")


def live_session_parameters(token: str, now: datetime, idle: timedelta | None = None) -> dict | None:
    """The parameters of the session check for `token` (and of TOUCH_DUE); None if it cannot name a
    session of ours."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return {"token_hash": hash_token(token), "now": now, "idle_since": now - (idle or idle_timeout()),
            "touch_before": now - TOUCH_INTERVAL}


def _user_as_loaded(values) -> User:
    """A User in the request's ORM session, as if a query had loaded it: later queries for this user
    return this very object, and anything not loaded (relationships) loads on first use."""
    user = User()
    for column, value in zip(_USER_COLUMNS, values, strict=True):
        set_committed_value(user, column.key, value)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def live_session_row(connection: Connection, token: str, now: datetime, idle: timedelta | None = None):
    """The user's columns (in the order of USER_KEYS), the record's id and its last_seen_at, if
    `token` names a live session; else None. The test of a session for pages served by Flask
    (`user_for_token`); kept slides read it joined with the slide (`lessons.session_and_glance`)."""
    parameters = live_session_parameters(token, now, idle)
    return None if parameters is None else connection.execute(LIVE_SESSION, parameters).first()


def touch_due(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


def user_for_token(token: str, read: tuple | None = None, touch_with_commit: bool = False) -> User | None:
    """The user of a live session, in one SELECT; refreshes last_seen_at at most once a minute.
    `read`: (row, now) of `live_session_row` for this token, already read in this request.
    `touch_with_commit`: the request will commit its own work (a form sent): the refresh is written
    with it, not in a transaction of its own (a request that commits nothing leaves it to the next)."""
    row, now = read if read is not None else (None, utcnow())
    if read is None:
        row = live_session_row(read_connection(), token, now)
    if row is None:
        return None
    *user_values, record_id, last_seen_at = row
    if touch_due(last_seen_at, now):
        if touch_with_commit:
            db.session.info[_TOUCH] = (record_id, now)
        else:
            # Its own short transaction: committing the request's session here would commit whatever
            # the view does next halfway.
            with db.engine.begin() as connection:
                connection.execute(TOUCH_RECORD, {"record_id": record_id, "now": now})
        last_seen_at = now
    user = _user_as_loaded(user_values)
    user.session_token, user.current_session = token, LiveSession(record_id, last_seen_at)
    return user


_TOUCH = "lesmark_session_touch"  # in the ORM session's info: (record id, time) to write with its commit


# built once, a table statement: through the ORM's bulk-update path it cost a submission some 10 %
TOUCH_RECORD = (update(UserSession.__table__).where(UserSession.__table__.c.id == bindparam("record_id"))
                 .values(last_seen_at=bindparam("now")))


def take_touch(session: Session) -> tuple[int, datetime] | None:
    """The refresh (record id, time) waiting for this ORM session's commit, taken over by the caller,
    who writes it with its own statements (handing in a quiz on PostgreSQL: one statement for all)."""
    return session.info.pop(_TOUCH, None)


@event.listens_for(Session, "before_commit")
def _touch_with_the_commit(session: Session) -> None:
    # Written at the commit, with the request's own work: on SQLite the write lock is taken at the
    # end, as the request's writes take it anyway, never while the view still runs.
    pending = take_touch(session)
    if pending is not None:
        record_id, now = pending
        session.connection().execute(TOUCH_RECORD, {"record_id": record_id, "now": now})


def end(token: str | None) -> None:
    """Log out: revoke the session of this token. Commits."""
    if token:
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.commit()


def revoke_all(user_id: int, keep_session_id: int | None = None) -> int:
    """Revoke every live session of a user except `keep_session_id` (flushed, not committed)."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount


def end_one(user_id: int, session_id: int) -> bool:
    """End one live session of this user (another device). Commits; False if there is none."""
    ended = db.session.execute(update(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
    ).values(revoked_at=utcnow())).rowcount
    db.session.commit()
    return ended == 1


def end_everywhere(user_id: int) -> int:
    """"Log out everywhere": revoke all of a user's sessions. Commits; returns how many were live."""
    count = revoke_all(user_id)
    db.session.commit()
    return count


def active_sessions(user_id: int) -> list[UserSession]:
    now = utcnow()
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now,
        UserSession.last_seen_at > now - idle_timeout()).order_by(UserSession.last_seen_at.desc())))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def agent_label(user_agent: str) -> str:
    """A short, untranslated label such as "Firefox · Windows"; '' when we cannot tell."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    label = " · ".join(part for part in (browser, system) if part)
    return re.sub(r"[^\w ·.-]", "", label)[:120]
