"""Atom feeds of recent comments: ``feeds/recent.atom`` and ``feeds/threads/<key>.atom``.

The documents are :mod:`threadkit_web.feeds`' (the same as on Flask): published
comments only, newest first, links on the site's origin
(:func:`threadkit_django.origin.base_url`). Anyone may keep one for a minute.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from threadkit_web import feeds

from .origin import absolute, base_url
from .responses import threadkit_view
from .state import URL_NAMESPACE, get_state

__all__ = ["feed_recent", "feed_thread"]


def _atom(document: bytes) -> HttpResponse:
    response = HttpResponse(document, content_type=feeds.ATOM_TYPE)
    response["Cache-Control"] = feeds.CACHE_CONTROL
    return response


@require_safe
@threadkit_view(api=False)
def feed_recent(request: HttpRequest) -> HttpResponse:
    """GET the newest published comments of the whole site."""
    self_url = absolute(request, reverse(f"{URL_NAMESPACE}:feed_recent"))
    return _atom(feeds.recent_feed(get_state().web, base_url(request), self_url))


@require_safe
@threadkit_view(api=False)
def feed_thread(request: HttpRequest, key: str) -> HttpResponse:
    """GET the newest published comments of one thread (404 for a thread nobody opened)."""
    self_url = absolute(request, reverse(f"{URL_NAMESPACE}:feed_thread", kwargs={"key": key}))
    return _atom(feeds.thread_feed(get_state().web, key, base_url(request), self_url))
