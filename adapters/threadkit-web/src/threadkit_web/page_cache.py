"""Public thread pages served from encoded bytes, with ETags and revalidation (every adapter).

Who is a *public* reader: nobody identified and no moderator. That is, no
login (host session, redirect login or bearer token), no anonymous browser id
(a browser gets one when it first posts or votes, so it may own pending
comments and edit its own) and not a moderator. Every other reader gets a
page built for them alone, with ``Cache-Control: no-store``, and never reads
or fills the cache: a page with someone's pending comments or a moderator's
fields cannot reach anyone else.

A public page is looked up under ``(thread key, version, query, variant)``
(:func:`threadkit.cache.page_key`) in ``WebState.page_cache``; the version is
read before the page is built, so a write acknowledged before the request
always shows, on every worker that shares the store.

Headers (:func:`cache_headers`):

- JSON: ``ETag`` and ``Cache-Control: public, no-cache``, ``Vary: Cookie,
  Authorization``. ``no-cache`` rather than a short ``max-age``: a CDN or
  browser may keep the page but must ask again every time, and the answer to
  ``If-None-Match`` is a 304 after one read of the thread's row. A max-age of
  even a few seconds would show a reader a page without the comment they
  have just posted.
- HTML fragment: the same ETag scheme, but ``Cache-Control: private,
  no-cache``: its vote forms carry the reader's own CSRF token (cached as
  :data:`CSRF_SLOT` and filled in per request by :func:`fill_csrf`), so no
  shared cache may keep it; its ETag ends with :func:`csrf_tag`. It varies on
  ``Accept-Language`` too.

>>> etag_matches('W/"a", "b"', "b"), etag_matches("*", "x"), etag_matches('"a"', "b")
(True, True, False)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

import attrs

from threadkit.cache import PageKey, ThreadVersions, page_key
from threadkit.models import Actor

from . import api
from .state import WebState

__all__ = [
    "CSRF_SLOT",
    "PageRead",
    "cache_headers",
    "cached_page",
    "csrf_tag",
    "etag_matches",
    "fill_csrf",
    "is_public_reader",
    "pack_fragment",
    "public_replies",
    "public_thread",
    "replies_key",
    "unpack_fragment",
]

CSRF_SLOT = "\0tk-csrf\0"
"""Stands for the reader's CSRF token in a cached HTML fragment.

It holds NUL, which no stored comment, name or thread key can contain, so
filling the slot never touches anything a commenter wrote.
"""


def is_public_reader(actor: Actor, *, identified: bool = False) -> bool:
    """Whether this reader may read and fill the public page cache (see the module doc).

    ``identified``: the adapter knows the reader some other way than ``actor``
    says (a redirect login or bearer token the actor does not carry).
    """
    return not actor.moderator and actor.identity is None and not identified


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (unquoted; weak comparison, RFC 9110).

    ETags made by :func:`threadkit.cache.page_key` hold no comma or quote, so
    splitting the header on commas is exact for them.
    """
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/").strip('"') == etag:
            return True
    return False


@attrs.frozen
class PageRead:
    """One page a public reader may get from the cache: where it is filed, how to build it.

    ``variant`` (``json``, ``json-replies``, ``html-fragment``), the thread and
    the query key it (:func:`threadkit.cache.page_key`); ``build`` makes its
    bytes on a miss; ``tag_suffix`` ends its ETag (:func:`csrf_tag` for HTML).
    """

    variant: str
    thread_key: str
    params: Mapping[str, str | int | None]
    build: Callable[[], bytes]
    tag_suffix: str = ""


def cached_page(
    state: WebState, page: PageRead, matches: Callable[[str], bool]
) -> tuple[PageKey, bytes | None]:
    """Return the page's key and its bytes, or ``None`` bytes when ``matches`` its ETag.

    The thread's version is read first (``thread_not_found`` if there is no
    such thread); ``page.build`` runs only on a miss, and what it returns is
    filed under that version. ``matches(etag)`` says whether the request's
    ``If-None-Match`` holds the key's ETag with ``page.tag_suffix`` appended.
    """
    store = state.engine.store
    thread_key = page.thread_key
    version = store.thread_version(thread_key) if isinstance(store, ThreadVersions) else None
    if version is None:  # no such thread (the engine says so), or a store without the method
        version = state.engine.get_thread(thread_key).version
    key = page_key(thread_key, version, page.variant, page.params)
    if matches(key.etag + page.tag_suffix):
        return key, None
    body = state.page_cache.get(key.cache_key)
    if body is None:
        body = page.build()
        state.page_cache.set(key.cache_key, body)
    return key, body


def public_thread(state: WebState, actor: Actor, key: str, query: api.ThreadQuery) -> PageRead:
    """Return the cacheable JSON page of a thread (``GET api/threads/<key>``), public readers'."""

    def build() -> bytes:
        # A public reader can edit nothing: the Markdown source stays home.
        return api.thread_page(state, actor, key, query, source=False)

    return PageRead("json", key, query.params(), build)


def public_replies(
    state: WebState, actor: Actor, comment_id: int, cursor: str | None, total_limit: int | None
) -> PageRead | None:
    """Return the cacheable JSON replies under a comment for a public reader (``None``: no comment).

    Without such a comment there is no thread to key the page by: the adapter
    answers uncached, and the engine's 404.
    """
    where = replies_key(state, comment_id, cursor, total_limit)
    if where is None:
        return None

    def build() -> bytes:
        return api.replies_page(state, actor, comment_id, cursor, total_limit, source=False)

    return PageRead("json-replies", *where, build)


def replies_key(
    state: WebState, comment_id: int, cursor: str | None, total_limit: int | None
) -> tuple[str, dict[str, str | int | None]] | None:
    """Return the thread key and query that file a public replies page (``None``: no comment).

    A comment never changes threads, so its thread's version keys its replies.
    """
    found = state.engine.store.get_comment(comment_id)
    if found is None:
        return None
    return found.thread_key, {"comment": comment_id, "cursor": cursor, "total_limit": total_limit}


def cache_headers(*, shared: bool) -> tuple[str, tuple[str, ...]]:
    """Return the ``Cache-Control`` value and the ``Vary`` names of a public page.

    ``shared``: a CDN may keep it (the JSON page); else only the reader's browser.
    """
    if shared:
        return "public, no-cache", ("Cookie", "Authorization")
    # The fragment's words follow the reader's language.
    return "private, no-cache", ("Cookie", "Authorization", "Accept-Language")


def csrf_tag(token: str | None) -> str:
    """Return the ETag suffix of an HTML page for a session whose CSRF secret is ``token``.

    The fragment's bytes hold the token, so its ETag must change with it (a
    login or logout renews it). ``"-0"`` while the session has none.
    """
    if not token:
        return "-0"
    return "-" + hashlib.blake2b(token.encode("utf-8"), digest_size=6).hexdigest()


def fill_csrf(body: bytes, token: Callable[[], str]) -> bytes:
    """Put this reader's CSRF token (``token()``) into a cached fragment's slots.

    A fragment without vote forms has no slot, so ``token`` is not called
    (and no session starts).
    """
    slot = CSRF_SLOT.encode("utf-8")
    if slot not in body:
        return body
    return body.replace(slot, token().encode("utf-8"))


def pack_fragment(next_link: str | None, body: bytes) -> bytes:
    """Keep a fragment's ``X-Threadkit-Next`` link with its bytes: the link, a newline, the body.

    >>> unpack_fragment(pack_fragment("/c/fragments?cursor=x", b"<li>hi</li>"))
    ('/c/fragments?cursor=x', b'<li>hi</li>')
    """
    return (next_link or "").encode("utf-8") + b"\n" + body


def unpack_fragment(packed: bytes) -> tuple[str | None, bytes]:
    """Return the ``X-Threadkit-Next`` link (``None`` if none) and the body of a packed fragment."""
    more, _, body = packed.partition(b"\n")
    return (more.decode("utf-8") or None), body
