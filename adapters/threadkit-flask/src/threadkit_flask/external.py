"""Absolute URLs (login callbacks, feed links, emailed links) built from configuration.

The origin comes from ``THREADKIT_BASE_URL``, else from Flask's
``SERVER_NAME`` with ``PREFERRED_URL_SCHEME``; never from the request's
``Host`` header, which any client can set (a spoofed host would otherwise
end up in an OAuth ``redirect_uri``, a cached feed or an email).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, url_for

from .problems import HTTPProblem
from .state import get_state

__all__ = ["absolute", "base_url", "external_url_for"]


def base_url(app: Flask | None = None) -> str:
    """Return the configured origin (``https://blog.example.org``), without a trailing slash.

    Raises a 500 problem that names the setting when neither
    ``THREADKIT_BASE_URL`` nor ``SERVER_NAME`` is configured.
    """
    target = app if app is not None else current_app
    configured = get_state(target).settings.base_url
    if configured:
        return configured
    server_name = target.config.get("SERVER_NAME")
    if server_name:
        scheme = target.config.get("PREFERRED_URL_SCHEME") or "http"
        return f"{scheme}://{server_name}".rstrip("/")
    raise HTTPProblem(
        500,
        "base_url_missing",
        "threadkit needs the site's address to build absolute links (login callbacks, "
        "feeds, emails) and never takes it from the request's Host header: set "
        "THREADKIT_BASE_URL (for example 'https://blog.example.org') or SERVER_NAME.",
    )


def external_url_for(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of ``endpoint`` on the configured origin."""
    origin = base_url()
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # No request to take the script root from: use the app's configured one.
        adapter = current_app.url_map.bind(
            urlsplit(origin).netloc,
            script_name=current_app.config.get("APPLICATION_ROOT") or "/",
            url_scheme=urlsplit(origin).scheme,
        )
        path = adapter.build(endpoint, values)
    return origin + path


def absolute(path: str) -> str:
    """Return ``path`` (starting with one ``/``) on the configured origin."""
    return base_url() + path
