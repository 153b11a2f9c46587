"""Security headers, the login manager's user loader and friendly error pages."""

from __future__ import annotations

import logging
from functools import partial

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from .api import problems
from .database import SAFE_METHODS
from .extensions import db, limiter, login_manager
from .kept_slides import session_row_for
from .services import sessions

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; object-src 'none'")
# sent with every response unless the view set its own (e.g. a media file's stricter CSP)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")  # over HTTPS only
log = logging.getLogger(__name__)


class _GuardedInput:
    """The request body stream; an error while reading it (the client's malformed chunked body,
    e.g. gunicorn's InvalidChunkSize, or a broken connection) is the client's 400, not our 500."""

    def __init__(self, stream):
        self._stream = stream

    def _guarded(self, method, *args):
        try:
            return method(*args)
        except HTTPException:
            raise
        except Exception as exc:  # any server's parser error: they share no base class
            raise BadRequest("malformed request body") from exc

    def read(self, *args):
        return self._guarded(self._stream.read, *args)

    def readline(self, *args):
        return self._guarded(self._stream.readline, *args)

    def readlines(self, *args):
        return self._guarded(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


class RequestBodyGuard:
    """WSGI middleware that puts `_GuardedInput` around `wsgi.input`."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _GuardedInput(environ["wsgi.input"])
        return self.wsgi_app(environ, start_response)


# The blueprints whose views declare rate limits (tests/web/test_rate_limits.py keeps this true).
RATE_LIMITED_BLUEPRINTS = ("auth", "api")


def check_rate_limits_where_declared(app: Flask) -> None:
    """Flask-Limiter looks every request up in its tables of limits (some 80 µs a request) and adds
    its headers and clears its state after every response. Lesmark declares limits only on views
    of RATE_LIMITED_BLUEPRINTS (checked by their decorators: login, registration) and on the API
    blueprint (checked by its own before_request, app/api/views.py), so the lookup runs nowhere else
    and the other two hooks run only for those blueprints. An application-wide or default limit would
    need them on every request again."""
    if limiter.limit_manager.application_limits or limiter.limit_manager.default_limits:
        raise RuntimeError("application or default rate limits need Flask-Limiter's check on every request")
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when rate limiting is switched off
        hooks.remove(limiter._check_request_limit)
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    limiter_after = [f for f in after if isinstance(f, partial) and f.args and f.args[0] is limiter]
    limiter_teardown = [f for f in teardown if getattr(f, "__self__", None) is limiter]
    for blueprint in RATE_LIMITED_BLUEPRINTS:
        app.after_request_funcs.setdefault(blueprint, []).extend(limiter_after)
        app.teardown_request_funcs.setdefault(blueprint, []).extend(limiter_teardown)
    after[:] = [f for f in after if f not in limiter_after]
    teardown[:] = [f for f in teardown if f not in limiter_teardown]


def init_app(app: Flask) -> None:
    app.wsgi_app = RequestBodyGuard(app.wsgi_app)
    check_rate_limits_where_declared(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself

    @login_manager.user_loader
    def load_user(token: str):
        # The cookie names a server-side session (services/sessions.py), never a user id.
        # a form sent (not GET) commits its work anyway: the session's refresh is written with it
        return sessions.user_for_token(token, session_row_for(request.environ, token),
                                       touch_with_commit=request.method not in SAFE_METHODS)

    @app.before_request
    def load_session_user():
        # Look the session up before a view writes anything: refreshing last_seen_at uses its own
        # short transaction, which must not wait for the request's own uncommitted writes (SQLite).
        if request.endpoint != "static":
            current_user._get_current_object()

    @app.before_request
    def refuse_nul_bytes():
        # No text field here may hold NUL; PostgreSQL rejects it, so stop it at the door.
        # (a GET without a body has no form: parsing one just to look costs every page some 10 µs)
        if "\x00" in request.path or (request.query_string and any("\x00" in v for v in request.args.values())):
            abort(400)
        if (request.method != "GET" or request.content_length) and any("\x00" in v for v in request.form.values()):
            abort(400)

    @app.after_request
    def security_headers(response):
        present = {name.lower() for name, _value in response.headers.items()}
        response.headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
        if request.is_secure:
            response.headers.setdefault(*HSTS)
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("This form has expired or was not sent from this site. Go back, reload the page and try again.")
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if problems.is_api_request():  # RFC 9457 problem JSON, never a page
            return problems.from_http_exception(error)
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist, or it is not yours."),
            405: _("This address does not accept that kind of request."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Wait a minute and try again."),
        }
        return error_page(error.code or 500, messages.get(error.code, error.description))

    # Registered for 500, not for Exception: Flask then still sends `got_request_exception`, logs
    # the traceback and (when PROPAGATE_EXCEPTIONS is on) re-raises, so a bug never hides in a test.
    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        if problems.is_api_request():
            return problems.problem(500, "Something went wrong on our side.")
        return error_page(500, _("Something went wrong on our side. Your earlier answers are safe; try again."))


def error_page(status: int, message: str):
    if request.path.startswith("/api/") or request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": message, "status": status}), status
    return render_template("errors/error.html", status=status, message=message), status
