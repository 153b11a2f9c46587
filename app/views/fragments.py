"""Rendered page fragments shared by every user, kept per process.

A content slide reads the same for every student; only the page around it (the name, the form
tokens) is personal. Rendering its body once per content revision and interface language takes
most of the template time off a slide page.

Two rules keep this safe:
- the key names the content the fragment shows, by values the page reads from the database on
  every request anyway (ids and revision stamps), so an edit made on any machine changes the key
  everywhere at once: nothing needs invalidating, old entries simply age out;
- fragments are rendered in a Jinja environment without the request, the session, the user, flash
  messages or CSRF tokens, so nothing personal can end up in a shared fragment (a template that
  tries fails: the environment's undefined is strict).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Flask, current_app, request
from jinja2 import StrictUndefined
from markupsafe import Markup

from ..i18n import current_locale

# Jinja globals a shared fragment may use: links, the interface language, number formats.
SHARED_GLOBALS = frozenset({
    "url_for", "_", "gettext", "ngettext", "pgettext", "npgettext", "current_locale", "language_label",
    "language_names", "format_decimal", "format_percent", "range", "dict", "namespace", "cycler", "joiner",
    "lipsum"})
MAX_FRAGMENTS = 4000  # under 1 kB (the site's links) to some 6 kB (a slide): at most ~20 MB a process


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
                self._items[full_key] = html
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        return html

    def render_shared(self, template: str, **values: Hashable) -> Markup:
        """For templates: `template` rendered with these plain values, which are also its key."""
        return self.render(template, tuple(sorted(values.items())), **values)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def init_app(app: Flask) -> None:
    cache = app.extensions["lesmark_fragments"] = FragmentCache(app)
    # base.html: {{ shared_fragment("_site_links.html", endpoint=..., signed_in=...) }}
    app.jinja_env.globals["shared_fragment"] = cache.render_shared


def fragments() -> FragmentCache:
    return current_app.extensions["lesmark_fragments"]
