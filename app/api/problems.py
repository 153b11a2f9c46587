"""RFC 9457 problem details: every 4xx/5xx under /api/ is `application/problem+json`, never a page."""

from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, *, errors: list[dict] | None = None,
            headers: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail or HTTP_STATUS_CODES.get(status, "Error"), "instance": request.path}
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages, path: str = "") -> list[dict]:
    """Marshmallow/webargs messages ({"json": {"answers": {"0": {"slot": [...]}}}}) as a flat list of
    {"field": "answers.0.slot", "message": "..."}; the location ("json", "query") is left out."""
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            name = str(key) if path or key not in ("json", "query", "form", "headers") else ""
            found += field_errors(value, f"{path}.{name}".strip(".") if name else path)
        return found
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return [{"field": path, "message": m} for m in messages]
    if isinstance(messages, list | tuple):
        return [e for m in messages for e in field_errors(m, path)]
    return [{"field": path, "message": str(messages)}]


def from_http_exception(error: HTTPException) -> Response:
    """An HTTPException (abort, an unknown route, 405, 413, 429, webargs' validation) as a problem."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if getattr(error, "valid_methods", None):  # 405 says what the address accepts
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="lesmark"')
    # 429: Flask-Limiter adds Retry-After and the X-RateLimit headers after the handler
    messages = data.get("errors") or data.get("messages")
    detail = data.get("message") or (error.description if status != 500 else None)
    if messages is not None:
        return problem(status, detail or "The request has invalid fields.", errors=field_errors(messages),
                       headers=headers)
    return problem(status, detail, headers=headers)
