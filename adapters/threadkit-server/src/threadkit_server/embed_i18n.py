"""``GET /embed/i18n?lang=de``: the embed's strings in the host page's language.

``static/embed.js`` marks its strings as ``_("text")`` and
``ngettext("singular", "plural", n)``; Babel's JavaScript extractor reads them
from the script into the shared catalogs (``adapters/threadkit-web/babel.cfg``),
and this route reads the list from the script itself, so the two cannot drift.
The answer has the shape the Flask thread's ``data-tk-i18n`` has, plus the
writing direction: ``{"lang", "dir", "messages", "plurals"}``
(:func:`threadkit_web.i18n.script_catalog`). It is public (no cookie, no
token), the same for every site, and cacheable.
"""

from __future__ import annotations

import functools
import json

from babel.messages.extract import DEFAULT_KEYWORDS
from flask import Flask, Response, request
from threadkit_web import i18n

from .embed import MAX_AGE, STATIC

__all__ = ["embed_catalog", "embed_strings", "install"]


@functools.cache
def embed_strings() -> i18n.ScriptStrings:
    """Return the strings embed.js translates: plain ones and (singular, plural) pairs."""
    return i18n.script_strings(STATIC / "embed.js", DEFAULT_KEYWORDS)


@functools.cache
def embed_catalog(language: str) -> str:
    """Return the JSON catalog of embed.js for a shipped ``language`` (``"de"``, ``"pt_BR"``)."""
    data = i18n.script_catalog(language, embed_strings())
    data["dir"] = i18n.direction(language)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def serve_catalog() -> Response:
    """Answer with the catalog of ``?lang=`` (English for a language threadkit does not ship)."""
    language = i18n.match_language(request.args.get("lang")) or i18n.DEFAULT_LANGUAGE
    response = Response(embed_catalog(language), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # Public strings, read by every site's pages: no credentials, so any origin may.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Content-Language"] = i18n.html_lang(language)
    return response


def install(app: Flask) -> None:
    """Add the ``/embed/i18n`` route."""
    app.add_url_rule("/embed/i18n", "embed_i18n", serve_catalog, methods=["GET"])
