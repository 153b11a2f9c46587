"""Interface language: the user's setting, else the browser's Accept-Language, else English."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept

from .extensions import babel

LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "hu": "Magyar", "fi": "Suomi"}


def select_locale() -> str:
    user = current_user._get_current_object() if current_user else None  # one proxy lookup, not three
    user_locale = user.locale if user is not None and user.is_authenticated else None
    return choose_locale(current_app.config, user_locale, session.get("locale"), request.accept_languages)


def choose_locale(config, user_locale: str | None, session_locale: str | None,
                  accept_languages: LanguageAccept) -> str:
    """The interface language: the user's setting, else the one chosen in this session, else the
    browser's first supported language, else the default. (Also for kept slides served without a
    request context, app/kept_slides.py.)"""
    languages = config["LANGUAGES"]
    if user_locale in languages:
        return user_locale
    if session_locale in languages:
        return session_locale
    return accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    if set(LANGUAGE_NAMES) != set(app.config["LANGUAGES"]):
        raise RuntimeError("LANGUAGES in the config and LANGUAGE_NAMES in app/i18n.py must list the same codes")
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")

    app.jinja_env.globals.update(current_locale=current_locale, language_label=language_label,
                                 format_decimal=format_decimal, format_percent=format_percent,
                                 format_datetime=format_datetime, language_names=LANGUAGE_NAMES)
    install_template_gettext(app)


def language_label(code: str, in_sentence: bool = False) -> str:
    """Name of a content language in the interface language: 'nl' -> 'Dutch' / 'Nederlands'.

    Standalone (a menu item) it starts with a capital; in a sentence it keeps the language's
    own spelling ("Kurssit (englanti)", "angol nyelvű kurzusok", "Cursussen in het Engels")."""
    try:
        name = Locale.parse(code).get_display_name(str(get_locale() or "en"))
        return name if in_sentence else name[:1].upper() + name[1:]
    except (ValueError, UnknownLocaleError):
        return code


# --- the templates' gettext, looked up once per request -------------------------------------------
# Flask-Babel finds the locale and the catalogue again on every call (about 8 µs); a slide page makes
# some thirty calls. Flask-Babel itself keeps both for the whole request (on the request object), so
# keeping them here as well changes nothing: within one request the interface language is fixed.

def current_locale() -> str:
    """The interface language of this request, e.g. "nl"."""
    if not has_request_context():
        return str(get_locale() or "en")
    try:
        return request.lesmark_locale
    except AttributeError:
        # the selector's code as it is: Flask-Babel would parse it into a Locale (some 40 µs) and back
        request.lesmark_locale = code = select_locale()
        return code


def request_translations():
    if not has_request_context():
        return get_translations()
    try:
        return request.lesmark_translations
    except AttributeError:
        request.lesmark_translations = translations = get_translations()
        return translations


def _formatted(context, text: str, variables: dict):
    # what Jinja's "newstyle" gettext does: escape-aware, and always a format string
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, escaped by % as in Jinja's gettext
    return text % variables


@pass_context
def template_gettext(context, string: str, **variables):
    return _formatted(context, request_translations().ugettext(string), variables)


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _formatted(context, request_translations().ungettext(singular, plural, num), variables)


@pass_context
def template_pgettext(context, string_context: str, string: str, **variables):
    variables.setdefault("context", string_context)
    return _formatted(context, request_translations().upgettext(string_context, string), variables)


@pass_context
def template_npgettext(context, string_context: str, singular: str, plural: str, num: int, **variables):
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    return _formatted(context, request_translations().unpgettext(string_context, singular, plural, num), variables)


def install_template_gettext(app: Flask) -> None:
    """Replace the callables Flask-Babel gave Jinja (same behaviour as its newstyle gettext)."""
    if not app.jinja_env.newstyle_gettext:  # type: ignore[attr-defined]
        raise RuntimeError("Flask-Babel no longer installs newstyle gettext; review app/i18n.py")
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext, ngettext=template_ngettext,
                                 pgettext=template_pgettext, npgettext=template_npgettext)
