"""Which pages on other origins may use the JSON API, and the CORS headers that let them read it.

Only origins on ``THREADKIT_CORS_ORIGINS`` (:attr:`Settings.cors_origins
<threadkit_web.settings.Settings.cors_origins>`) are let in: an API request
from a page on any other origin (but the site's own) is a 403
``origin_not_allowed`` that names the setting to change (``origin_setting``),
and only an allowed origin gets ``Access-Control-Allow-Origin``. The adapter
calls these with its request (a :class:`~threadkit_web.request.WebRequest`)
and copies the headers onto its response.

>>> class Asking:
...     method = "OPTIONS"
...     def header(self, name):
...         return {"Origin": "https://blog.example"}.get(name)
>>> headers = cors_headers(Asking(), frozenset({"https://blog.example"}), "X-Threadkit-CSRF")
>>> headers["Access-Control-Allow-Origin"], headers["Access-Control-Max-Age"]
('https://blog.example', '600')
>>> cors_headers(Asking(), frozenset(), "X-Threadkit-CSRF")
{}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from .problems import HTTPProblem

__all__ = [
    "CORS_ALLOWED_HEADERS",
    "check_origin",
    "cors_headers",
    "request_origin",
]

CORS_ALLOWED_HEADERS = "Content-Type, Authorization, Idempotency-Key"
"""Request headers a cross-origin JSON API call may send (besides the CSRF header)."""


class _Headers(Protocol):
    """The part of a :class:`~threadkit_web.request.WebRequest` these rules read."""

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        ...

    def header(self, name: str) -> str | None:
        """Return the value of header ``name``, or ``None``."""
        ...


def request_origin(request: _Headers) -> str:
    """Return the request's ``Origin`` without a trailing slash (``""`` if none or ``null``)."""
    origin = request.header("Origin") or ""
    return "" if origin == "null" else origin.rstrip("/")


def cors_headers(request: _Headers, allowed: frozenset[str], csrf_header: str) -> dict[str, str]:
    """Return the headers that let the request's origin read the answer; ``{}`` if not allowed.

    The answer always varies by ``Origin``: the adapter adds ``Vary: Origin``
    itself (each framework merges ``Vary`` its own way).
    """
    origin = request.header("Origin")
    if not origin or origin.rstrip("/") not in allowed:
        return {}
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "Location, Retry-After",
    }
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, PUT, DELETE"
        headers["Access-Control-Allow-Headers"] = f"{CORS_ALLOWED_HEADERS}, {csrf_header}"
        headers["Access-Control-Max-Age"] = "600"
    return headers


def check_origin(
    request: _Headers, allowed: frozenset[str], own: Iterable[str], setting: str
) -> None:
    """Raise a 403 problem if the request comes from a page on an origin not allowed.

    ``allowed`` is the CORS allowlist, ``own`` the site's own origins (always
    allowed); a request without an ``Origin`` header passes. ``setting`` is
    named in the message, so the site owner knows what to change.
    """
    origin = (request.header("Origin") or "").rstrip("/")
    if not origin or origin in allowed or origin in own:
        return
    raise HTTPProblem(
        403,
        "origin_not_allowed",
        f"Pages on {origin} may not use these comments: add that origin to {setting} "
        "(only the sites listed there may show and post comments).",
        field="Origin",
    )
