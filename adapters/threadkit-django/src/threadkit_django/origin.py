"""The site's origin for absolute links (feeds, emailed data links, login callbacks).

``THREADKIT_BASE_URL`` when set (recommended: then a feed or an email never
depends on the request); else the request's own scheme and host, which
Django has checked against ``ALLOWED_HOSTS``. With ``"*"`` there any client
could pick the host a mailed link or a cached feed points at, so the setting
is then required (a 500 ``base_url_missing`` that names it).
"""

from __future__ import annotations

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest
from threadkit_web.problems import HTTPProblem

from .state import get_state

__all__ = ["absolute", "base_url"]


def base_url(request: HttpRequest) -> str:
    """Return the origin (``https://blog.example.org``), without a trailing slash."""
    configured = get_state().web.settings.base_url
    if configured:
        return configured
    if "*" in django.conf.settings.ALLOWED_HOSTS:
        raise HTTPProblem(
            500,
            "base_url_missing",
            "threadkit builds absolute links (feeds, emailed links, login callbacks) on the "
            "site's address and ALLOWED_HOSTS accepts any host: set THREADKIT_BASE_URL (for "
            "example 'https://blog.example.org').",
        )
    return request.build_absolute_uri("/").rstrip("/")


def absolute(request: HttpRequest, path: str) -> str:
    """Return ``path`` (from ``reverse``, starting with ``/``) on the site's origin."""
    return base_url(request) + path
