"""Blueprints, one per area. Views are thin: parse the request, call a service, render."""

from flask import Flask
from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Content ids only (a-z, 0-9, hyphens): anything else is a 404 before it reaches the database."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+){0,15}"


def register_blueprints(app: Flask) -> None:
    from ..content.alphabet import letter_groups
    from . import (
        account,
        admin,
        auth,
        classes,
        learn,
        main,
        media,
        present,
        progress,
        quiz,
        review,
        teach,
    )

    app.url_map.converters["slug"] = SlugConverter

    app.add_template_filter(letter_groups, "letter_groups")  # the glossary's letter index
    for module in (main, auth, account, learn, quiz, progress, teach, admin, classes, review, present, media):
        app.register_blueprint(module.bp)

    from .. import api

    api.init_app(app)  # /api/v1 and its OpenAPI document

    from . import fragments

    fragments.init_app(app)  # last: it copies the template globals registered above
