"""Public thread pages served from encoded bytes, with ETags and revalidation.

Who is a *public* reader: nobody identified and no moderator. That is, no
login (host session, redirect login or bearer token), no anonymous browser id
(a browser gets one when it first posts or votes, so it may own pending
comments and edit its own) and ``is_moderator`` says no. Every other reader
gets a page built for them alone, with ``Cache-Control: no-store``, and
never reads or fills the cache: a page with someone's pending comments or a
moderator's fields cannot reach anyone else.

A public page is looked up under ``(thread key, version, query, variant)``
(:func:`threadkit.cache.page_key`); the version is read before the page is
built, so a write acknowledged before the request always shows.

Headers:

- JSON: ``ETag`` and ``Cache-Control: public, no-cache``, ``Vary: Cookie,
  Authorization`` (and ``Origin``, from CORS). ``no-cache`` rather than a
  short ``max-age``: a CDN or browser may keep the page but must ask again
  every time, and the answer to ``If-None-Match`` is a 304 after one read of
  the thread's row. A max-age of even a few seconds would show a reader a
  page without the comment they have just posted.
- HTML fragment: the same ETag scheme, but ``Cache-Control: private,
  no-cache``: its vote forms carry the reader's own CSRF token (cached as a
  slot and filled in per request), so no shared cache may keep it. Its key
  also holds the ``Accept-Language`` header, and it varies on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from flask import Response, request, session

from threadkit.cache import PageKey, ThreadVersions, page_key
from threadkit.models import Actor

from . import csrf, visitors
from .fast_reads import PAGE_MARK, SHARED_MARK
from .state import get_state

__all__ = [
    "CSRF_SLOT",
    "cached_page",
    "csrf_tag",
    "fill_csrf",
    "is_public_reader",
    "not_modified",
    "public_headers",
]

CSRF_SLOT = "\0tk-csrf\0"
"""Stands for the reader's CSRF token in a cached HTML fragment.

It holds NUL, which no stored comment, name or thread key can contain, so
filling the slot never touches anything a commenter wrote.
"""


def is_public_reader(actor: Actor) -> bool:
    """Whether this request may read and fill the public page cache (see the module doc)."""
    return not actor.moderator and actor.identity is None and visitors.current_identity() is None


def cached_page(
    variant: str,
    thread_key: str,
    params: Mapping[str, str | int | None],
    build: Callable[[], bytes],
    *,
    tag_suffix: str = "",
) -> tuple[PageKey, bytes | None]:
    """Return the page's key and its bytes, or ``None`` bytes when ``If-None-Match`` matches.

    The thread's version is read first (``thread_not_found`` if there is no
    such thread); ``build`` runs only on a miss, and what it returns is
    filed under that version. ``tag_suffix`` is appended to the key's ETag
    before it is compared (see :func:`csrf_tag`).
    """
    state = get_state()
    store = state.engine.store
    version = store.thread_version(thread_key) if isinstance(store, ThreadVersions) else None
    if version is None:  # no such thread (the engine says so), or a store without the method
        version = state.engine.get_thread(thread_key).version
    key = page_key(thread_key, version, variant, params)
    # What the fast lane (fast_reads) needs to answer this same request again by itself.
    request.environ[PAGE_MARK] = (thread_key, variant, dict(params))
    if request.if_none_match.contains_weak(key.etag + tag_suffix):
        return key, None
    body = state.page_cache.get(key.cache_key)
    if body is None:
        body = build()
        state.page_cache.set(key.cache_key, body)
    return key, body


def public_headers(response: Response, etag: str, *, shared: bool) -> Response:
    """Set the validator and caching headers of a public page (``shared``: a CDN may keep it)."""
    response.set_etag(etag)
    if shared:
        request.environ[SHARED_MARK] = True
    response.headers["Cache-Control"] = "public, no-cache" if shared else "private, no-cache"
    response.vary.update(("Cookie", "Authorization"))
    if not shared:
        response.vary.add("Accept-Language")  # the fragment's words follow the reader's
    return response


def not_modified(etag: str, *, shared: bool) -> Response:
    """Answer a matching ``If-None-Match`` with 304 and the same caching headers."""
    return public_headers(Response(status=304), etag, shared=shared)


def csrf_tag() -> str:
    """Return the ETag suffix of an HTML page for this session: a digest of its CSRF token.

    The fragment's bytes hold the token, so its ETag must change with it
    (a login or logout renews it). ``"-0"`` while the session has none.
    """
    token = session.get(csrf.SESSION_KEY)
    if not isinstance(token, str) or not token:
        return "-0"
    return "-" + hashlib.blake2b(token.encode("utf-8"), digest_size=6).hexdigest()


def fill_csrf(body: bytes) -> bytes:
    """Put this reader's CSRF token into a cached fragment's slots.

    A fragment without vote forms has no slot and starts no session.
    """
    slot = CSRF_SLOT.encode("utf-8")
    if slot not in body:
        return body
    return body.replace(slot, csrf.token().encode("utf-8"))
