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
import zlib
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


class _Packed(bytes):
    """A page kept zlib-compressed (see :class:`LruPageCache`)."""


class LruPageCache:
    """An in-process :class:`PageCache` that keeps the most recently used pages.

    Bounded by ``max_bytes`` (keys plus pages as held); a page larger than a
    quarter of that is not kept, so one huge thread cannot flush everything
    else. ``hits`` and ``misses`` count ``get`` answers. Each worker process
    has its own: correct with any number of workers (the version is read
    from the store on every request), but a page is encoded once per worker.

    **Packing before dropping.** When the pages outgrow ``max_bytes``, the
    least recently used ones (of at least ``PACK_MIN`` bytes) are first kept
    zlib-compressed (level 1: JSON and HTML pages shrink about 5x); only when
    that is not enough are the least recently used pages dropped. A plain
    LRU's worst case is exactly a reader going through a thread bigger than
    the cache page by page: each page is dropped just before it is read again
    (a 100k-comment thread is 59 MB of lean JSON pages; read twice through a
    32 MiB plain LRU, the second read found none). Packed, all of it would
    take about 11 MB; through the same cache the second read found every
    page. A packed page costs a decompression per hit (about 3 ms per MB)
    where a rebuild cost 50 to 250 ms per MB on this project's machine;
    ``packed_hits`` counts them. Nothing is packed while everything fits,
    and a page is packed once (on the write that overflowed, outside the
    lock), never on a read. ``pack=False`` gives a plain LRU.
    """

    PACK_MIN = 4096
    """Pages smaller than this are dropped rather than packed (zlib gains little on them)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, *, pack: bool = True) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
        self.max_bytes = max_bytes
        self.pack = pack
        self.hits = 0
        self.misses = 0
        self.packed_hits = 0
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        # The pages that may still be packed, least recently used first (not those
        # that zlib did not shrink): where packing starts.
        self._plain: OrderedDict[str, None] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes held now (keys plus pages, packed ones at their packed size)."""
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
            if not isinstance(value, _Packed):
                if key in self._plain:
                    self._plain.move_to_end(key)
                return value
            self.packed_hits += 1
        return zlib.decompress(value)

    def set(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key``; past ``max_bytes``, pack, then drop, the least used."""
        cost = len(key) + len(value)
        if cost > self.max_bytes // 4:
            return
        with self._lock:
            self._forget(key)
            self._pages[key] = value
            self._plain[key] = None
            self._size += cost
            victims = self._pack_victims(key) if self.pack else []
        packed = [(name, page, zlib.compress(page, 1)) for name, page in victims]
        with self._lock:
            for name, page, small in packed:
                if self._pages.get(name) is not page:
                    continue  # replaced or dropped by another thread meanwhile
                self._plain.pop(name, None)  # packed, or not worth another try
                if len(small) < len(page):
                    self._pages[name] = _Packed(small)  # keeps its place in the LRU order
                    self._size -= len(page) - len(small)
            while self._size > self.max_bytes:
                dropped_key, dropped = self._pages.popitem(last=False)
                self._plain.pop(dropped_key, None)
                self._size -= len(dropped_key) + len(dropped)

    def _forget(self, key: str) -> None:
        old = self._pages.pop(key, None)
        if old is not None:
            self._plain.pop(key, None)
            self._size -= len(key) + len(old)

    def _pack_victims(self, fresh: str) -> list[tuple[str, bytes]]:
        """Pick the least recently used plain pages whose packing should cover the overflow."""
        over = self._size - self.max_bytes
        victims: list[tuple[str, bytes]] = []
        for name in self._plain:
            if over <= 0:
                break
            page = self._pages[name]
            if name == fresh or len(page) < self.PACK_MIN:
                continue
            victims.append((name, page))
            over -= len(page) * 3 // 4  # what packing saves on a typical page, at least
        return victims


class NoPageCache:
    """A :class:`PageCache` that keeps nothing: every read builds its page."""

    def get(self, key: str) -> bytes | None:
        """Return ``None``: nothing is kept."""
        return None

    def set(self, key: str, value: bytes) -> None:
        """Forget ``value``."""
