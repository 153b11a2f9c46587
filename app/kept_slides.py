"""Kept content slides served without Flask's request machinery.

A content slide that a student simply reloads or steps to is the hottest page of a lesson, and in
Flask it costs more than the page itself: a request and an application context, the cookie session,
Flask-Login, the ORM user, some ten hooks, a Response object. Even a view that only returns
"hello" costs a logged-in request more than issue 12's goal allows for a whole slide (bench/RESULTS.md).

`KeptSlideServer` sits in front of Flask (inside ProxyFix, so the scheme and addresses are fixed
already) and answers a GET of a slide itself only when the answer is certain to be the one Flask
would give, using the same parts Flask uses:
- the route: Flask's own URL map;
- the cookie: Flask's own session serializer; the login: Flask-Login's session keys and its
  session-protection identifier (`session_identifier`, tested equal to Flask-Login's);
- the session check and the glance at the slide: the statements of the Flask path, joined into one
  (`lessons.session_and_glance`); moving on stores the reading position with the same upsert;
- the interface language (`i18n.choose_locale`), the kept page and its holes (`fragments.page_key`,
  `fragments.fill`), the headers (`security.SECURITY_HEADERS`) and the request log line, all shared.

Anything else goes to Flask untouched: no kept page yet, a question, a session due for its
once-a-minute refresh or not live at all, a flash message, a missing form token, another browser
on the session (session protection), a query string, a body, a database error. When it has read the
session and the slide already, it hands both to Flask (`HandOver`), so nothing is read twice.
tests/web/test_kept_slides.py compares its answers with Flask's in each of those cases and checks
that it answered the ones it should. `SERVE_KEPT_SLIDES = False` in the config switches it off.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha512

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.routing import RequestRedirect

from .i18n import choose_locale
from .logs import access_log, request_id_for
from .models import TEACHER_ROLES, utcnow
from .services import lessons, sessions
from .signing import VERIFIED_COOKIE, csrf_serializer
from .views.fragments import fill, page_key

ENDPOINT = "learn.slide"
TEMPLATE = "learn/slide.html"
# Flask-Login's keys of a logged-in session, the form token and the chosen language: a session with
# anything else (a flash message, a remember-me mark, a permanent session) is Flask's to answer.
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "csrf_token", "locale"})
# the environ key of what this layer read before handing a request to Flask
HAND_OVER = "lesmark.kept_slides.read"

log = logging.getLogger(__name__)


def session_identifier(environ: dict) -> str:
    """Flask-Login's session-protection identifier (`flask_login.utils._create_identifier`) of a
    request, read from its WSGI environ (tests/web/test_kept_slides.py keeps the two equal)."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return sha512(f"{address}|{agent}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class HandOver:
    """The session row and the slide's glance read for a request that Flask then answers after all (a
    question, a page not kept yet): Flask's user loader and the slide view use them instead of
    reading both again (`session_row_for`, `slide_read_for`). Only this layer sets it: a client's
    headers reach the environ as HTTP_* keys only."""
    token: str
    now: datetime
    row: Row | None
    user_id: int | None
    slug: str
    position: int
    glance: lessons.ScreenGlance | None


def session_row_for(environ, token: str):
    """(row, now) read for `token` before Flask got this request, or None."""
    read = environ.get(HAND_OVER)
    return (read.row, read.now) if read is not None and read.token == token else None


def slide_read_for(environ, user_id: int, slug: str, position: int) -> HandOver | None:
    """What was read for this very slide and user before Flask got this request (its `glance` may be
    None: no such slide), or None."""
    read = environ.get(HAND_OVER)
    if read is not None and (read.user_id, read.slug, read.position) == (user_id, slug, position):
        return read
    return None


class KeptSlideServer:
    """WSGI middleware: kept content slides answered without Flask (see the module's docstring)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.enabled = app.config.get("SERVE_KEPT_SLIDES", True)
        self.served = 0  # answered here (tests, bench)
        self._ready = False

    def __call__(self, environ, start_response):
        if self.enabled and environ.get("REQUEST_METHOD") == "GET":
            answer = self.answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def _prepare(self) -> bool:
        """What depends on the finished configuration, once; False if it is one this cannot follow."""
        app, config = self.app, self.app.config
        supported = (not config.get("SERVER_NAME") and config.get("TRUSTED_HOSTS") is None
                     and not app.url_map.host_matching and not app.subdomain_matching
                     and isinstance(app.session_interface, SecureCookieSessionInterface)
                     and config.get("SESSION_PROTECTION", app.login_manager.session_protection) in (None, "basic")
                     and app.extensions["lesmark_fragments"].enabled)
        if not supported:
            self.enabled = False
            log.info("kept slides are served by Flask: this configuration needs its full request handling")
            return False
        from .security import HSTS, SECURITY_HEADERS  # that module reads HAND_OVER from this one

        self.kept = app.extensions["lesmark_fragments"]
        self.headers, self.headers_over_https = list(SECURITY_HEADERS), [*SECURITY_HEADERS, HSTS]
        cookie_serializer = app.session_interface.get_signing_serializer(app)
        self.session_cookie = config["SESSION_COOKIE_NAME"]
        self.load_cookie = cookie_serializer.loads
        self.cookie_max_age = int(app.permanent_session_lifetime.total_seconds())
        # Flask-WTF's form token: the raw token in the session, signed with a time stamp per page
        self.csrf_field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.sign_csrf = csrf_serializer(app).dumps
        self.protect_session = config.get("SESSION_PROTECTION", app.login_manager.session_protection) == "basic"
        with app.app_context():
            self.idle = sessions.idle_timeout()
        # on PostgreSQL an engine whose connections stay in autocommit: one statement, one round trip
        self.engine = app.extensions["lesmark_read_engine"]
        # Flask's URL map, bound once: without host or subdomain matching (checked above) a path
        # matches the same rule whatever the host, and a redirect (a missing slash) is Flask's to send
        self.match = app.url_map.bind("kept-slides.invalid", subdomain=app.url_map.default_subdomain or "").match
        self._ready = True
        return True

    def answer(self, environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body) of a kept slide, or None: Flask answers."""
        started = time.perf_counter()
        if (environ.get("QUERY_STRING") or environ.get("CONTENT_LENGTH", "") not in ("", "0")
                or environ.get("HTTP_TRANSFER_ENCODING") or not environ.get("HTTP_COOKIE")):
            return None
        if not self._ready and not self._prepare():
            return None
        path = "/" + environ.get("PATH_INFO", "").lstrip("/")
        if not (path.isascii() and environ.get("SCRIPT_NAME", "").isascii()):  # as Werkzeug decodes them
            return None
        try:
            endpoint, arguments = self.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        if endpoint != ENDPOINT:
            return None
        session = self._session(environ)
        if session is None:
            return None
        found = self._read(environ, session, arguments["slug"], arguments["position"])
        if found is None:
            return None
        user, parts = found
        body = fill(parts, {"csrf_token": self.sign_csrf(session[self.csrf_field]),
                            "display_name": user["display_name"], "next_path": path + "?"}).encode()
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                   ("X-Request-ID", request_id),
                   *(self.headers_over_https if environ.get("wsgi.url_scheme") in ("https", "wss") else self.headers),
                   ("Cache-Control", "no-store"), ("Vary", "Cookie")]
        if self.app.config.get("LOG_REQUESTS", True):
            access_log.info("%s %s %s", "GET", path, 200, extra={
                "method": "GET", "path": path, "status": 200,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1), "endpoint": ENDPOINT,
                "request_id": request_id, "user_id": user["id"]})
        self.served += 1
        return "200 OK", headers, body

    def _session(self, environ) -> dict | None:
        """The cookie session, if it is a plain logged-in one that this request leaves unchanged."""
        cookie = parse_cookie(environ).get(self.session_cookie)
        if not cookie:
            return None
        try:
            session = self.load_cookie(cookie, max_age=self.cookie_max_age)
        except BadSignature:
            return None
        if not isinstance(session, dict):
            return None
        environ[VERIFIED_COOKIE] = (cookie, session)  # Flask, if it answers, does not check it again
        if (not session.keys() <= PLAIN_SESSION_KEYS
                or not isinstance(session.get("_user_id"), str) or not isinstance(session.get(self.csrf_field), str)):
            return None
        # Flask-Login would mark a session from another browser or address as not fresh: a change
        if self.protect_session and not hmac.compare_digest(str(session.get("_id", "")), session_identifier(environ)):
            return None
        return session

    def _read(self, environ, session: dict, slug: str, position: int):
        """(the user's columns, the kept page's parts) when the session is live, the slide is a content
        slide and its page is kept; the reading position is then stored as the Flask view would.
        None otherwise, with nothing written."""
        now = utcnow()
        try:
            with self.engine.connect() as connection:
                token = session["_user_id"]
                row, glance = lessons.session_and_glance(connection, token, slug, position, now, self.idle)
                # what Flask would read again if it answers: it takes both from here (see HandOver)
                user = None if row is None else dict(zip(sessions.USER_KEYS, row[:-2], strict=True))
                environ[HAND_OVER] = HandOver(token, now, row, user and user["id"], slug, position, glance)
                if user is None or glance is None or glance.kind != "content" or sessions.touch_due(row[-1], now):
                    return None
                locale = choose_locale(self.app.config, user["locale"], session.get("locale"),
                                       parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept))
                parts = self.kept.kept_parts(page_key(TEMPLATE, environ.get("SCRIPT_NAME", "").rstrip("/"), locale,
                                                      ENDPOINT, (True, user["role"] in TEACHER_ROLES),
                                                      glance.revision))
                if parts is None:
                    return None
                if lessons.position_changes(glance.stored_position, position):
                    connection.execute(lessons.position_upsert(self.engine.dialect.name, user["id"],
                                                               glance.lesson_id, position))
                    connection.commit()
        except SQLAlchemyError:
            # Flask answers, with its own handling of a database that is away (nothing was committed)
            return None
        return user, parts
