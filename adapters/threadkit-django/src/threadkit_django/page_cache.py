"""Public thread pages from the page cache, with ETags and 304s (Django glue).

Who is public, how a page is keyed by the thread's version, and its headers are
:mod:`threadkit_web.page_cache`'s, the same as on Flask: a reader with no Django
login, no anonymous browser id and no moderator rights reads (and fills) the
cache; anyone else gets a page of their own, ``no-store``, never cached. The
cache is ``WebState.page_cache``: in-process by default, one of Django's caches
(Redis...) with ``THREADKIT["CACHE"]`` (:mod:`threadkit_django.cache_conf`).

The JSON page and the replies route are ``public, no-cache``; the HTML
fragment is ``private, no-cache``, its vote forms' CSRF token filled in per
reader, its ETag ending with a digest of the reader's CSRF secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from threadkit_web import api
from threadkit_web import page_cache as web_cache
from threadkit_web.context import TemplateHelper

from threadkit.cache import PageKey

from .responses import json_response
from .state import get_state
from .web import visit_of

__all__ = ["SlotHelper", "fragment", "is_public", "replies_json", "thread_json"]


class SlotHelper(TemplateHelper):
    """Renders the CSRF token as a slot, filled per reader when the cached page is served."""

    def csrf_token(self) -> str:
        """Return the slot that stands for the reader's token."""
        return web_cache.CSRF_SLOT


def is_public(request: HttpRequest) -> bool:
    """Whether this reader may read and fill the public page cache."""
    visit = visit_of(request)
    return web_cache.is_public_reader(visit.actor(), identified=visit.browser_id() is not None)


def _lookup(request: HttpRequest, page: web_cache.PageRead) -> tuple[PageKey, bytes | None]:
    header = request.headers.get("If-None-Match")
    return web_cache.cached_page(
        get_state().web, page, lambda etag: web_cache.etag_matches(header, etag)
    )


def _headers(response: HttpResponse, etag: str, *, shared: bool) -> HttpResponse:
    cache_control, vary = web_cache.cache_headers(shared=shared)
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = cache_control
    patch_vary_headers(response, vary)
    return response


def _shared_json(request: HttpRequest, page: web_cache.PageRead) -> HttpResponse:
    key, body = _lookup(request, page)
    response = HttpResponse(status=304) if body is None else json_response(body)
    return _headers(response, key.etag, shared=True)


def thread_json(request: HttpRequest, key: str, query: api.ThreadQuery) -> HttpResponse:
    """Answer ``GET api/threads/<key>``: from the cache for a public reader."""
    state, actor = get_state().web, visit_of(request).actor()
    if not is_public(request):
        return json_response(api.thread_page(state, actor, key, query))
    return _shared_json(request, web_cache.public_thread(state, actor, key, query))


def replies_json(
    request: HttpRequest, comment_id: int, cursor: str | None, total_limit: int | None
) -> HttpResponse:
    """Answer ``GET api/comments/<id>/replies``: from the cache for a public reader."""
    state, actor = get_state().web, visit_of(request).actor()
    page = (
        web_cache.public_replies(state, actor, comment_id, cursor, total_limit)
        if is_public(request)
        else None
    )
    if page is None:  # not public, or no such comment (the engine answers 404)
        return json_response(api.replies_page(state, actor, comment_id, cursor, total_limit))
    return _shared_json(request, page)


def _csrf_tag(request: HttpRequest) -> str:
    # The secret behind the masked tokens get_token() hands out (a new mask each call).
    secret = request.META.get("CSRF_COOKIE") or request.COOKIES.get(
        django.conf.settings.CSRF_COOKIE_NAME
    )
    return web_cache.csrf_tag(secret if isinstance(secret, str) else None)


def fragment(
    request: HttpRequest,
    key: str,
    params: Mapping[str, str | int | None],
    build: Callable[[TemplateHelper | None], HttpResponse],
) -> HttpResponse:
    """Answer a thread's HTML fragment: ``build(helper)`` renders it (``None``: the default).

    A public reader gets it from the cache, rendered once with a :class:`SlotHelper`.
    """
    if not is_public(request):
        return build(None)
    visit = visit_of(request)

    def render() -> bytes:
        built = build(SlotHelper(get_state().web, visit))
        return web_cache.pack_fragment(built.headers.get("X-Threadkit-Next"), built.content)

    params = {**params, "locale": visit.language()}
    tag = _csrf_tag(request)
    page, cached = _lookup(request, web_cache.PageRead("html-fragment", key, params, render, tag))
    if cached is None:
        return _headers(HttpResponse(status=304), page.etag + tag, shared=False)
    more, body = web_cache.unpack_fragment(cached)
    response = HttpResponse(
        web_cache.fill_csrf(body, visit.csrf_token), content_type="text/html; charset=utf-8"
    )
    if more:
        response["X-Threadkit-Next"] = more
    return _headers(response, page.etag + tag, shared=False)
