"""Where a form may send the browser next: only to a path on this site, never an open redirect."""

from __future__ import annotations

import re
from urllib.parse import unquote

from flask import request

MAX_NEXT_LENGTH = 2000
# One slash, then only the printable ASCII characters of a URL path and query (RFC 3986): no
# scheme, no host, no backslash, no spaces or control characters (browsers drop tabs and newlines,
# so "/\t/evil.example" would become "//evil.example"; CR LF would break the Location header).
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*\Z")


def is_local_path(target: str) -> bool:
    """True for a clean path on this site such as `/lessons/nl-l1/?x=1`, False for anything else."""
    if not target or len(target) > MAX_NEXT_LENGTH or not LOCAL_PATH.match(target):
        return False
    # percent-encoded control characters or slashes at the start are refused too
    decoded = unquote(target)
    return decoded.startswith("/") and not decoded.startswith(("//", "/\\")) and not any(
        ord(char) < 32 or ord(char) == 127 for char in decoded)


def local_next(default: str) -> str:
    """The `next` value of the request if it is a clean local path, else `default`."""
    target = request.args.get("next") or request.form.get("next") or ""
    return target if is_local_path(target) else default
