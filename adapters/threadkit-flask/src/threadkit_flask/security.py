"""Response headers and cookie settings that keep the comment section safe.

* ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy with no
  inline script on every threadkit response and, by default, on every host
  page that renders a thread (the bundled JavaScript reads its settings from
  ``data-`` attributes, so it runs under that policy);
* a ``charset=utf-8`` on every text response;
* CORS for the JSON API, only for origins on the ``THREADKIT_CORS_ORIGINS``
  allowlist; with that list set, an API request from a page on any other
  origin (but the app's own) is a 403 ``origin_not_allowed`` that names the
  setting to change (``THREADKIT_ORIGIN_SETTING``);
* Flask's default session cookie made ``SameSite=Lax`` and, over https,
  ``Secure`` (it is ``HttpOnly`` by Flask's default).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from flask import Flask, Request, Response, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer
from threadkit_web import cors
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.sansio.http import parse_cookie
from werkzeug.sansio.request import Request as SansIORequest

from .session_signing import fast_serializer
from .web import current_request

__all__ = [
    "CORS_ALLOWED_HEADERS",
    "SESSION_INTERFACE_TYPES",
    "HardenedSessionInterface",
    "add_cors_headers",
    "add_security_headers",
    "check_origin",
]

CORS_ALLOWED_HEADERS = cors.CORS_ALLOWED_HEADERS
"""Request headers a cross-origin JSON API call may send (besides the CSRF header)."""


_WERKZEUG_COOKIES = SansIORequest.__dict__["cookies"]


class HardenedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session with safer cookie defaults.

    ``SameSite`` is ``Lax`` unless the app set ``SESSION_COOKIE_SAMESITE``;
    ``Secure`` is on when ``SESSION_COOKIE_SECURE`` says so or the request came
    over https.

    The signing serializer is built once per set of keys (Flask builds one
    for every read and every write of the cookie); a changed
    ``SECRET_KEY`` or ``SECRET_KEY_FALLBACKS`` builds a new one. With Flask's
    signing and payload format it is :func:`.session_signing.fast_serializer`:
    the same cookies, made and read with less work.
    """

    _serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return Flask's serializer for the app's current keys, reused while they stay the same."""
        if not app.secret_key:
            return None
        keys = (self.salt, *(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        cached = self._serializer
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = fast_serializer(self, list(keys[1:])) or super().get_signing_serializer(app)
        if serializer is not None:
            self._serializer = (keys, serializer)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the session as Flask does, the request's cookies parsed straight from the environ.

        Werkzeug gathers the ``Cookie`` header by walking every header of the
        environ; a WSGI environ holds at most one, ``HTTP_COOKIE``, so reading
        it gives the same text, parsed by the same function into
        ``request.cookies`` (a request class with its own ``cookies`` is asked).
        """
        if type(request).cookies is _WERKZEUG_COOKIES and "cookies" not in request.__dict__:
            cookies = parse_cookie(
                request.environ.get("HTTP_COOKIE", ""), request.dict_storage_class
            )
            request.cookies = cast(ImmutableMultiDict[str, str], cookies)  # the cached property
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save the session as Flask does, with ``Vary: Cookie`` added without a header parse.

        Flask adds ``Vary: Cookie`` through ``response.vary`` (the header parsed
        into a set and written back) before and after setting the cookie; a
        response with no ``Vary`` yet gets the same single header appended.
        """
        super().save_session(app, session, cast(Response, _VaryCookieFirst(response)))

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """Return the app's SameSite setting, ``"Lax"`` when it has none."""
        configured: str | None = app.config["SESSION_COOKIE_SAMESITE"]
        return configured or "Lax"

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return whether the cookie is https-only: configured so, or this request is https."""
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return has_request_context() and request.is_secure


class _CookieVary:
    """``response.vary`` for :meth:`HardenedSessionInterface.save_session`: ``add`` only."""

    __slots__ = ("_response",)

    def __init__(self, response: Response) -> None:
        self._response = response

    def add(self, value: str) -> None:
        """Add ``value`` to ``Vary``: appended as the whole header when there is none yet.

        A ``Vary`` that already is just ``value`` stays as it is, as the parsed
        set would leave it (Flask adds ``Cookie`` twice when it sets the cookie).
        """
        response = self._response
        # A scan, not ``in``: Werkzeug raises (and catches) an exception for a missing header.
        for name, current in response.headers:
            if name.lower() == "vary":  # the first one is what ``response.vary`` parses
                if current.lower() != value.lower():
                    response.vary.add(value)  # merged into what is there, as Flask does
                return
        response.headers.add("Vary", value)  # what the parsed, empty set would write back


class _VaryCookieFirst:
    """A response as Flask's ``save_session`` sees it: its own, but a cheaper ``vary``."""

    __slots__ = ("_response", "vary")

    def __init__(self, response: Response) -> None:
        self._response = response
        self.vary = _CookieVary(response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)


SESSION_INTERFACE_TYPES: tuple[type, ...] = (SecureCookieSessionInterface,)
"""Session interfaces threadkit may replace with :class:`HardenedSessionInterface`."""


def add_security_headers(response: Response, csp: str) -> None:
    """Add nosniff, the CSP, a referrer policy and a UTF-8 charset, unless already set."""
    headers = response.headers
    # One pass over what is set: Werkzeug raises (and catches) an exception for
    # each header a lookup does not find, and these are usually all missing.
    present: dict[str, str] = {}
    for name, value in headers:  # its (name, value) pairs, without a generator
        present.setdefault(name.lower(), value)
    if "x-content-type-options" not in present:
        headers.add("X-Content-Type-Options", "nosniff")
    if csp and "content-security-policy" not in present:
        headers.add("Content-Security-Policy", csp)
    if "referrer-policy" not in present:
        headers.add("Referrer-Policy", "same-origin")
    if "charset" in present.get("content-type", ""):
        return
    mimetype = response.mimetype or ""
    if mimetype.startswith("text/") or mimetype.endswith(("json", "+xml")):
        headers["Content-Type"] = f"{mimetype}; charset=utf-8"


def add_cors_headers(response: Response, allowed: frozenset[str], csrf_header: str) -> None:
    """Allow the request's origin to read ``response`` if it is on the allowlist."""
    response.vary.add("Origin")
    response.headers.update(cors.cors_headers(current_request(), allowed, csrf_header))


def check_origin(allowed: frozenset[str], own: Iterable[str], setting: str) -> None:
    """Raise a 403 problem if the request comes from a page on an origin not allowed.

    ``allowed`` is the CORS allowlist, ``own`` the app's own origins (always
    allowed); a request without an ``Origin`` header passes. ``setting`` is
    named in the message (:func:`threadkit_web.cors.check_origin`).
    """
    cors.check_origin(current_request(), allowed, own, setting)
