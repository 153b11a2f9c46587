"""Interface language: the user's setting, else the browser's Accept-Language, else English."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, request, session
from flask_babel import format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

from .extensions import babel

LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "hu": "Magyar", "fi": "Suomi"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    if set(LANGUAGE_NAMES) != set(app.config["LANGUAGES"]):
        raise RuntimeError("LANGUAGES in the config and LANGUAGE_NAMES in app/i18n.py must list the same codes")
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")

    app.jinja_env.globals.update(current_locale=lambda: str(get_locale() or "en"),
                                 language_label=language_label, format_decimal=format_decimal, format_percent=format_percent,
                                 format_datetime=format_datetime)

    @app.context_processor
    def language_context():
        return {"language_names": LANGUAGE_NAMES}


def language_label(code: str, in_sentence: bool = False) -> str:
    """Name of a content language in the interface language: 'nl' -> 'Dutch' / 'Nederlands'.

    Standalone (a menu item) it starts with a capital; in a sentence it keeps the language's
    own spelling ("Kurssit (englanti)", "angol nyelvű kurzusok", "Cursussen in het Engels")."""
    try:
        name = Locale.parse(code).get_display_name(str(get_locale() or "en"))
        return name if in_sentence else name[:1].upper() + name[1:]
    except (ValueError, UnknownLocaleError):
        return code
