"""Bearer tokens on Django: the token of a request, for pages on other origins.

What a token holds, how it is sealed and checked, and who may get one are
:mod:`threadkit_web.bearer`'s; this module reads them off a Django request. A
request with ``Authorization: Bearer <token>`` is the token's reader and nobody
else (Django's session and ``request.user`` are not read); with no session
cookie it needs no CSRF token, since a browser never adds that header by
itself. A token that is tampered with, expired or from another origin is a 401
``invalid_bearer_token``.
"""

from __future__ import annotations

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest
from threadkit_web import bearer as web_bearer
from threadkit_web.bearer import BearerClaims
from threadkit_web.request import WebRequest

from .state import get_state

__all__ = ["claims", "has_bearer", "uses_bearer_only"]


def _wrapped(request: HttpRequest) -> WebRequest:
    # Imported here: web imports visitors, which imports this module.
    from .web import visit_of

    return visit_of(request).request


def has_bearer(request: HttpRequest) -> bool:
    """Whether ``request`` carries an ``Authorization: Bearer`` header (valid or not)."""
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


def claims(request: HttpRequest) -> BearerClaims | None:
    """Return the claims of the request's bearer token; ``None`` without one (401 if bad)."""
    if not has_bearer(request):
        return None
    return web_bearer.bearer_claims(get_state().web, _wrapped(request))


def uses_bearer_only(request: HttpRequest) -> bool:
    """Whether ``request`` authenticates with a token and carries no session cookie."""
    if not has_bearer(request):
        return False
    cookie = django.conf.settings.SESSION_COOKIE_NAME
    return web_bearer.uses_bearer_only(get_state().web, _wrapped(request), cookie)
