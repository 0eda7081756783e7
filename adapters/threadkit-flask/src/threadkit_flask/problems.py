"""Errors as ``application/problem+json`` (RFC 9457) with a stable ``code``.

Every :class:`~threadkit.errors.ThreadkitError` already knows its code and HTTP
status (``http_status``, from the one table of codes, :data:`threadkit.codes.CODES`);
this module only writes them out. HTTP errors raised by Flask or Werkzeug
inside the extension's routes (413 request too large, 405 method not allowed,
400 bad request) get the same shape, with the table's code for their status
(``tests/test_error_codes.py`` checks :data:`HTTP_CODES` against the table).

A problem body looks like::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "code": "required", "detail": "Please write a comment.", "field": "body"}
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException

from threadkit.errors import RateLimitedError, StorageUnavailableError, ThreadkitError
from threadkit.serialization import shapes, to_public

__all__ = [
    "HTTP_CODES",
    "PROBLEM_TYPE",
    "HTTPProblem",
    "from_http_exception",
    "from_threadkit_error",
    "problem_body",
    "problem_response",
]

PROBLEM_TYPE = "application/problem+json"
"""The media type of every error body the JSON API sends."""

HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "storage_unavailable",
}
"""The code of a problem made from a Werkzeug HTTP error, by status (else ``http_error``)."""


class HTTPProblem(ThreadkitError):
    """An HTTP-level problem the adapter itself detects (wrong media type, bad CSRF token).

    Unlike the core's errors its status is chosen per instance.
    """

    def __init__(self, status: int, code: str, message: str = "", *, field: str | None = None):
        super().__init__(code, message, field=field)
        self.http_status = status


# RFC 9110's names, which Python only uses from 3.13 on: a title must not depend on
# the Python version a site runs.
_RFC_9110_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _title(status: int) -> str:
    if status in _RFC_9110_TITLES:
        return _RFC_9110_TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int, code: str, detail: str, *, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Return the JSON object of one problem: the ``Problem`` shape, then any ``extra`` keys.

    The shape is defined in :mod:`threadkit.serialization.shapes`, like every other.
    """
    body: dict[str, Any] = to_public(
        shapes.Problem("about:blank", _title(status), status, code, detail, field)
    )
    body.update(extra)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Return a ``problem+json`` response."""
    payload = json.dumps(problem_body(status, code, detail, field=field, **extra))
    response = Response(payload, status=status, mimetype=PROBLEM_TYPE)
    response.headers["Content-Type"] = f"{PROBLEM_TYPE}; charset=utf-8"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_threadkit_error(error: ThreadkitError) -> Response:
    """Return the problem response for a core (or adapter) error."""
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, RateLimitedError):
        seconds = max(1, math.ceil(error.retry_after))
        headers["Retry-After"] = str(seconds)
        extra["retry_after"] = seconds
    elif isinstance(error, StorageUnavailableError):
        headers["Retry-After"] = "5"
    reasons = getattr(error, "reasons", ())
    if reasons:
        extra["reasons"] = [to_public(reason) for reason in reasons]
    return problem_response(
        error.http_status,
        error.code,
        error.message,
        field=error.field,
        headers=headers,
        **extra,
    )


def from_http_exception(error: HTTPException) -> Response:
    """Return the problem response for a Werkzeug HTTP error (413, 405, 400 ...)."""
    status = error.code or 500
    code = HTTP_CODES.get(status, "http_error")
    detail = error.description or _title(status)
    response = problem_response(status, code, detail)
    if status == 405:
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    return response
