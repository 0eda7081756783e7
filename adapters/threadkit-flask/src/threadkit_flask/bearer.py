"""Bearer tokens: who the reader is, for pages on other origins that cannot keep a cookie.

A page on another origin (the embed on a static site) cannot rely on the comment
server's cookie: Safari and Firefox block third-party cookies. It asks
``POST <prefix>/api/session`` for a token instead, keeps it in its own
``localStorage`` and sends it as ``Authorization: Bearer <token>``.

A token is sealed with the app's :class:`~threadkit_web.sealing.Sealer`
(encrypted and signed with the secret key, so nobody can read or forge one). It
holds the origin it was issued for, a random browser id (an anonymous author's
key, so they may edit within the window), the identity of a redirect login if
any, and when it was issued and expires (``THREADKIT_TOKEN_TTL``, 30 days).

A request with a token is answered only from that origin, and only if the origin
is on ``THREADKIT_CORS_ORIGINS``. A browser never attaches the header by itself,
so a request that authenticates this way (and carries no session cookie) needs
no CSRF token. A token that is tampered with, expired or from another origin is
a 401 ``invalid_bearer_token``: drop it and ask for a new one.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from typing import Any

import attrs
from flask import current_app, request
from threadkit_web.identities import identity_from_dict, identity_to_dict

from threadkit.models import Identity

from .problems import HTTPProblem
from .state import ThreadKitState, get_state

__all__ = [
    "BearerClaims",
    "bearer_claims",
    "has_bearer",
    "issue_token",
    "request_origin",
    "uses_bearer_only",
]

_VERSION = 1
_CACHE_KEY = "threadkit.bearer"


@attrs.frozen
class BearerClaims:
    """What a valid token says: its origin, browser id, login (if any) and lifetime (epoch s)."""

    origin: str
    browser: str
    identity: Identity | None
    issued_at: int
    expires_at: int


def request_origin() -> str:
    """Return the request's ``Origin`` header without a trailing slash (``""`` if none)."""
    origin = request.headers.get("Origin", "")
    return "" if origin == "null" else origin.rstrip("/")


def issue_token(
    state: ThreadKitState,
    origin: str,
    *,
    browser: str | None = None,
    identity: Identity | None = None,
) -> str:
    """Return a sealed token for ``origin``: a new random browser id unless one is given."""
    now = math.floor(state.clock.now().timestamp())
    ttl = math.floor(state.settings.token_ttl.total_seconds())
    payload: dict[str, Any] = {
        "v": _VERSION,
        "o": origin,
        "b": browser or secrets.token_urlsafe(18),
        "iat": now,
        "exp": now + ttl,
    }
    if identity is not None:
        payload["i"] = identity_to_dict(identity)
    return state.sealer.seal(payload)


def has_bearer() -> bool:
    """Whether the request carries an ``Authorization: Bearer`` header (valid or not)."""
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


def uses_bearer_only() -> bool:
    """Whether the request authenticates with a token and carries no session cookie.

    Such a request needs no CSRF token: a browser never sends the header on
    its own, and there is no cookie an attacker's page could ride on.
    """
    if not has_bearer():
        return False
    bearer_claims()  # a bad token is a 401, never a pass
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _refuse(detail: str) -> HTTPProblem:
    return HTTPProblem(401, "invalid_bearer_token", detail, field="Authorization")


def _open(raw: str, state: ThreadKitState) -> BearerClaims:
    value = state.sealer.open(raw)
    if not isinstance(value, Mapping) or value.get("v") != _VERSION:
        raise _refuse("This sign-in token is not valid; ask POST /api/session for a new one.")
    origin, browser = value.get("o"), value.get("b")
    issued, expires = value.get("iat"), value.get("exp")
    if not (
        isinstance(origin, str)
        and isinstance(browser, str)
        and browser
        and isinstance(issued, int)
        and isinstance(expires, int)
    ):
        raise _refuse("This sign-in token is not valid; ask POST /api/session for a new one.")
    if state.clock.now().timestamp() >= expires:
        raise _refuse("This sign-in token has expired; ask POST /api/session for a new one.")
    if origin != request_origin():
        raise _refuse(
            "This sign-in token was issued for another site; "
            "ask POST /api/session from this page for a new one."
        )
    identity = identity_from_dict(value.get("i"), state.providers)
    return BearerClaims(origin, browser, identity, issued, expires)


def bearer_claims() -> BearerClaims | None:
    """Return the claims of the request's bearer token; ``None`` without one.

    Raises a 401 ``invalid_bearer_token`` problem for a token that is
    tampered with, expired, or issued for another origin than the request's.
    """
    if not has_bearer():
        return None
    cached = request.environ.get(_CACHE_KEY)
    if isinstance(cached, BearerClaims):
        return cached
    _, _, raw = request.headers.get("Authorization", "").partition(" ")
    claims = _open(raw.strip(), get_state())
    request.environ[_CACHE_KEY] = claims
    return claims
