"""The common ground of the two requests answered below Flask, when the answer is certain to be the
one Flask would give: a kept content slide (app/kept_slides.py) and a final quiz handed in
(app/direct_submissions.py).

A request through Flask costs more than either answer itself: a request and an application context,
the cookie session, Flask-Login, the ORM user, some ten hooks, a Response object. Even a view that
only returns "hello" costs a logged-in request more than issue 12's goal allows for a whole slide
(bench/RESULTS.md). A layer here sits in front of Flask (inside ProxyFix, so the scheme and addresses
are fixed already) and uses the parts Flask uses:
- the route: Flask's own URL map, bound once;
- the cookie: Flask's own session serializer; the login: Flask-Login's session keys and its
  session-protection identifier (`session_identifier`, tested equal to Flask-Login's);
- the form token: Flask-WTF's serializer (`signing.csrf_serializer`);
- the headers (`security.SECURITY_HEADERS`) and the request log line.

Anything it is not certain of goes to Flask untouched. Each layer's tests send every kind of
request both ways and compare the answers (tests/web/test_kept_slides.py, test_direct_submissions.py).
"""

from __future__ import annotations

import hmac
import logging
import time
from hashlib import sha512

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie
from werkzeug.routing import RequestRedirect

from .logs import access_log, request_id_for
from .services import sessions
from .signing import VERIFIED_COOKIE, csrf_serializer

# Flask-Login's keys of a logged-in session, the form token and the chosen language: a session with
# anything else (a flash message, a remember-me mark, a permanent session) is Flask's to answer.
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "csrf_token", "locale"})

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


class BelowFlask:
    """WSGI middleware answering one method and endpoint itself when it can (`answer`), else Flask.
    A subclass names them and implements `answer(environ, started)`."""

    METHOD: str
    ENDPOINT: str
    CONFIG_SWITCH: str

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.enabled = app.config.get(self.CONFIG_SWITCH, True)
        self.served = 0  # answered here (tests, bench)
        self._ready = False

    def __call__(self, environ, start_response):
        if self.enabled and environ.get("REQUEST_METHOD") == self.METHOD:
            started = time.perf_counter()
            if self._ready or self._prepare():
                answer = self.answer(environ, started)
                if answer is not None:
                    status, headers, body = answer
                    self.served += 1
                    start_response(status, headers)
                    return [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ, started: float) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body), or None: Flask answers."""
        raise NotImplementedError

    def _prepare(self) -> bool:
        """What depends on the finished configuration, once; False if it is one this cannot follow."""
        app, config = self.app, self.app.config
        supported = (not config.get("SERVER_NAME") and config.get("TRUSTED_HOSTS") is None
                     and not app.url_map.host_matching and not app.subdomain_matching
                     and isinstance(app.session_interface, SecureCookieSessionInterface)
                     and config.get("SESSION_PROTECTION", app.login_manager.session_protection) in (None, "basic")
                     and self.supports(app))
        if not supported:
            self.enabled = False
            log.info("%s is answered by Flask: this configuration needs its full request handling", self.ENDPOINT)
            return False
        from .security import HSTS, SECURITY_HEADERS  # that module reads kept_slides.HAND_OVER

        self.headers, self.headers_over_https = list(SECURITY_HEADERS), [*SECURITY_HEADERS, HSTS]
        self.session_cookie = config["SESSION_COOKIE_NAME"]
        self.load_cookie = app.session_interface.get_signing_serializer(app).loads
        self.cookie_max_age = int(app.permanent_session_lifetime.total_seconds())
        # Flask-WTF's form token: the raw token in the session, signed with a time stamp per page
        self.csrf_field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.csrf_serializer = csrf_serializer(app)
        self.protect_session = config.get("SESSION_PROTECTION", app.login_manager.session_protection) == "basic"
        with app.app_context():
            self.idle = sessions.idle_timeout()
        # on PostgreSQL an engine whose connections stay in autocommit: one statement, one round trip
        self.engine = app.extensions["lesmark_read_engine"]
        # Flask's URL map, bound once: without host or subdomain matching (checked above) a path
        # matches the same rule whatever the host, and a redirect (a missing slash) is Flask's to send
        self._match = app.url_map.bind("below-flask.invalid", subdomain=app.url_map.default_subdomain or "").match
        self._ready = True
        return True

    def supports(self, app: Flask) -> bool:
        """Whether this layer can follow the rest of the configuration."""
        return True

    def route(self, environ) -> tuple[str, dict] | None:
        """(path, the rule's arguments) when the request is for this layer's endpoint."""
        path = "/" + environ.get("PATH_INFO", "").lstrip("/")
        if not (path.isascii() and environ.get("SCRIPT_NAME", "").isascii()):  # as Werkzeug decodes them
            return None
        try:
            endpoint, arguments = self._match(path, method=self.METHOD)
        except (HTTPException, RequestRedirect):
            return None
        return (path, arguments) if endpoint == self.ENDPOINT else None

    def routed_in_session(self, environ) -> tuple[str, dict, dict] | None:
        """(path, the rule's arguments, the plain session) of a request for this layer's endpoint,
        without a query string or a chunked body, and with a cookie."""
        if environ.get("QUERY_STRING") or environ.get("HTTP_TRANSFER_ENCODING") or not environ.get("HTTP_COOKIE"):
            return None
        routed = self.route(environ)
        session = None if routed is None else self.plain_session(environ)
        return None if session is None else (*routed, session)

    def plain_session(self, environ) -> dict | None:
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

    def response_headers(self, environ, first: list[tuple[str, str]], request_id: str,
                         last: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The headers in the order Flask sends them: the view's, the request id, the security headers."""
        secure = environ.get("wsgi.url_scheme") in ("https", "wss")
        return [*first, ("X-Request-ID", request_id), *(self.headers_over_https if secure else self.headers), *last]

    def request_id(self, environ) -> str:
        return request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))

    def log_request(self, path: str, status: int, started: float, request_id: str, user_id: int) -> None:
        """The access log line Flask's request would have written (app/logs.py)."""
        if self.app.config.get("LOG_REQUESTS", True):
            access_log.info("%s %s %s", self.METHOD, path, status, extra={
                "method": self.METHOD, "path": path, "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1), "endpoint": self.ENDPOINT,
                "request_id": request_id, "user_id": user_id})
