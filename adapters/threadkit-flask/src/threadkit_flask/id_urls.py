"""URLs that differ only by an id (a new comment's ``Location``): ``url_for`` once, then pasted.

``url_for`` walks Flask's and Werkzeug's layers for every call, although two
URLs of one route, built for the same kind of request, differ only by the id
in them. The first time a route is built for a request of a given shape
(script root, server name, subdomain, scheme, method), :class:`IdUrls` asks
``url_for`` with probe ids, keeps what comes before and after the id, and
checks that pasting other ids in gives what ``url_for`` gives; after that,
the URL is the two halves with the id between them.

It only ever pastes a plain id (ASCII digits, no leading zero) and only when
nothing else can change the answer: no ``url_defaults`` function anywhere in
the app, the stock ``Flask.url_for``, no build error handler. Anything else is ``url_for``'s, every
time, as is a route whose probes do not paste cleanly.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from ._contexts import request_context

__all__ = ["MAX_SHAPES", "id_url"]

MAX_SHAPES = 256
"""Request shapes remembered per app; past that they are forgotten and learned again.

The server name comes from the ``Host`` header and the script root can come
from a proxy's header: a client could make any number of them.
"""

_EXTENSION_KEY = "threadkit.id_urls"
# Probes: a long one to split at (it occurs once in a sane URL, which is checked), a
# short and a middling one to prove pasting works (a converter that pads, reformats or
# refuses an id shows up as a difference).
_SPLIT_PROBE = "31415926535897932"
_CHECK_PROBES = ("9", "2718281828")
_Halves = tuple[str, str] | None
_Shape = tuple[Any, ...]


def id_url(endpoint: str, name: str, value: str) -> str:
    """Return ``_built(endpoint, name, value)``, pasted when ``value`` is a plain id."""
    ctx = request_context()
    if (
        ctx is None
        or ctx.url_adapter is None
        or not (value.isascii() and value.isdigit())
        or value[0] == "0"
        or not _stock_building(ctx.app)
    ):
        return _built(endpoint, name, value)
    adapter = ctx.url_adapter
    shape = (
        endpoint,
        name,
        adapter.script_name,
        adapter.server_name,
        adapter.subdomain,
        adapter.url_scheme,
        adapter.default_method,
        adapter.websocket,
    )
    shapes: dict[_Shape, _Halves] = ctx.app.extensions.setdefault(_EXTENSION_KEY, {})
    try:
        halves = shapes[shape]
    except KeyError:
        halves = _learn(endpoint, name)
        if len(shapes) >= MAX_SHAPES:
            shapes.clear()
        shapes[shape] = halves
    if halves is None:
        return _built(endpoint, name, value)
    return halves[0] + value + halves[1]


def _built(endpoint: str, name: str, value: str) -> str:
    values: dict[str, Any] = {name: value}
    return url_for(endpoint, **values)


def _stock_building(app: Flask) -> bool:
    """Whether ``url_for`` is Flask's own and no ``url_defaults`` function may add values."""
    return (
        type(app).url_for is Flask.url_for
        and not any(app.url_default_functions.values())
        and not app.url_build_error_handlers  # one might answer for a probe
    )


def _learn(endpoint: str, name: str) -> _Halves:
    """Return the URL's text before and after the id, or ``None`` if pasting is not exact."""
    try:
        built = _built(endpoint, name, _SPLIT_PROBE)
        if built.count(_SPLIT_PROBE) != 1:
            return None
        before, _, after = built.partition(_SPLIT_PROBE)
        for probe in _CHECK_PROBES:
            if _built(endpoint, name, probe) != before + probe + after:
                return None
    except Exception:  # a converter that refuses a probe id: url_for every time
        return None
    return before, after
