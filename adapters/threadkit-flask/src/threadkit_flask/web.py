"""Flask's side of the shared web layer's contract: the request, URLs and visit it asks for.

:mod:`threadkit_web` never sees a Flask object; it reads a request through
:class:`~threadkit_web.request.WebRequest` and builds links through
:class:`~threadkit_web.request.Urls`. This module fits Flask's ``request`` and
``url_for`` to them, once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, cast

from flask import Request, request, session, url_for
from flask.sessions import SessionMixin
from threadkit_web import bearer as web_bearer

from ._contexts import request_context
from .id_urls import id_url

__all__ = ["FlaskRequest", "FlaskUrls", "current_request", "flask_request", "flask_session"]

_CACHE_KEY = "threadkit.web_request"
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_MAX_ENVIRON_KEYS = 256
# Header name -> its WSGI environ key: a request asks for the same few many times.
_ENVIRON_KEYS: dict[str, str] = {}


def _environ_key(name: str) -> str:
    """Return where a WSGI environ keeps header ``name`` (as Werkzeug's EnvironHeaders reads it)."""
    key = name.upper().replace("-", "_")
    return key if key in _UNPREFIXED else "HTTP_" + key


# Each attribute read through Flask's ``request`` / ``session`` proxies looks
# the context up again; a hot path takes the object once from these instead.
flask_request = cast(Callable[[], Request], request._get_current_object)  # type: ignore[attr-defined]
"""Return the current request object itself (not the proxy); outside a request, RuntimeError."""

flask_session = cast(Callable[[], SessionMixin], session._get_current_object)  # type: ignore[attr-defined]
"""Return the current session object itself (not the proxy); outside a request, RuntimeError."""


class FlaskRequest:
    """A Flask request as a :class:`~threadkit_web.request.WebRequest`."""

    __slots__ = ("_bearer", "_request")

    def __init__(self, flask_request: Request) -> None:
        self._request = flask_request
        self._bearer: bool | None = None

    def has_bearer(self) -> bool:
        """Return whether the request carries an ``Authorization: Bearer`` header (valid or not).

        Read once: a request asks whether it has one several times.
        """
        found = self._bearer
        if found is None:
            found = self._bearer = web_bearer.has_bearer(self)
        return found

    @property
    def method(self) -> str:
        """Return the HTTP method."""
        return self._request.method

    @property
    def path(self) -> str:
        """Return the path, without the query string."""
        return self._request.path

    @property
    def mimetype(self) -> str:
        """Return the body's media type without parameters."""
        return self._request.mimetype

    @property
    def remote_addr(self) -> str:
        """Return the client's address (``""`` if unknown)."""
        return self._request.remote_addr or ""

    @property
    def mimetype_params(self) -> Mapping[str, str]:
        """Return the parameters of the Content-Type."""
        return self._request.mimetype_params

    @property
    def scratch(self) -> MutableMapping[str, Any]:
        """Return the WSGI environ: it lives exactly as long as the request."""
        return self._request.environ

    def arg(self, name: str) -> str | None:
        """Return the first value of a query parameter."""
        return self._request.args.get(name)

    def arg_list(self, name: str) -> list[str]:
        """Return every value of a query parameter."""
        return self._request.args.getlist(name)

    def arg_items(self) -> list[tuple[str, str]]:
        """Return every query pair, in order."""
        return list(self._request.args.items(multi=True))

    def header(self, name: str) -> str | None:
        """Return a header's value (case-insensitive)."""
        # Werkzeug's EnvironHeaders lookup, without the exception it raises on a miss.
        key = _ENVIRON_KEYS.get(name)
        if key is None:
            key = _environ_key(name)
            if len(_ENVIRON_KEYS) < _MAX_ENVIRON_KEYS:  # names come from code and settings
                _ENVIRON_KEYS[name] = key
        return self._request.environ.get(key)

    def cookie(self, name: str) -> str | None:
        """Return a cookie's value."""
        return self._request.cookies.get(name)

    def body(self) -> bytes:
        """Return the body (already capped by :func:`threadkit_flask.inputs.read_body`)."""
        return self._request.get_data(cache=True)


class FlaskUrls:
    """``url_for`` on one blueprint's endpoints, as :class:`~threadkit_web.request.Urls`."""

    __slots__ = ("_blueprint",)

    def __init__(self, blueprint: str) -> None:
        self._blueprint = blueprint

    def url(self, name: str, /, **values: Any) -> str:
        """Return the URL of route ``name`` (a blueprint endpoint) with ``values``."""
        endpoint = f"{self._blueprint}.{name}"
        if len(values) == 1:
            ((key, value),) = values.items()
            if type(value) is str:
                return id_url(endpoint, key, value)  # a comment's URL: pasted, not built
        return url_for(endpoint, **values)


def current_request() -> FlaskRequest:
    """Return the current Flask request as a :class:`FlaskRequest` (one per request)."""
    ctx = request_context()
    # Outside a request the proxy raises Flask's own error.
    real = ctx.request if ctx is not None else flask_request()
    environ = real.environ
    found = environ.get(_CACHE_KEY)
    if isinstance(found, FlaskRequest):
        return found
    # The request object itself, not the proxy: the wrapper outlives no request.
    made = environ[_CACHE_KEY] = FlaskRequest(real)
    return made
