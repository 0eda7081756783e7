"""Errors as ``application/problem+json`` Flask responses.

What a problem says (status, code, title, ``Retry-After``...) is the shared web
layer's (:mod:`threadkit_web.problems`); this module wraps it in a Flask
``Response`` and reads Werkzeug's HTTP errors (413, 405, 400...).

A problem body looks like::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "code": "required", "detail": "Please write a comment.", "field": "body"}
"""

from __future__ import annotations

from typing import Any

from flask import Response
from threadkit_web.problems import (
    HTTP_CODES,
    PROBLEM_TYPE,
    HTTPProblem,
    Problem,
    from_error,
    from_status,
    problem_body,
)
from werkzeug.exceptions import HTTPException

from threadkit.errors import ThreadkitError

from .i18n import current_locale

__all__ = [
    "HTTP_CODES",
    "PROBLEM_TYPE",
    "HTTPProblem",
    "from_http_exception",
    "from_threadkit_error",
    "problem_body",
    "problem_response",
    "respond",
]


def respond(problem: Problem) -> Response:
    """Return ``problem`` as a Flask response."""
    response = Response(problem.content(), status=problem.status)
    response.headers["Content-Type"] = problem.content_type
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


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
    return respond(Problem(status, code, detail, field, headers or {}, extra))


def from_threadkit_error(error: ThreadkitError) -> Response:
    """Return the problem response for a core (or adapter) error, in the reader's language."""
    return respond(from_error(error, current_locale()))


def from_http_exception(error: HTTPException) -> Response:
    """Return the problem response for a Werkzeug HTTP error (413, 405, 400 ...)."""
    response = respond(from_status(error.code or 500, error.description))
    if error.code == 405:
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    return response
