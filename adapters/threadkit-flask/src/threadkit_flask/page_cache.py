"""Public thread pages served from encoded bytes, with ETags and revalidation (Flask glue).

Who is public, how a page is keyed by the thread's version, and which headers
it gets are :mod:`threadkit_web.page_cache`'s (the same on every adapter); this
module reads Flask's request and session, and leaves the mark the WSGI fast
lane (:mod:`.fast_reads`) answers the same request from next time.

Headers: JSON pages are ``Cache-Control: public, no-cache`` with an ``ETag``
and ``Vary: Cookie, Authorization`` (and ``Origin``, from CORS); the HTML
fragment is ``private, no-cache`` (its vote forms carry the reader's own CSRF
token) and varies on ``Accept-Language`` too.
"""

from __future__ import annotations

from flask import Response, request, session
from threadkit_web import page_cache as web_cache
from threadkit_web.page_cache import CSRF_SLOT

from threadkit.cache import PageKey
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


def is_public_reader(actor: Actor) -> bool:
    """Whether this request may read and fill the public page cache."""
    return web_cache.is_public_reader(actor, identified=visitors.current_identity() is not None)


def cached_page(page: web_cache.PageRead) -> tuple[PageKey, bytes | None]:
    """Return the page's key and its bytes, or ``None`` bytes when ``If-None-Match`` matches.

    See :func:`threadkit_web.page_cache.cached_page`.
    """
    # What the fast lane (fast_reads) needs to answer this same request again by itself.
    request.environ[PAGE_MARK] = (page.thread_key, page.variant, dict(page.params))
    return web_cache.cached_page(get_state(), page, request.if_none_match.contains_weak)


def public_headers(response: Response, etag: str, *, shared: bool) -> Response:
    """Set the validator and caching headers of a public page (``shared``: a CDN may keep it)."""
    response.set_etag(etag)
    if shared:
        request.environ[SHARED_MARK] = True
    cache_control, vary = web_cache.cache_headers(shared=shared)
    response.headers["Cache-Control"] = cache_control
    response.vary.update(vary)
    return response


def not_modified(etag: str, *, shared: bool) -> Response:
    """Answer a matching ``If-None-Match`` with 304 and the same caching headers."""
    return public_headers(Response(status=304), etag, shared=shared)


def csrf_tag() -> str:
    """Return the ETag suffix of an HTML page for this session: a digest of its CSRF token."""
    token = session.get(csrf.SESSION_KEY)
    return web_cache.csrf_tag(token if isinstance(token, str) else None)


def fill_csrf(body: bytes) -> bytes:
    """Put this reader's CSRF token into a cached fragment's slots."""
    return web_cache.fill_csrf(body, csrf.token)
