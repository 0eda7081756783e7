"""Bearer tokens on Flask: the token of the current request, for pages on other origins.

What a token holds, how it is sealed and checked, and who may get one are
:mod:`threadkit_web.bearer`'s; this module reads them off Flask's current
request. A request with ``Authorization: Bearer <token>`` and no session cookie
needs no CSRF token (a browser never adds that header by itself); a token that
is tampered with, expired or from another origin is a 401
``invalid_bearer_token``.
"""

from __future__ import annotations

from flask import current_app
from threadkit_web import bearer as web_bearer
from threadkit_web import cors
from threadkit_web.bearer import BearerClaims, issue_token

from .state import get_state
from .web import current_request

__all__ = [
    "BearerClaims",
    "bearer_claims",
    "has_bearer",
    "issue_token",
    "request_origin",
    "uses_bearer_only",
]


def request_origin() -> str:
    """Return the request's ``Origin`` header without a trailing slash (``""`` if none)."""
    return cors.request_origin(current_request())


def has_bearer() -> bool:
    """Whether the request carries an ``Authorization: Bearer`` header (valid or not)."""
    return current_request().has_bearer()


def uses_bearer_only() -> bool:
    """Whether the request authenticates with a token and carries no session cookie."""
    wrapped = current_request()
    if not wrapped.has_bearer():
        return False  # most requests: nothing more to look up
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return web_bearer.uses_bearer_only(get_state(), wrapped, cookie)


def bearer_claims() -> BearerClaims | None:
    """Return the claims of the request's bearer token; ``None`` without one (401 if bad)."""
    wrapped = current_request()
    if not wrapped.has_bearer():
        return None  # most requests: no state to look up
    return web_bearer.bearer_claims(get_state(), wrapped)
