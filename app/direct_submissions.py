"""Final quizzes handed in without Flask's request machinery (the common ground: app/below_flask.py).

Handing in a quiz is the one write a whole class sends within the same minute at the end of a
lesson. `DirectSubmissionServer` answers a POST of a complete, valid submission itself, exactly as
the Flask view `quiz.submit` would (a 303 to the result), using the parts Flask uses
(app/below_flask.py) and:
- Flask-WTF's check of the form token: the signed token, the one in the session, the time limit and,
  over HTTPS, the Referer of the same origin (`flask_wtf.csrf.same_origin`);
- the answers read as the view reads them (`forms.final_answers`);
- the session check joined with the attempt to grade, in one statement, and the grading and the
  writes of the Flask path (app/services/hand_in.py), with the session's refresh when it is due: on
  PostgreSQL one statement, on SQLite one transaction.

Anything else goes to Flask, with the body it sent: an answer missing or malformed, an attempt not
the student's or handed in already, any other field or encoding of the form, a token that does not
check out, a session that is not plain and live, a database error. tests/web/test_direct_submissions.py
compares its answers with Flask's in each case. `SERVE_DIRECT_SUBMISSIONS = False` switches it off.
"""

from __future__ import annotations

import hmac
import io
import re
from urllib.parse import parse_qsl

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import BadData
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.utils import redirect
from werkzeug.wsgi import get_host

from .below_flask import BelowFlask
from .database import one_writer_at_a_time
from .learning.grading import InvalidResponse
from .models import AttemptStatus, utcnow
from .services import hand_in
from .views.forms import final_answers

FORM_TYPE = "application/x-www-form-urlencoded"
# Every name and value of a submission this layer takes, decoded: the signed form token (URL-safe
# base64 and dots), option positions, "1". Anything else (a space, a non-ASCII character, NUL) is
# Flask's to judge.
_PLAIN_FIELD = re.compile(r"[A-Za-z0-9_.\-]*")
_ANSWER_FIELD = re.compile(r"q([1-9][0-9]{0,3})")
MAX_BODY = 16 * 1024  # far more than a quiz of a hundred questions sends
MAX_FIELDS = 512


class _ReadFailed:
    """The request body for Flask when reading it here failed: Flask meets the same error."""

    def __init__(self, error: Exception):
        self.error = error

    def read(self, *_args):
        raise self.error

    readline = read

    def __iter__(self):
        raise self.error


class DirectSubmissionServer(BelowFlask):
    """WSGI middleware: complete final quizzes handed in without Flask (see the module's docstring)."""

    METHOD, ENDPOINT, CONFIG_SWITCH = "POST", "quiz.submit", "SERVE_DIRECT_SUBMISSIONS"

    def supports(self, app: Flask) -> bool:
        config = app.config
        self.max_body = min(MAX_BODY, config.get("MAX_CONTENT_LENGTH") or MAX_BODY,
                            config.get("MAX_FORM_MEMORY_SIZE") or MAX_BODY)
        self.max_fields = min(MAX_FIELDS, config.get("MAX_FORM_PARTS") or MAX_FIELDS)
        self.csrf_time_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
        self.csrf_ssl_strict = config.get("WTF_CSRF_SSL_STRICT", True)
        self.facts = hand_in.grading_facts(app)
        # Flask-WTF checks the token of every form sent: a configuration without that check is not
        # one this layer can answer as Flask would
        return bool(config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True)
                    and self.METHOD in config.get("WTF_CSRF_METHODS", {self.METHOD}))

    def answer(self, environ, started: float) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body) of a submission handed in, or None: Flask answers."""
        length = environ.get("CONTENT_LENGTH", "")
        plain_body = environ.get("CONTENT_TYPE") == FORM_TYPE and length.isdigit() and 0 < int(length) <= self.max_body
        found = self.routed_in_session(environ) if plain_body else None
        if found is None:
            return None
        path, arguments, session = found
        form = self._form(environ, int(length))
        if form is None or not self._form_token_checks_out(environ, session, form):
            return None
        handed_in = self._hand_in(session["_user_id"], arguments["attempt_id"], form)
        if handed_in is None:
            return None
        # the view's redirect (`url_for` puts the application's prefix first)
        response = redirect(f"{environ.get('SCRIPT_NAME', '').rstrip('/')}/attempts/{arguments['attempt_id']}#result",
                            303)
        body = response.get_data()
        request_id = self.request_id(environ)
        headers = self.response_headers(environ, response.headers.to_wsgi_list(), request_id,
                                        [("Cache-Control", "no-store"), ("Vary", "Cookie")])
        self.log_request(path, 303, started, request_id, handed_in)
        return response.status, headers, body

    def _form(self, environ, length: int) -> dict[str, list[str]] | None:
        """The form's fields, if every name and value is plain; None otherwise. Flask gets the body
        to read again either way."""
        try:
            body = environ["wsgi.input"].read(length)
        except Exception as exc:  # noqa: BLE001 - whatever it was, Flask meets it too and answers it
            environ["wsgi.input"] = _ReadFailed(exc)
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        if len(body) != length or not body.isascii():
            return None
        try:
            pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, max_num_fields=self.max_fields)
        except ValueError:
            return None
        form: dict[str, list[str]] = {}
        for name, value in pairs:
            if not (_PLAIN_FIELD.fullmatch(name) and _PLAIN_FIELD.fullmatch(value)):
                return None
            form.setdefault(name, []).append(value)
        return form

    def _form_token_checks_out(self, environ, session: dict, form: dict[str, list[str]]) -> bool:
        """Flask-WTF's `CSRFProtect.protect` would let this form through (`validate_csrf`, then the
        Referer over HTTPS). The token must come once, in its own field, as this site's forms send it."""
        sent = form.get(self.csrf_field, [])
        if len(sent) != 1 or not sent[0] or any(n.endswith(self.csrf_field) for n in form if n != self.csrf_field):
            return False
        try:
            token = self.csrf_serializer.loads(sent[0], max_age=self.csrf_time_limit)
        except BadData:
            return False
        if not isinstance(token, str) or not hmac.compare_digest(session[self.csrf_field], token):
            return False
        if environ.get("wsgi.url_scheme") in ("https", "wss") and self.csrf_ssl_strict:
            referrer = environ.get("HTTP_REFERER")
            return bool(referrer) and same_origin(referrer, f"https://{get_host(environ)}/")
        return True

    def _hand_in(self, token: str, attempt_id: int, form: dict[str, list[str]]) -> int | None:
        """The student's id once their attempt is graded and stored; None, with nothing written, when
        anything is not as a complete submission of their open attempt needs it."""
        if not form.keys() <= {self.csrf_field, "confirm_unanswered"} | {n for n in form if _ANSWER_FIELD.fullmatch(n)}:
            return None
        now = utcnow()
        try:
            with self.engine.connect() as connection:
                session, attempt = hand_in.session_and_attempt(connection, self.facts, token, attempt_id, now,
                                                               self.idle)
                if session is None or attempt is None or attempt.status != AttemptStatus.OPEN or not attempt.slots:
                    return None
                answers, errors, unanswered = final_answers(lambda name: form.get(name, []), attempt.slots)
                # Flask shows the errors, or asks whether to hand in with a question unanswered
                if errors or (unanswered and form.get("confirm_unanswered", [""])[0] != "1"):
                    return None
                graded = hand_in.grade_final(attempt, answers, attempt.slots)
                touch = (session.record_id, now) if session.touch_due else None
                with one_writer_at_a_time(self.engine):
                    if not hand_in.write_graded(connection, graded, touch):
                        connection.rollback()
                        return None  # handed in meanwhile: Flask sends the student to the result
                    connection.commit()
        except InvalidResponse:
            return None
        except SQLAlchemyError:
            # Flask answers, with its own handling of a database that is away (nothing was committed)
            return None
        return attempt.user_id
