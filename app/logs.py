"""Structured logs: one JSON line per request with request id, user id and timing.

Only the method, the path (never the query string or the body), the status and the time are
logged for a request, so passwords, tokens and answers cannot end up in a log line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

# A request id from the proxy is kept only if it is short and plain (no log injection).
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("lesmark.access")


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id, record.user_id = getattr(g, "request_id", None), _user_id()
        else:  # a request answered below Flask passes both as extras (app/below_flask.py)
            record.request_id = getattr(record, "request_id", None)
            record.user_id = getattr(record, "user_id", None)
        return True


def request_id_for(incoming: str) -> str:
    """The proxy's X-Request-ID if it is short and plain, else a fresh one."""
    return incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _user_id() -> int | None:
    try:
        # the JSON API authenticates by token, a page by its session cookie; Flask-Login keeps the user
        # it loaded in g._login_user (read directly: current_user would load one if none was yet)
        user = getattr(g, "api_user", None) or getattr(g, "_login_user", None)
        # the row's identity, not `user.id`: after a commit that would load the whole user again
        state = inspect(user, raiseerr=False)
        return state.identity[0] if state is not None and state.identity else None
    except Exception:  # noqa: BLE001 - a log line must never break a request
        return None


def configure_logging(level: str = "INFO", json_format: bool = True, stream=None) -> None:
    """Send every log record to one stream (standard error), as JSON lines or plain text."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if json_format:
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"))
    handler.addFilter(RequestContextFilter())
    # One of the logging HOWTO's optimisations: no log line shows its caller, so the frame walk that
    # finds it (some 10 µs a record) is skipped. Process and thread ids stay: gunicorn's own log
    # lines print the process id ("%(process)d" fails on a record without one).
    logging._srcfile = None
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    # Tests keep pytest's own log capture; a served app logs to standard error.
    if not app.testing:
        json_format = app.config.get("LOG_FORMAT", "text") == "json"
        configure_logging(app.config.get("LOG_LEVEL", "INFO"), json_format)
        app.logger.handlers.clear()  # Flask's default handler would print every record twice

    @app.before_request
    def start_timer():
        g.request_id = request_id_for(request.headers.get("X-Request-ID", ""))
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = getattr(g, "request_started", None)
        if started is None:
            return response
        response.headers["X-Request-ID"] = g.request_id
        if request.endpoint != "static" and app.config.get("LOG_REQUESTS", True):
            access_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "endpoint": request.endpoint})
        return response
