"""Anti-CSRF tokens: one random secret per session, checked on every write.

Forms carry the token in a hidden ``csrf_token`` field; JSON writes carry it
in a header (``THREADKIT_CSRF_HEADER``, default ``X-Threadkit-CSRF``) and must
also be ``application/json``, which a cross-site HTML form cannot send. The
token lives in Flask's signed session, so no server-side state is needed.

A JSON write that authenticates with a bearer token and carries no session
cookie (a page on another origin, :mod:`threadkit_flask.bearer`) needs no
token: a browser never adds that header by itself.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from . import bearer
from .problems import HTTPProblem
from .web import current_request, flask_session

__all__ = ["FIELD", "SESSION_KEY", "check_header", "check_form", "token"]

SESSION_KEY = "threadkit_csrf"
"""Where the token is kept in the session."""

FIELD = "csrf_token"
"""The hidden form field that carries the token."""


def token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def _matches(given: str | None) -> bool:
    expected = flask_session().get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "replace"))


def _refuse() -> HTTPProblem:
    return HTTPProblem(
        403,
        "csrf_failed",
        "This form has expired or did not come from this site; reload the page and try again.",
        field=FIELD,
    )


def check_form() -> None:
    """Raise a 403 problem unless the posted form carries this session's token."""
    if not _matches(request.form.get(FIELD)):
        raise _refuse()


def check_header(header: str) -> None:
    """Raise a 403 problem unless the request carries this session's token in ``header``.

    A request authenticated by a bearer token alone passes (see the module docs).
    """
    if bearer.uses_bearer_only():
        return
    if not _matches(current_request().header(header)):
        raise _refuse()
