"""The per-app state in ``app.extensions["threadkit"]``, built by :mod:`threadkit_web.state`."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import Flask, current_app
from threadkit_web.state import ModeratorCheck, WebState

from ._contexts import context_app

__all__ = ["EXTENSION_KEY", "ModeratorCheck", "ThreadKitState", "get_state"]

EXTENSION_KEY = "threadkit"
"""The key of this extension in ``app.extensions``."""

# The proxy's own lookup, bound once: every request asks for the state a dozen
# times, and each attribute read through ``current_app`` is a proxy round trip.
_current_app = cast(Callable[[], Flask], current_app._get_current_object)  # type: ignore[attr-defined]

ThreadKitState = WebState
"""The state of one app: the shared web layer's :class:`~threadkit_web.state.WebState`."""


def get_state(app: Flask | None = None) -> ThreadKitState:
    """Return the threadkit state of ``app`` (default: the current app)."""
    # Outside an app context the proxy raises Flask's own error.
    target = app if app is not None else context_app() or _current_app()
    try:
        state = target.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "threadkit is not set up on this app; call ThreadKit(app) or ext.init_app(app)"
        ) from None
    return cast(ThreadKitState, state)
