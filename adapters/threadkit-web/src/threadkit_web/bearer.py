"""Bearer tokens: who the reader is, for pages on other origins that cannot keep a cookie.

A page on another origin (the embed on a static site) cannot rely on the comment
server's cookie: Safari and Firefox block third-party cookies. It asks
``POST <prefix>/api/session`` for a token instead (:func:`grant`), keeps it in its
own ``localStorage`` and sends it as ``Authorization: Bearer <token>``.

A token is sealed with the site's :class:`~threadkit_web.sealing.Sealer`
(encrypted and signed with the secret key, so nobody can read or forge one). It
holds the origin it was issued for, a random browser id (an anonymous author's
key, so they may edit within the window), the identity of a redirect login if
any, and when it was issued and expires (``THREADKIT_TOKEN_TTL``, 30 days).

A request with a token is answered only from that origin, and only if the origin
is on ``THREADKIT_CORS_ORIGINS``. A browser never attaches the header by itself,
so a request that authenticates this way (and carries no session cookie) needs
no CSRF token (:func:`uses_bearer_only`). A token that is tampered with, expired
or from another origin is a 401 ``invalid_bearer_token``: drop it and ask for a
new one. Every function takes the adapter's
:class:`~threadkit_web.request.WebRequest`; nothing here knows a framework.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from typing import Any

import attrs

from threadkit.models import Identity
from threadkit.serialization import shapes

from . import api
from .cors import request_origin
from .identities import identity_from_dict, identity_to_dict
from .problems import HTTPProblem
from .request import Visit, WebRequest
from .state import WebState

__all__ = [
    "BearerClaims",
    "bearer_claims",
    "grant",
    "has_bearer",
    "issue_token",
    "session_answer",
    "token_origin",
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


def issue_token(
    state: WebState,
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


def has_bearer(request: WebRequest) -> bool:
    """Whether the request carries an ``Authorization: Bearer`` header (valid or not)."""
    scheme, _, _ = (request.header("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer"


def uses_bearer_only(state: WebState, request: WebRequest, session_cookie: str) -> bool:
    """Whether the request authenticates with a token and carries no session cookie.

    Such a request needs no CSRF token: a browser never sends the header on
    its own, and there is no cookie (named ``session_cookie``) an attacker's
    page could ride on. A bad token is a 401, never a pass.
    """
    if not has_bearer(request):
        return False
    bearer_claims(state, request)
    return request.cookie(session_cookie) is None


def _refuse(detail: str) -> HTTPProblem:
    return HTTPProblem(401, "invalid_bearer_token", detail, field="Authorization")


_INVALID = "This sign-in token is not valid; ask POST /api/session for a new one."


def _open(state: WebState, raw: str, origin: str) -> BearerClaims:
    value = state.sealer.open(raw)
    if not isinstance(value, Mapping) or value.get("v") != _VERSION:
        raise _refuse(_INVALID)
    token_origin, browser = value.get("o"), value.get("b")
    issued, expires = value.get("iat"), value.get("exp")
    if not (
        isinstance(token_origin, str)
        and isinstance(browser, str)
        and browser
        and isinstance(issued, int)
        and isinstance(expires, int)
    ):
        raise _refuse(_INVALID)
    if state.clock.now().timestamp() >= expires:
        raise _refuse("This sign-in token has expired; ask POST /api/session for a new one.")
    if token_origin != origin:
        raise _refuse(
            "This sign-in token was issued for another site; "
            "ask POST /api/session from this page for a new one."
        )
    identity = identity_from_dict(value.get("i"), state.providers)
    return BearerClaims(token_origin, browser, identity, issued, expires)


def bearer_claims(state: WebState, request: WebRequest) -> BearerClaims | None:
    """Return the claims of the request's bearer token; ``None`` without one.

    Raises a 401 ``invalid_bearer_token`` problem for a token that is
    tampered with, expired, or issued for another origin than the request's.
    Opened once per request (kept in ``request.scratch``).
    """
    if not has_bearer(request):
        return None
    cached = request.scratch.get(_CACHE_KEY)
    if isinstance(cached, BearerClaims):
        return cached
    _, _, raw = (request.header("Authorization") or "").partition(" ")
    claims = _open(state, raw.strip(), request_origin(request))
    request.scratch[_CACHE_KEY] = claims
    return claims


def token_origin(state: WebState, request: WebRequest) -> str:
    """Return the origin of the page asking for a token; a 403 naming the setting if unlisted."""
    origin = request_origin(request)
    if not origin or origin not in state.settings.cors_origins:
        raise HTTPProblem(
            403,
            "origin_not_allowed",
            f"Only pages on the origins listed in {state.settings.origin_setting} get a "
            "sign-in token; add this page's origin there.",
            field="Origin",
        )
    return origin


def grant(state: WebState, request: WebRequest) -> tuple[str, Identity | None]:
    """Answer ``POST /api/session``: a token for the calling page's origin, and its login.

    A request that already carries a valid token renews it (same browser id,
    same login); any other gets a new anonymous one. Nothing of a cookie
    session is read. A page on an origin not on ``THREADKIT_CORS_ORIGINS`` gets
    a 403 that names the setting (:func:`token_origin`, which an adapter may
    call first, before it reads the body).
    """
    origin = token_origin(state, request)
    old = bearer_claims(state, request)
    browser = old.browser if old is not None else None
    identity = old.identity if old is not None else None
    return issue_token(state, origin, browser=browser, identity=identity), identity


def session_answer(
    state: WebState, visit: Visit, token: str, identity: Identity | None
) -> shapes.SessionToken:
    """Return the answer that hands ``token`` (of ``identity``, or anonymous) to another origin.

    Its ``csrf_token`` is empty: a bearer-token request needs none.
    """
    return shapes.SessionToken(token, api.me_shape(state, visit, identity, identity, ""))
