"""The embed (``embed.js``, ``embed.css``, ``/embed/i18n``), served the same by every adapter.

A site adds one tag, ``<script src=".../embed.js" data-thread="post-42" async>``,
and the script shows the thread from the server it was loaded from. The files
are ``embed.js`` and ``embed.css`` of :data:`threadkit_web.assets.STATIC`. This
module holds what does not depend on the web framework: the bytes, their ETag,
the headers, and the script's catalog; each adapter turns an
:class:`EmbedAnswer` into its own response.

The files are served with an ETag and a short cache lifetime (one hour, then a
cheap revalidation), because their URLs carry no version: a new release must
reach readers the same day. A ``<script>`` or ``<link>`` tag needs no CORS.

``embed.js`` marks its strings as ``_("text")`` and ``ngettext("singular",
"plural", n)``; Babel's JavaScript extractor reads them from the script into the
shared catalogs (``adapters/threadkit-web/babel.cfg``), and the catalog route
reads the list from the script itself, so the two cannot drift. Its answer has
the shape of the thread's ``data-tk-i18n``, plus the writing direction:
``{"lang", "dir", "messages", "plurals"}`` (:func:`threadkit_web.i18n.script_catalog`).
It is public (no cookie, no token), the same for every site, and cacheable.
"""

from __future__ import annotations

import functools
import hashlib
import json

import attrs
from babel.messages.extract import DEFAULT_KEYWORDS

from . import i18n
from .assets import STATIC
from .page_cache import etag_matches

__all__ = [
    "FILES",
    "MAX_AGE",
    "EmbedAnswer",
    "catalog_answer",
    "embed_catalog",
    "embed_strings",
    "file_answer",
]

FILES = {"embed.js": "text/javascript", "embed.css": "text/css"}
"""The embed's files and their media types."""

MAX_AGE = 3600
"""Seconds a browser may use its copy before revalidating it."""

_CACHE = f"public, max-age={MAX_AGE}"


@attrs.frozen
class EmbedAnswer:
    """What to answer: status (200, or 304 when the reader's copy is current), body, headers.

    ``headers`` holds every header the answer needs, ``Content-Type`` included.
    """

    status: int
    body: bytes
    headers: dict[str, str]


def _file(name: str) -> tuple[bytes, str]:
    # Read at each request (small, and read whole so no file is left open by a 304):
    # a file replaced on disk is served at once, with its new ETag.
    data = (STATIC / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]


def file_answer(name: str, if_none_match: str | None) -> EmbedAnswer:
    """Return the answer for ``name`` (``"embed.js"`` or ``"embed.css"``).

    ``if_none_match`` is the request's ``If-None-Match`` header: when it names
    the file's ETag the answer is a 304 with no body. Raises ``KeyError`` for a
    name that is not one of :data:`FILES`, ``FileNotFoundError`` when the
    installed package lacks the file.
    """
    kind = FILES[name]
    data, etag = _file(name)
    headers = {
        "Content-Type": f"{kind}; charset=utf-8",
        "ETag": f'"{etag}"',
        "Cache-Control": _CACHE,
        # The file is loaded by other sites' pages: let them, whatever the server's CORP.
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(if_none_match, etag):
        del headers["Content-Type"]
        return EmbedAnswer(304, b"", headers)
    return EmbedAnswer(200, data, headers)


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


def catalog_answer(lang: str | None) -> EmbedAnswer:
    """Return the catalog answer for ``?lang=`` (English for a language threadkit does not ship)."""
    language = i18n.match_language(lang) or i18n.DEFAULT_LANGUAGE
    headers = {
        "Content-Type": "application/json",
        "Cache-Control": _CACHE,
        # Public strings, read by every site's pages: no credentials, so any origin may.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Content-Language": i18n.html_lang(language),
    }
    return EmbedAnswer(200, embed_catalog(language).encode(), headers)
