"""Who is asking, per request: the Django user, else this browser's anonymous identity.

A logged-in Django user (or another session provider) comments as themselves.
A visitor who posts through the anonymous form gets a random browser id kept
in Django's session, so they may edit and delete their own comments within
the edit window and nobody else can. What they typed (name, email, website)
is remembered in the session to fill the form in next time: Django's default
session backend keeps it on the server, never in the cookie.

A social login (a redirect provider, :mod:`threadkit_django.views_auth`) is kept
in the session too, sealed; a logged-in Django user wins over it. A request with
``Authorization: Bearer <token>`` (a page on another origin,
:mod:`threadkit_django.bearer`) is the token's reader and nobody else: its login
or its anonymous browser id; the session is neither read nor written.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.http import HttpRequest
from threadkit_web.login import remembered_login

from threadkit.models import Identity

from . import bearer
from .identity import user_moderates
from .state import get_state

__all__ = [
    "AUTHOR_KEY",
    "BROWSER_KEY",
    "browser_id",
    "is_moderator",
    "logged_in_identity",
    "remember_author",
    "remembered_author",
]

BROWSER_KEY = "threadkit_browser"
"""Session key of the random browser id."""

AUTHOR_KEY = "threadkit_author"
"""Session key of the name / email / website an anonymous commenter last typed."""

_FIELDS = ("name", "email", "url")


def browser_id(request: HttpRequest, *, create: bool = False) -> str | None:
    """Return this browser's random id, creating it in the session if asked."""
    claims = bearer.claims(request)
    if claims is not None:
        return claims.browser
    value = request.session.get(BROWSER_KEY)
    if isinstance(value, str) and value:
        return value
    if not create:
        return None
    value = secrets.token_urlsafe(18)
    request.session[BROWSER_KEY] = value
    return value


def logged_in_identity(request: HttpRequest) -> Identity | None:
    """Return the Django user's identity (or another session provider's), else a social login's."""
    claims = bearer.claims(request)
    if claims is not None:
        return claims.identity
    web = get_state().web
    for provider in web.session_providers():
        found = provider.current(request)
        if found is not None:
            return found
    return remembered_login(web, request.session)


def remembered_author(request: HttpRequest) -> dict[str, str]:
    """Return the name / email / website this browser last typed (the form's initial values)."""
    if bearer.has_bearer(request):
        return {}  # the page on the other origin remembers them itself
    value = request.session.get(AUTHOR_KEY)
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k in _FIELDS and isinstance(v, str)}


def remember_author(request: HttpRequest, fields: Mapping[str, str]) -> None:
    """Remember an anonymous commenter's cleaned details (written only when they changed)."""
    if bearer.has_bearer(request):
        return
    value = {key: fields[key] for key in _FIELDS if fields.get(key)}
    if remembered_author(request) != value:
        request.session[AUTHOR_KEY] = value


def is_moderator(request: HttpRequest) -> bool:
    """Whether the reader moderates: the Django permission, or staff (see the settings)."""
    state = get_state()
    claims = bearer.claims(request)
    if claims is not None:
        return state.web.is_moderator(claims.identity)
    settings = state.settings
    return user_moderates(
        getattr(request, "user", None),
        settings.moderate_permission,
        staff=settings.staff_moderate,
    )


