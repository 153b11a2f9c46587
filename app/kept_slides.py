"""Kept content slides served without Flask's request machinery (the common ground: app/below_flask.py).

A content slide that a student simply reloads or steps to is the hottest page of a lesson.
`KeptSlideServer` answers a GET of one itself only when the answer is certain to be the one Flask
would give, using the parts Flask uses (app/below_flask.py) and:
- the session check and the glance at the slide: the statements of the Flask path, joined into one
  (`lessons.session_and_glance`); moving on stores the reading position with the same upsert;
- the interface language (`i18n.choose_locale`), the kept page and its holes (`fragments.page_key`,
  `fragments.fill`).

Anything else goes to Flask untouched: no kept page yet, a question, a session due for its
once-a-minute refresh or not live at all, a flash message, a missing form token, another browser
on the session (session protection), a query string, a body, a database error. When it has read the
session and the slide already, it hands both to Flask (`HandOver`), so nothing is read twice.
tests/web/test_kept_slides.py compares its answers with Flask's in each of those cases and checks
that it answered the ones it should. `SERVE_KEPT_SLIDES = False` in the config switches it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .below_flask import BelowFlask
from .i18n import choose_locale
from .models import TEACHER_ROLES, utcnow
from .services import lessons, sessions
from .views.fragments import fill, page_key

TEMPLATE = "learn/slide.html"
# the environ key of what this layer read before handing a request to Flask
HAND_OVER = "lesmark.kept_slides.read"


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


class KeptSlideServer(BelowFlask):
    """WSGI middleware: kept content slides answered without Flask (see the module's docstring)."""

    METHOD, ENDPOINT, CONFIG_SWITCH = "GET", "learn.slide", "SERVE_KEPT_SLIDES"

    def supports(self, app: Flask) -> bool:
        self.kept = app.extensions["lesmark_fragments"]
        return self.kept.enabled

    def answer(self, environ, started: float) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """(status, headers, body) of a kept slide, or None: Flask answers."""
        found = None if environ.get("CONTENT_LENGTH", "") not in ("", "0") else self.routed_in_session(environ)
        if found is None:
            return None
        path, arguments, session = found
        found = self._read(environ, session, arguments["slug"], arguments["position"])
        if found is None:
            return None
        user, parts = found
        body = fill(parts, {"csrf_token": self.csrf_serializer.dumps(session[self.csrf_field]),
                            "display_name": user["display_name"], "next_path": path + "?"}).encode()
        request_id = self.request_id(environ)
        headers = self.response_headers(
            environ, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            request_id, [("Cache-Control", "no-store"), ("Vary", "Cookie")])
        self.log_request(path, 200, started, request_id, user["id"])
        return "200 OK", headers, body

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
                                                      self.ENDPOINT, (True, user["role"] in TEACHER_ROLES),
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
