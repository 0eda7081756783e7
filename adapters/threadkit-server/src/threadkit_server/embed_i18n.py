"""``GET /embed/i18n?lang=de``: the embed's strings in the host page's language.

``static/embed.js`` marks its strings as ``_("text")`` and
``ngettext("singular", "plural", n)``; Babel's JavaScript extractor reads them
from the script into the shared catalogs (``adapters/threadkit-web/babel.cfg``),
and this route reads the list from the script itself, so the two cannot drift.
The answer has the shape the Flask thread's ``data-tk-i18n`` has:
``{"lang", "messages": {English: translated}, "plurals": {singular: {CLDR category: form}}}``.
It is public (no cookie, no token), the same for every site, and cacheable.
"""

from __future__ import annotations

import functools
import json

from babel.core import Locale
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from flask import Flask, Response, request
from threadkit_flask import i18n

from .embed import MAX_AGE, STATIC

__all__ = ["embed_catalog", "embed_strings", "install"]

# Counts that, between them, reach every CLDR plural category of the shipped languages.
_SAMPLE_COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102, 1000000)


@functools.cache
def embed_strings() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Return the strings embed.js translates: plain ones and (singular, plural) pairs."""
    plain: list[str] = []
    plural: list[tuple[str, str]] = []
    with (STATIC / "embed.js").open("rb") as handle:
        for _line, message, _comments, _context in extract("javascript", handle, DEFAULT_KEYWORDS):
            if isinstance(message, str):
                plain.append(message)
            else:
                plural.append((str(message[0]), str(message[1])))
    return tuple(dict.fromkeys(plain)), tuple(dict.fromkeys(plural))


@functools.cache
def embed_catalog(language: str) -> str:
    """Return the JSON catalog of embed.js for a shipped ``language`` (``"de"``, ``"pt_BR"``)."""
    catalog = i18n.translations(language)
    locale = Locale.parse(language)
    plain, pairs = embed_strings()
    plurals: dict[str, dict[str, str]] = {}
    for singular, plural in pairs:
        forms = plurals.setdefault(singular, {})
        for count in _SAMPLE_COUNTS:
            forms.setdefault(locale.plural_form(count), catalog.ngettext(singular, plural, count))
    data = {
        "lang": i18n.html_lang(language),
        "dir": i18n.direction(language),
        "messages": {text: catalog.gettext(text) for text in plain},
        "plurals": plurals,
    }
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
