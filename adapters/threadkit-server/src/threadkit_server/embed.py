"""``GET /embed.js``: the one script a site adds to its pages (and ``/embed.css``, its look).

The files are ``static/embed.js`` and ``static/embed.css`` of this package. They
are served with an ETag and a short cache lifetime (one hour, then a cheap
revalidation), because their URLs carry no version: a new release must reach
readers the same day. A ``<script>`` or ``<link>`` tag needs no CORS.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from threadkit_flask.problems import problem_response

__all__ = ["MAX_AGE", "STATIC", "install"]

STATIC = Path(__file__).parent / "static"
"""Where the embed script and stylesheet are."""

_TYPES = {"embed.js": "text/javascript", "embed.css": "text/css"}

MAX_AGE = 3600
"""Seconds a browser may use its copy before revalidating it."""


def _serve(name: str) -> Response:
    path = STATIC / name
    if not path.is_file():
        return problem_response(
            404, "not_found", f"This server has no {name}: reinstall threadkit-server."
        )
    data = path.read_bytes()  # small; read whole, so no file is left open by a 304
    response = Response(data, mimetype=_TYPES[name])
    response.headers["Content-Type"] = f"{_TYPES[name]}; charset=utf-8"
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # The script is loaded by other sites' pages: let them, whatever the server's CORP.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.make_conditional(request)  # a 304 when the ETag matches
    return response


def embed_js() -> Response:
    """Serve the embed script."""
    return _serve("embed.js")


def embed_css() -> Response:
    """Serve the embed's stylesheet."""
    return _serve("embed.css")


def install(app: Flask) -> None:
    """Add the ``/embed.js`` and ``/embed.css`` routes."""
    app.add_url_rule("/embed.js", "embed_js", embed_js, methods=["GET"])
    app.add_url_rule("/embed.css", "embed_css", embed_css, methods=["GET"])
