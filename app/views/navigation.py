"""Where a form may send the browser next: only to a path on this site, never an open redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def local_next(default: str) -> str:
    """The `next` value of the request if it is a local path, else `default`."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc or "\\" in target:
        return default
    return target
