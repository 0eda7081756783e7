"""The site's origin for absolute links (feeds, emailed data links).

``THREADKIT_BASE_URL`` when set (recommended: then a feed or an email never
depends on the request); else the request's own scheme and host, which
Django has checked against ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

from django.http import HttpRequest

from .state import get_state

__all__ = ["absolute", "base_url"]


def base_url(request: HttpRequest) -> str:
    """Return the origin (``https://blog.example.org``), without a trailing slash."""
    configured = get_state().web.settings.base_url
    if configured:
        return configured
    return request.build_absolute_uri("/").rstrip("/")


def absolute(request: HttpRequest, path: str) -> str:
    """Return ``path`` (from ``reverse``, starting with ``/``) on the site's origin."""
    return base_url(request) + path
