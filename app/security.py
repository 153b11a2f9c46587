"""Security headers, the login manager's user loader and friendly error pages."""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db, login_manager
from .models import User

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; object-src 'none'")
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @app.before_request
    def refuse_nul_bytes():
        # No text field here may hold NUL; PostgreSQL rejects it, so stop it at the door.
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("This form has expired or was not sent from this site. Go back, reload the page and try again.")
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist, or it is not yours."),
            405: _("This address does not accept that kind of request."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Wait a minute and try again."),
        }
        return error_page(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        log.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return error_page(500, _("Something went wrong on our side. Your earlier answers are safe; try again."))


def error_page(status: int, message: str):
    if request.path.startswith("/api/") or request.path == "/healthz" or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": message, "status": status}), status
    return render_template("errors/error.html", status=status, message=message), status
