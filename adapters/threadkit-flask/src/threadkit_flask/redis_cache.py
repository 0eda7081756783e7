"""A page cache in Redis, shared by every worker and machine of a site.

With one worker, the default in-process :class:`threadkit.cache.LruPageCache`
is enough. With several gunicorn workers or machines, each would encode every
page once for itself; :class:`RedisPageCache` lets them share one copy::

    from threadkit_flask import ThreadKit
    from threadkit_flask.redis_cache import RedisPageCache

    comments = ThreadKit(store=store, page_cache=RedisPageCache.from_url(
        "redis://127.0.0.1:6379/0", prefix="blog:"
    ))

Install the client with ``pip install "threadkit-flask[redis]"``. Correctness
never depends on the cache: the key holds the thread's version, which every
worker reads from the store on each request, so a write is seen by every worker
at once. Entries expire after ``ttl_seconds`` (a page of an old version is
never asked for again); Redis's own ``maxmemory`` policy may drop them sooner.
If Redis is down or slow, a read builds the page itself (a miss) and the error
is logged once a minute, never shown to the reader.

Start a server on a development machine with ``docker run -p
127.0.0.1:6379:6379 redis:7`` or the distribution's package (``apt install
redis-server``); see ``docs/flask.md``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

__all__ = ["RedisPageCache"]

_log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 24 * 60 * 60
"""How long a cached page lives in Redis by default: one day."""


class RedisPageCache:
    """A :class:`threadkit.cache.PageCache` in Redis: ``GET`` and ``SET ... EX``.

    ``client`` is a ``redis.Redis`` (bytes responses: do not set
    ``decode_responses``). ``prefix`` keeps several sites (or stores) apart
    on one server: give each its own. A Redis error answers ``get`` with a
    miss and makes ``set`` do nothing.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "threadkit:",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> None:
        if ttl_seconds < 1:
            raise ValueError(f"ttl_seconds must be at least 1, not {ttl_seconds}")
        self._client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._last_logged = 0.0

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "threadkit:",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        timeout_seconds: float = 0.25,
    ) -> RedisPageCache:
        """Connect to ``url`` (``redis://host:port/db``); short timeouts: slow is a miss."""
        client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        return cls(client, prefix=prefix, ttl_seconds=ttl_seconds)

    def get(self, key: str) -> bytes | None:
        """Return the page under ``key``, or ``None`` (missing, expired, or Redis unreachable)."""
        try:
            value: Any = self._client.get(self.prefix + key)
        except redis.RedisError as error:
            self._trouble("get", error)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key`` for ``ttl_seconds`` (nothing happens if Redis fails)."""
        try:
            self._client.set(self.prefix + key, value, ex=self.ttl_seconds)
        except redis.RedisError as error:
            self._trouble("set", error)

    def _trouble(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged >= 60:
            self._last_logged = now
            _log.warning("page cache: Redis %s failed (%s); serving uncached", what, error)
