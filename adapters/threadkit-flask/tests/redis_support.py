"""A real Redis for the page cache's tests: skipped when unreachable, failed under ``CI=true``.

The server comes from ``THREADKIT_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/0``). Each cache gets a random key prefix and its keys
are deleted afterwards, so tests never see each other's pages (nor a site's).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from threadkit_flask.redis_cache import RedisPageCache

from threadkit.testing.servers import require

REDIS_URL = os.environ.get("THREADKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unreachable(error: Exception) -> str:
    return (
        f"Redis not reachable at {REDIS_URL} ({type(error).__name__}: {error}); start one"
        " (docs/flask.md, 'Caching') or set THREADKIT_TEST_REDIS_URL"
    )


@contextmanager
def redis_page_cache(**options: int) -> Iterator[RedisPageCache]:
    """Yield a RedisPageCache on the test server under a fresh prefix; delete its keys after."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    require(client.ping, redis.RedisError, _unreachable, cleanup=client.close)
    prefix = f"tk-test-{secrets.token_hex(6)}:"
    try:
        yield RedisPageCache(client, prefix=prefix, **options)
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
        client.close()
