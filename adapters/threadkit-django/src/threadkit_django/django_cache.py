"""The page cache in one of Django's caches (``CACHES``): Redis, Memcached, a database...

``THREADKIT = {"CACHE": "threadkit"}`` keeps threadkit's encoded public pages in
``django.core.cache.caches["threadkit"]``, so every worker process and machine
configured with the same cache shares one copy, and the site configures it the
way it configures any Django cache (``LOCATION``, ``KEY_PREFIX``, ``TIMEOUT``)::

    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "threadkit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": "blog",
            "TIMEOUT": 24 * 60 * 60,  # a page of an old version is never asked for again
        },
    }

Correctness never depends on the cache: keys hold the thread's version, read
from the store on every request. A cache that fails (Redis down or slow) is a
miss, logged once a minute, never an error shown to a reader.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches

__all__ = ["DjangoPageCache"]

_log = logging.getLogger(__name__)


class DjangoPageCache:
    """A :class:`threadkit.cache.PageCache` over the Django cache named ``alias``.

    The cache is looked up on every call (``caches[alias]`` is per thread, as
    Django wants for backends that are not thread-safe).
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._last_logged = 0.0

    def get(self, key: str) -> bytes | None:
        """Return the page under ``key``, or ``None`` (missing, expired or the cache failed)."""
        try:
            value = caches[self.alias].get(key)
        except Exception as error:  # any backend's failure: the page is built instead
            self._trouble("get", error)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key`` for the cache's ``TIMEOUT`` (nothing if it fails)."""
        try:
            caches[self.alias].set(key, value)
        except Exception as error:  # any backend's failure: serving goes on uncached
            self._trouble("set", error)

    def _trouble(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged >= 60:
            self._last_logged = now
            _log.warning(
                "page cache: Django cache %r %s failed (%s); serving uncached",
                self.alias,
                what,
                error,
            )
