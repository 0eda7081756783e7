"""The Isso API's HTTP rules: origins and CORS, its CSRF rule, errors, the ``isso-<id>`` cookie.

Isso's client posts from the page's origin with ``XMLHttpRequest``,
credentials included, always with ``Content-Type: application/json``: that
header forces a CORS preflight, which is Isso's (and so this API's) defence
against forged posts. A write with another content type is refused (403
``csrf_failed``); a page on an origin not listed is refused (403
``origin_not_allowed``).

Errors are threadkit's ``application/problem+json`` with Isso's status codes:
a bad input is 400 (threadkit: 422), anything the reader may not do is 403
(closed thread, edit window over, not the author, refused by moderation), a
missing comment 404, too many votes or posts 429.
"""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus

from flask import Response, request
from threadkit_flask import get_state
from threadkit_flask.inputs import read_body
from threadkit_flask.problems import HTTPProblem, from_threadkit_error
from threadkit_flask.security import check_origin

from threadkit.errors import (
    AuthenticationRequiredError,
    ConflictError,
    PermissionDeniedError,
    RateLimitedError,
    RejectedError,
    ThreadkitError,
    ValidationError,
)
from threadkit.limits import request_cap

__all__ = [
    "EXPOSED_HEADERS",
    "answer",
    "check_request",
    "cors",
    "drop_cookie",
    "isso_error",
    "issue_cookie",
    "json_value",
]

EXPOSED_HEADERS = "X-Set-Cookie, Date"
"""What the client reads from an answer: its edit cookie and the server's clock."""

_WRITES = frozenset({"POST", "PUT", "DELETE"})


def check_request() -> None:
    """Refuse pages on unlisted origins, and writes that are not sent as JSON (Isso's CSRF rule)."""
    settings = get_state().settings
    if settings.cors_origins:
        own = {request.host_url.rstrip("/"), settings.base_url or ""}
        check_origin(settings.cors_origins, own, settings.origin_setting)
    writes_other_type = request.content_type and request.mimetype != "application/json"
    if request.method in _WRITES and writes_other_type:
        raise HTTPProblem(
            403,
            "csrf_failed",
            "Send Isso API writes with Content-Type: application/json (Isso's own client does).",
            field="Content-Type",
        )


def cors(response: Response) -> Response:
    """Let a listed page read the answer with credentials, and its edit cookie header."""
    settings = get_state().settings
    origin = request.headers.get("Origin", "").rstrip("/")
    response.vary.add("Origin")
    if origin and origin in settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
    return response


def isso_status(error: ThreadkitError) -> int:
    """Return the status Isso answers ``error``'s case with."""
    if isinstance(error, HTTPProblem):
        return error.http_status
    if isinstance(error, RateLimitedError):
        return 429
    if isinstance(error, ValidationError):
        return 400
    if isinstance(
        error, RejectedError | ConflictError | PermissionDeniedError | AuthenticationRequiredError
    ):
        return 403
    return error.http_status


def isso_error(error: ThreadkitError) -> Response:
    """Return threadkit's problem answer for ``error``, with Isso's status code."""
    response = from_threadkit_error(error)
    status = isso_status(error)
    if status != response.status_code:
        body = json.loads(response.get_data())
        body["status"] = status
        body["title"] = HTTPStatus(status).phrase
        response.set_data(json.dumps(body))
        response.status_code = status
    return response


def json_value() -> object:
    """Return the request's JSON body (any JSON value), within the request cap."""
    # Chunked bodies too: read_body refuses one over the cap instead of reading it all.
    read_body(get_state().settings.max_body_bytes or request_cap())
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError("invalid_utf8", "The body is not UTF-8.", field="$") from None
    except ValueError:
        raise ValidationError("invalid_json", "The body is not JSON.", field="$") from None


def answer(payload: object, status: int = 200) -> Response:
    """Return ``payload`` as Isso's JSON answer."""
    response = Response(json.dumps(payload), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _cookie(comment_id: int, value: str, max_age: int) -> str:
    secure = "; Secure; SameSite=None" if request.is_secure else "; SameSite=Lax"
    return f"isso-{comment_id}={value}; Max-Age={max_age}; Path=/{secure}"


def issue_cookie(response: Response, comment_id: int, window: timedelta) -> None:
    """Tell the client it may edit ``comment_id`` for ``window`` (it shows the buttons).

    The cookie only drives the client's display: the right to edit is
    threadkit's (the author's browser id, within the edit window).
    """
    response.headers["X-Set-Cookie"] = _cookie(
        comment_id, str(comment_id), int(window.total_seconds())
    )


def drop_cookie(response: Response, comment_id: int) -> None:
    """Tell the client to forget its edit cookie of ``comment_id``."""
    response.headers["X-Set-Cookie"] = _cookie(comment_id, "", 0)
