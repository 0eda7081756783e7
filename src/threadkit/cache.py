"""Caches of encoded pages, keyed by a thread's version.

A public page of a thread (the JSON page, the HTML fragment) is a pure
function of the thread's stored state and the query that shaped it. Every
store write that changes that state raises :attr:`threadkit.models.Thread.version`
in the write's own transaction, so ``(thread key, version, query, variant)``
names one exact set of bytes for ever: a cache keyed by it never needs
invalidating, and old versions simply stop being asked for (an LRU drops
them, Redis lets them expire).

A web adapter reads the version *before* it builds a page and files the page
under that version. A write that lands in between makes the page newer than
its key, never older, and the next reader already asks for the next version:
no reader is served a page older than a write acknowledged before its request.

:class:`PageCache` is the port (two methods); :class:`LruPageCache` is the
in-process default, bounded by bytes; :class:`NoPageCache` turns caching off.
A cache shared by several workers (Redis) lives in an adapter
(``threadkit_flask.redis_cache.RedisPageCache``).

>>> cache = LruPageCache(max_bytes=1_000)
>>> key = page_key("post-1", 7, "json", {"sort": "oldest"})
>>> cache.get(key.cache_key) is None
True
>>> cache.set(key.cache_key, b'{"comments": []}')
>>> cache.get(key.cache_key)
b'{"comments": []}'
>>> key.etag == page_key("post-1", 7, "json", {"sort": "oldest"}).etag
True
>>> key.etag == page_key("post-1", 8, "json", {"sort": "oldest"}).etag
False
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import attrs

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LruPageCache",
    "NoPageCache",
    "PageCache",
    "PageKey",
    "ThreadVersions",
    "page_key",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""What the default in-process cache holds at most: 64 MiB of keys and pages."""

_KEY_SCHEME = "tk1"
"""Part of every key: bump it when the encoding of cached pages changes."""


@runtime_checkable
class PageCache(Protocol):
    """Where encoded pages are kept: bytes under a key, nothing else.

    ``get`` returns what ``set`` stored under the key, or ``None`` (never
    stored, evicted, expired, or the cache is unreachable: a cache is allowed
    to forget, never to answer with other bytes). Keys are short ASCII
    strings made by :func:`page_key`; they never need deleting, because a
    write changes the key rather than the value. Both methods are called
    from many threads at once. Example::

        class DictPageCache:
            def __init__(self) -> None:
                self.pages: dict[str, bytes] = {}

            def get(self, key: str) -> bytes | None:
                return self.pages.get(key)

            def set(self, key: str, value: bytes) -> None:
                self.pages[key] = value  # unbounded: fine for a test, not for a site
    """

    def get(self, key: str) -> bytes | None:
        """Return the bytes stored under ``key``, or ``None``."""
        ...

    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` (a cache may drop it at any time)."""
        ...


@runtime_checkable
class ThreadVersions(Protocol):
    """An optional store capability: a thread's version alone, cheaper than the whole row.

    A web adapter reads the version on every cached request; a store that has
    this method answers from one indexed column. Example::

        class DictStore:
            def thread_version(self, key: str) -> int | None:
                thread = self.threads.get(key)
                return None if thread is None else thread.version
    """

    def thread_version(self, key: str) -> int | None:
        """Return ``Thread.version`` of ``key``, or ``None`` if there is no such thread."""
        ...


@attrs.frozen
class PageKey:
    """Where a page is cached (``cache_key``) and its HTTP validator (``etag``, without quotes)."""

    cache_key: str
    etag: str


def page_key(
    thread_key: str, version: int, variant: str, params: Mapping[str, str | int | None]
) -> PageKey:
    """Name the page of ``thread_key`` at ``version`` shaped by ``params``, as ``variant``.

    ``variant`` says which encoding (``"json"``, ``"html"``, ...) and
    ``params`` every query input that changes the bytes (sort, cursor,
    limits); ``None`` values count as absent. The same inputs always give the
    same key and ETag; any difference gives another.
    """
    parts = [_KEY_SCHEME, variant, thread_key, str(version)]
    parts.extend(f"{name}={value}" for name, value in sorted(params.items()) if value is not None)
    # NUL cannot occur in a thread key or a query value the adapters pass on.
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()
    return PageKey(f"{_KEY_SCHEME}:{variant}:{version}:{digest}", f"{version}-{digest}")


class LruPageCache:
    """An in-process :class:`PageCache` that keeps the most recently used pages.

    Bounded by ``max_bytes`` (keys plus pages); a page larger than a quarter
    of that is not kept, so one huge thread cannot flush everything else.
    ``hits`` and ``misses`` count ``get`` answers. Each worker process has
    its own: correct with any number of workers (the version is read from the
    store on every request), but a page is encoded once per worker.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes held now (keys plus pages)."""
        return self._size

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: str) -> bytes | None:
        """Return the page under ``key`` (and mark it recently used), or ``None``."""
        with self._lock:
            value = self._pages.get(key)
            if value is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return value

    def set(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used pages to fit."""
        cost = len(key) + len(value)
        if cost > self.max_bytes // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._size -= len(key) + len(old)
            self._pages[key] = value
            self._size += cost
            while self._size > self.max_bytes:
                dropped_key, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped_key) + len(dropped)


class NoPageCache:
    """A :class:`PageCache` that keeps nothing: every read builds its page."""

    def get(self, key: str) -> bytes | None:
        """Return ``None``: nothing is kept."""
        return None

    def set(self, key: str, value: bytes) -> None:
        """Forget ``value``."""
