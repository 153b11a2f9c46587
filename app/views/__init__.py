"""Blueprints, one per area. Views are thin: parse the request, call a service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import auth, learn, main, progress, quiz

    for module in (main, auth, learn, quiz, progress):
        app.register_blueprint(module.bp)
