"""The Redis page cache, under the import path it had before it moved to ``threadkit_web``.

:class:`~threadkit_web.redis_cache.RedisPageCache` serves every adapter; import
it from :mod:`threadkit_web.redis_cache` in new code.
"""

from __future__ import annotations

from threadkit_web.redis_cache import DEFAULT_TTL_SECONDS, RedisPageCache

__all__ = ["DEFAULT_TTL_SECONDS", "RedisPageCache"]
