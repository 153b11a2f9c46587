"""Rendered page fragments shared by every user, kept per process.

A content slide reads the same for every student; only the page around it (the name, the form
tokens) is personal. Rendering its body once per content revision and interface language takes
most of the template time off a slide page.

A whole page can be kept the same way, with holes for the few personal values of the page around
it (`render_page`/`kept_page`): base.html reads those only through `chrome` (`PageChrome`), and a
kept page is rendered with a `ShellChrome` whose personal values are markers, which each request
fills with its own (escaped) values. That takes Jinja off a content slide page altogether.

Two rules keep this safe:
- the key names the content the fragment shows, by values the page reads from the database on
  every request anyway (ids and revision stamps), so an edit made on any machine changes the key
  everywhere at once: nothing needs invalidating, old entries simply age out;
- fragments are rendered in a Jinja environment without the request, the session, the user, flash
  messages or CSRF tokens, so nothing personal can end up in a shared fragment (a template that
  tries fails: the environment's undefined is strict).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Flask, current_app, get_flashed_messages, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import StrictUndefined
from markupsafe import Markup, escape

from ..i18n import current_locale

# Jinja globals a shared fragment may use: links, the interface language, number formats.
SHARED_GLOBALS = frozenset({
    "url_for", "_", "gettext", "ngettext", "pgettext", "npgettext", "current_locale", "language_label",
    "language_names", "format_decimal", "format_percent", "range", "dict", "namespace", "cycler", "joiner",
    "lipsum", "shared_fragment"})
MAX_FRAGMENTS = 4000  # under 1 kB (the site's links) to some 6 kB (a slide, a whole slide page): ~25 MB at most


class FragmentCache:
    def __init__(self, app: Flask, max_items: int = MAX_FRAGMENTS):
        # its own template cache: a template compiled here must not reach the full environment
        self.env = app.jinja_env.overlay(cache_size=100)
        self.env.globals = {name: value for name, value in app.jinja_env.globals.items() if name in SHARED_GLOBALS}
        self.env.undefined = StrictUndefined  # a name it lacks (the user, a token…) is an error, never blank
        self.max_items = max_items
        # with templates reloaded on change (development), a kept fragment could be out of date
        self.enabled = not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD"))
        self._items: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def render(self, template: str, key: tuple[Hashable, ...], **context) -> Markup:
        """`template` rendered with `context`; `key` must change whenever the context's content does."""
        # links depend on where the app is mounted; words on the interface language
        full_key = (template, request.script_root, current_locale(), *key)
        with self._lock:
            cached = self._items.get(full_key)
            if cached is not None:
                self._items.move_to_end(full_key)
                self.hits += 1
                return cached
            self.misses += 1
        html = Markup(self.env.get_template(template).render(**context))  # noqa: S704 - autoescaped output
        if self.enabled:
            with self._lock:
                self._store(full_key, html)
        return html

    def kept_page(self, template: str, key: tuple[Hashable, ...]) -> str | None:
        """The kept page of `template` and `key` filled for this request; None when there is none yet,
        or when a flash message waits (a kept page has no room for one: render it in full)."""
        if "_flashes" in session:
            return None
        parts = self.kept_parts(self._page_key(template, key))
        return None if parts is None else fill(parts)

    def kept_parts(self, full_key: tuple) -> tuple[str, ...] | None:
        """A kept page's parts (literal text and hole names, alternating) by its full key (`page_key`)."""
        with self._lock:
            parts = self._items.get(full_key)
            if parts is None:
                self.misses += 1
                return None
            self._items.move_to_end(full_key)
            self.hits += 1
        return parts

    def render_page(self, template: str, key: tuple[Hashable, ...], **context) -> str | None:
        """Render `template` (which extends base.html) as a page with holes, keep it, and fill it for this
        request; None when a flash message waits or nothing is kept (development): then render the page
        with `render_template`, which gives the same page (tests/web/test_fragment_cache.py)."""
        if "_flashes" in session or not self.enabled:
            return None
        signed_in, teacher = _role()
        shell = ShellChrome(endpoint=request.endpoint, signed_in=signed_in, teacher=teacher)
        parts = tuple(_HOLE.split(self.env.get_template(template).render(chrome=shell, **context)))
        with self._lock:
            self._store(self._page_key(template, key), parts)
        return fill(parts)

    @staticmethod
    def _page_key(template: str, key: tuple[Hashable, ...]) -> tuple:
        this_request = request._get_current_object()
        return page_key(template, this_request.script_root, current_locale(), this_request.endpoint, _role(), key)

    def _store(self, full_key: tuple, value) -> None:
        self._items[full_key] = value
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def render_shared(self, template: str, **values: Hashable) -> Markup:
        """For templates: `template` rendered with these plain values, which are also its key."""
        return self.render(template, tuple(sorted(values.items())), **values)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# --- the personal values of base.html -------------------------------------------------------------

# A marker no content can hold: a private-use character and a secret of this process.
_MARKER = "\ue000" + secrets.token_hex(8) + ":"
_HOLE = re.compile(re.escape(_MARKER) + r"(\w+)\ue001")


class PageChrome:
    """What base.html shows around a page that differs by request: read only through `chrome`, so a
    kept page (ShellChrome) can leave holes exactly there. Each value is looked up when read."""

    @property
    def endpoint(self) -> str | None:
        return request.endpoint

    @property
    def signed_in(self) -> bool:
        return _role()[0]

    @property
    def teacher(self) -> bool:
        return _role()[1]

    @property
    def messages(self) -> list[tuple[str, str]]:
        return get_flashed_messages(with_categories=True)

    # the holes of a kept page: personal, or different on every URL
    @property
    def csrf_token(self) -> str:
        return generate_csrf()

    @property
    def display_name(self) -> str:
        return current_user.display_name if current_user.is_authenticated else ""

    @property
    def next_path(self) -> str:
        return request.full_path if request.method == "GET" else "/"


HOLES = ("csrf_token", "display_name", "next_path")


def _role() -> tuple[bool, bool]:
    """(signed in, teacher): all of the user that base.html shows besides the holes, so all of the
    user that a kept page's key holds."""
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    return signed_in, signed_in and user.is_teacher


class ShellChrome:
    """The chrome of a kept page: the values in its key, markers for the holes, no messages."""

    messages = ()

    def __init__(self, endpoint: str | None, signed_in: bool, teacher: bool):
        self.endpoint, self.signed_in, self.teacher = endpoint, signed_in, teacher
        for name in HOLES:
            setattr(self, name, Markup(_MARKER + name + "\ue001"))  # noqa: S704 - a marker, replaced by escaped text


def page_key(template: str, script_root: str, locale: str, endpoint: str | None, role: tuple[bool, bool],
             key: tuple[Hashable, ...]) -> tuple:
    """The full key of a kept page: everything its shell shows besides the holes."""
    return ("page", template, script_root, locale, endpoint, *role, *key)


def fill(parts, values: dict[str, str] | None = None) -> str:
    """A kept page's literal parts with this request's values in its holes (escaped as Jinja would);
    `values` (every hole's, as text) when there is no request context to read them from."""
    if values is None:
        chrome = PageChrome()
        values = {name: getattr(chrome, name) for name in set(parts[1::2])}
    values = {name: str(escape(value)) for name, value in values.items()}
    filled = list(parts)
    filled[1::2] = [values[name] for name in parts[1::2]]
    return "".join(filled)


def init_app(app: Flask) -> None:
    cache = app.extensions["lesmark_fragments"] = FragmentCache(app)
    app.context_processor(lambda: {"chrome": PageChrome()})
    # base.html: {{ shared_fragment("_site_links.html", endpoint=..., signed_in=...) }}
    app.jinja_env.globals["shared_fragment"] = cache.env.globals["shared_fragment"] = cache.render_shared


def fragments() -> FragmentCache:
    return current_app.extensions["lesmark_fragments"]
