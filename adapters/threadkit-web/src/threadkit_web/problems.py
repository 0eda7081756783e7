"""Errors as ``application/problem+json`` (RFC 9457) with a stable ``code``, for any framework.

Every :class:`~threadkit.errors.ThreadkitError` already knows its code and HTTP
status (``http_status``, from the one table of codes, :data:`threadkit.codes.CODES`);
:func:`from_error` turns one into a :class:`Problem`: status, headers
(``Retry-After``) and the body, as bytes. A framework's own HTTP errors (413
request too large, 405 method not allowed, 400 bad request) get the same shape
through :func:`from_status`, with the table's code for their status
(``tests/test_error_codes.py`` checks :data:`HTTP_CODES` against the table).
The adapter only wraps a problem in its own response object.

>>> problem = from_error(HTTPProblem(415, "unsupported_media_type", "Send JSON."))
>>> problem.status, problem.content_type
(415, 'application/problem+json; charset=utf-8')
>>> problem.content()
b'{"code": "unsupported_media_type", "detail": "Send JSON.", "field": null, "status": 415, ...}'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import attrs

from threadkit.errors import RateLimitedError, StorageUnavailableError, ThreadkitError
from threadkit.serialization import shapes, to_public

from . import i18n

__all__ = [
    "HTTP_CODES",
    "PROBLEM_TYPE",
    "HTTPProblem",
    "Problem",
    "from_error",
    "from_status",
    "problem_body",
    "title",
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
"""The code of a problem made from a framework's HTTP error, by status (else ``http_error``)."""


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


def title(status: int) -> str:
    """Return the RFC 9110 reason phrase of ``status`` (``"Error"`` for an unknown one)."""
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
        shapes.Problem("about:blank", title(status), status, code, detail, field)
    )
    body.update(extra)
    return body


@attrs.frozen
class Problem:
    """One problem answer: its status, extra headers and body, ready for any response class."""

    status: int
    code: str
    detail: str
    field: str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    content_type = f"{PROBLEM_TYPE}; charset=utf-8"
    """The ``Content-Type`` header of every problem."""

    def body(self) -> dict[str, Any]:
        """Return the JSON object of this problem."""
        return problem_body(self.status, self.code, self.detail, field=self.field, **self.extra)

    def content(self) -> bytes:
        """Return the body as JSON bytes (keys sorted, as Flask's own JSON is)."""
        return json.dumps(self.body(), sort_keys=True).encode("utf-8")


def from_error(error: ThreadkitError, language: str = i18n.DEFAULT_LANGUAGE) -> Problem:
    """Return the problem for a core (or adapter) error, with ``Retry-After`` when it helps.

    ``detail`` is in the reader's ``language`` where the code has a reader's message
    (:data:`threadkit.codes.CODES`), as the HTML pages show it; the ``code`` never changes.
    """
    # The detail may be translated by the request's Accept-Language: a cache must key on it.
    headers: dict[str, str] = {"Vary": "Accept-Language"}
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
    detail = i18n.error_message(error, language)
    return Problem(error.http_status, error.code, detail, error.field, headers, extra)


def from_status(status: int, detail: str | None = None) -> Problem:
    """Return the problem for a framework's own HTTP error (``detail``: else its title)."""
    return Problem(status, HTTP_CODES.get(status, "http_error"), detail or title(status))
