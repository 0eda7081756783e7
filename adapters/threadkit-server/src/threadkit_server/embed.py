"""``GET /embed.js`` and ``/embed.css``: the embed's script and look, on the server's Flask app.

The files and their headers are :mod:`threadkit_web.embed`'s, shared with the
other adapters; this module only routes them and makes Flask responses.
"""

from __future__ import annotations

from flask import Flask, Response, request
from threadkit_flask.problems import problem_response
from threadkit_web import embed

__all__ = ["embed_css", "embed_js", "install", "to_response"]


def to_response(answer: embed.EmbedAnswer) -> Response:
    """Return ``answer`` as a Flask response, its headers as given."""
    response = Response(answer.body, status=answer.status)
    response.headers.remove("Content-Type")  # set from the answer, or absent on a 304
    response.headers.update(answer.headers)
    return response


def _serve(name: str) -> Response:
    try:
        return to_response(embed.file_answer(name, request.headers.get("If-None-Match")))
    except FileNotFoundError:
        return problem_response(
            404, "not_found", f"This server has no {name}: reinstall threadkit-web."
        )


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
