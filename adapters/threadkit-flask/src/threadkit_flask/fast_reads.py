"""The warm path: a cached public JSON page answered before Flask routes the request.

A cache hit through Flask costs far more than the hit itself: a request
context, URL matching, the session, the hooks, a ``Response`` object. This
WSGI middleware answers a repeated public read from the page cache with none
of that. It never decides anything on its own; it replays what the full path
answered for the same request:

1. A request goes through Flask as usual. When :func:`~threadkit_flask.page_cache.cached_page`
   serves a public page that a CDN may keep (``shared``), it leaves the page's
   thread, variant and query parameters in the WSGI environ; the middleware
   then remembers, for that exact raw request (path, query string, ``Host``,
   ``Origin``), those parameters and the response headers Flask sent.
2. The same raw request again: the middleware reads the thread's version from
   the store (as the full path does, so a write acknowledged before the
   request always shows), looks the page up under the key that version gives,
   and answers with the remembered headers, the new ``ETag`` and length. A
   matching ``If-None-Match`` gets the remembered 304 headers. Anything
   missing (a new version not cached yet, no 304 seen yet) goes through Flask.

Only requests that cannot carry a reader's identity take the fast lane: a
``GET`` with no ``Cookie`` and no ``Authorization`` header, to an app with no
``session`` identity provider (the host's login, which may read anything)
and no ``before_request`` or URL-value hook but threadkit's own on these
routes (a host's hook may refuse a reader; the fast lane would not ask it).
Everything else, and every write, goes through Flask untouched. A
``Set-Cookie`` answer is never remembered. Headers a host's ``after_request``
hook adds are replayed as first sent: a header that must differ per request
(a request id) needs that hook to be a ``before_request`` one, which turns
the lane off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.http import parse_etags

from threadkit.cache import ThreadVersions, page_key

from .state import EXTENSION_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

__all__ = ["PAGE_MARK", "SHARED_MARK", "FastReads", "install"]

PAGE_MARK = "threadkit.cached_page"
"""Environ key: ``(thread key, variant, params)`` of the public page this request served."""

SHARED_MARK = "threadkit.shared_page"
"""Environ key set when the answer is a page a shared cache may keep (``Cache-Control: public``)."""

MAX_REMEMBERED = 4096
"""Raw requests remembered per worker; past that the memory starts afresh."""

_Headers = list[tuple[str, str]]
_Learned = tuple[str, str, Mapping[str, Any], dict[str, _Headers]]
_RequestKey = tuple[str, str, str, str]
_OWN_HOOKS = "threadkit_flask."


def install(app: Flask) -> None:
    """Put the fast lane in front of ``app`` (``init_app`` calls this once per app)."""
    app.wsgi_app = FastReads(app, app.wsgi_app)  # type: ignore[method-assign]


class FastReads:
    """WSGI middleware that serves remembered public page reads from the page cache."""

    def __init__(self, app: Flask, inner: WSGIApplication) -> None:
        self._app = app
        self._inner = inner
        self._learned: dict[_RequestKey, _Learned] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer from the cache when this exact public request was seen; else ask Flask."""
        request_key = self._request_key(environ)
        if request_key is None:
            return self._inner(environ, start_response)
        learned = self._learned.get(request_key)
        if learned is not None:
            answer = self._replay(environ, learned, start_response)
            if answer is not None:
                return answer
        return self._inner(environ, self._learner(environ, request_key, start_response))

    def _request_key(self, environ: WSGIEnvironment) -> _RequestKey | None:
        """Return what names this raw request, or ``None`` if it may not take the fast lane."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        if "HTTP_COOKIE" in environ or "HTTP_AUTHORIZATION" in environ:
            return None
        if not self._eligible_app():
            return None
        return (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("HTTP_ORIGIN", ""),
        )

    def _eligible_app(self) -> bool:
        """Whether nothing but threadkit itself looks at a request before its views."""
        state = self._app.extensions.get(EXTENSION_KEY)
        if state is None:
            return False
        if any(provider.kind == "session" for provider in state.providers.values()):
            return False
        for hooks in (self._app.before_request_funcs, self._app.url_value_preprocessors):
            for scope in (None, state.blueprint_name):
                for hook in hooks.get(scope, ()):
                    if not getattr(hook, "__module__", "").startswith(_OWN_HOOKS):
                        return False
        return True

    def _replay(
        self, environ: WSGIEnvironment, learned: _Learned, start_response: StartResponse
    ) -> list[bytes] | None:
        """Answer from the cache with the remembered headers, or ``None`` to ask Flask."""
        state = self._app.extensions[EXTENSION_KEY]
        thread_key, variant, params, headers = learned
        store = state.engine.store
        if not isinstance(store, ThreadVersions):
            return None
        version = store.thread_version(thread_key)
        if version is None:
            return None  # the thread is gone: Flask says so
        key = page_key(thread_key, version, variant, params)
        quoted = f'"{key.etag}"'
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(key.etag):
            template = headers.get("304")
            if template is None:
                return None
            start_response("304 NOT MODIFIED", _filled(template, quoted, None))
            return []
        body = state.page_cache.get(key.cache_key)
        template = headers.get("200")
        if body is None or template is None:
            return None
        start_response("200 OK", _filled(template, quoted, len(body)))
        return [body]

    def _learner(
        self, environ: WSGIEnvironment, request_key: _RequestKey, start_response: StartResponse
    ) -> StartResponse:
        """Wrap ``start_response`` to remember the headers of a shared public page."""

        def learn(
            status: str, headers: _Headers, exc_info: Any = None
        ) -> Callable[[bytes], object]:
            page = environ.get(PAGE_MARK)
            code = status.split(" ", 1)[0]
            if (
                page is not None
                and environ.get(SHARED_MARK)
                and code in ("200", "304")
                and exc_info is None
                and not any(name.lower() == "set-cookie" for name, _ in headers)
            ):
                self._remember(request_key, page, code, headers)
            return start_response(status, headers, exc_info)

        return learn

    def _remember(
        self,
        request_key: _RequestKey,
        page: tuple[str, str, Mapping[str, Any]],
        code: str,
        headers: _Headers,
    ) -> None:
        thread_key, variant, params = page
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        known = self._learned.get(request_key)
        if known is None or known[:3] != (thread_key, variant, params):
            if len(self._learned) >= MAX_REMEMBERED:
                self._learned.clear()  # old URLs of old threads: cheaper to relearn than to rank
            known = (thread_key, variant, params, {})
            self._learned[request_key] = known
        known[3][code] = kept


def _filled(template: _Headers, etag: str, length: int | None) -> _Headers:
    """Return the remembered headers with this page's ``ETag`` (and ``Content-Length``)."""
    filled = [(name, etag if name.lower() == "etag" else value) for name, value in template]
    if length is not None:
        filled.append(("Content-Length", str(length)))
    return filled
