"""``GET /embed/i18n?lang=de``: the embed's strings in the host page's language.

The catalog and its headers are :mod:`threadkit_web.embed`'s
(:func:`~threadkit_web.embed.catalog_answer`), shared with the other adapters.
"""

from __future__ import annotations

from flask import Flask, Response, request
from threadkit_web import embed

from .embed import to_response

__all__ = ["install", "serve_catalog"]


def serve_catalog() -> Response:
    """Answer with the catalog of ``?lang=`` (English for a language threadkit does not ship)."""
    return to_response(embed.catalog_answer(request.args.get("lang")))


def install(app: Flask) -> None:
    """Add the ``/embed/i18n`` route."""
    app.add_url_rule("/embed/i18n", "embed_i18n", serve_catalog, methods=["GET"])
