"""The lessons' images, served from the database as data, never as active content.

`/media/<course folder>/<name>?v=<hash8>`: the hash in the URL (written by the renderer) lets a
browser keep the file for a year; without it, or with an old one, the file must be revalidated
(ETag). SVG gets a CSP that forbids scripts and every outside load, so even a file opened
directly cannot run anything."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from ..content.media import NAME_PATTERN
from ..services import media as media_service

bp = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"


@bp.get("/media/<slug:course>/<name>")
def file(course: str, name: str):
    if not NAME_PATTERN.match(name):
        abort(404)
    media = media_service.media_file(course, name)
    if media is None:
        abort(404)
    response = Response(media.data)
    response.headers["Content-Type"] = media.content_type  # exactly, without a charset
    response.set_etag(media.sha256)
    version = request.args.get("v")
    response.headers["Cache-Control"] = IMMUTABLE if version == media.sha256[:8] else REVALIDATE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if media.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response.make_conditional(request)
