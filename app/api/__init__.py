"""The JSON API under /api/v1 (flask-smorest): thin views over the services, personal access
tokens as Bearer credentials, RFC 9457 problem JSON for every error, and an OpenAPI 3 document at
/api/v1/openapi.json generated from the views and their marshmallow schemas."""

from __future__ import annotations

import http
import os

from flask import Flask
from flask_smorest import Api

from .schemas import Problem

API_PREFIX = "/api/v1"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+){0,15}$"


class LesmarkApi(Api):
    """flask-smorest's Api, but errors stay with the app's handler (which answers problem JSON under
    /api/ and the HTML error page elsewhere) and are documented as application/problem+json."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        pass  # app/security.py's handler serves both the pages and the API

    def _register_responses(self):
        for status in http.HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, problem_response(status.phrase), lazy=True)
        self.spec.components.response("DEFAULT_ERROR", problem_response("Error (problem details)"), lazy=True)


def problem_response(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": "Problem"}}}


def slug_parameter(_converter) -> dict:
    return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80}


def init_app(app: Flask) -> None:
    from ..extensions import csrf
    from . import views

    # requests per token (Flask-Limiter syntax), in the shared rate-limit storage
    app.config.setdefault("API_RATE_LIMIT", os.environ.get("LESMARK_API_RATE_LIMIT", "300 per minute"))
    app.config.update(
        API_TITLE="Lesmark API", API_VERSION="1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX, OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "Courses, lessons with slides, progress per goal, final quizzes and class "
                                    "gradebooks. Authenticate with a personal access token: "
                                    "`Authorization: Bearer lm_...` (account settings page)."},
            "security": [{"bearerAuth": []}],
            "servers": [{"url": "/"}],
        },
    )
    api = LesmarkApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "description": "a personal access token"})
    api.register_converter(app.url_map.converters["slug"], slug_parameter)
    csrf.exempt(views.bp)  # cookies do not authenticate the API, so there is nothing to forge
    api.register_blueprint(views.bp)
