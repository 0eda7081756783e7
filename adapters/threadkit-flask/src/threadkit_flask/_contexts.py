"""The current app and request, read without Flask's proxies (the one place reading its internals).

Flask 3.1 keeps the request in its own context variable (``_cv_request``); Flask 3.2
merged the request context into the app context and dropped that variable, so
importing it would break the whole extension there. The proxies do the same
lookup with more steps; the hot path asks for the context several times a request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol, cast

from flask import Flask, Request, has_request_context
from flask.globals import _cv_app
from werkzeug.routing import MapAdapter

__all__ = ["RequestContext", "context_app", "request_context"]


class RequestContext(Protocol):
    """What threadkit reads of the context that holds a request."""

    @property
    def request(self) -> Request:
        """The request object itself."""

    @property
    def app(self) -> Flask:
        """The app serving it."""

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The request's URL adapter."""


_request_var: ContextVar[Any] | None
try:
    from flask.globals import _cv_request as _request_var
except ImportError:  # Flask 3.2: the app context holds the request
    _request_var = None


def request_context() -> RequestContext | None:
    """Return the context of the current request (``.request``, ``.app``, ``.url_adapter``).

    ``None`` outside a request, on every Flask version threadkit supports.
    """
    if _request_var is not None:
        return cast("RequestContext | None", _request_var.get(None))
    return cast(RequestContext, _cv_app.get()) if has_request_context() else None


def context_app() -> Flask | None:
    """Return the app of the current app context; ``None`` outside one."""
    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.app
