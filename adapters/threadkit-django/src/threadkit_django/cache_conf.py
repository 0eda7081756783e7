"""The page cache the settings ask for: ``THREADKIT["PAGE_CACHE"]`` or ``THREADKIT["REDIS_URL"]``.

- neither: the in-process :class:`threadkit.cache.LruPageCache` (enough for
  one worker process);
- ``REDIS_URL`` (``"redis://127.0.0.1:6379/0"``): one
  :class:`threadkit_web.redis_cache.RedisPageCache` shared by every worker and
  machine, its keys under ``REDIS_PREFIX`` (default ``threadkit:`` plus a
  digest of the store's arguments, so two sites on one Redis never share pages);
- ``PAGE_CACHE``: any :class:`threadkit.cache.PageCache`, as the object or
  ``"module:attribute"`` (a factory is called with no arguments);
  ``"threadkit.cache:NoPageCache"`` turns caching off.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ImproperlyConfigured

from threadkit.cache import PageCache

from .conf import Settings, load_object

__all__ = ["build_page_cache"]


def _default_prefix(settings: Settings) -> str:
    digest = hashlib.blake2b(repr(settings.store_args).encode("utf-8"), digest_size=5)
    return f"threadkit:{digest.hexdigest()}:"


def build_page_cache(settings: Settings) -> PageCache | None:
    """Return the configured page cache, or ``None`` for the default in-process one."""
    if settings.page_cache is not None and settings.redis_url is not None:
        raise ImproperlyConfigured(
            "set THREADKIT['PAGE_CACHE'] or THREADKIT['REDIS_URL'], not both"
        )
    if settings.redis_url is not None:
        try:
            from threadkit_web.redis_cache import RedisPageCache
        except ImportError as error:  # the redis client is an optional dependency
            raise ImproperlyConfigured(
                "THREADKIT['REDIS_URL'] needs the redis client: pip install "
                f'"threadkit-django[redis]" ({error})'
            ) from error
        prefix = settings.redis_prefix or _default_prefix(settings)
        return RedisPageCache.from_url(settings.redis_url, prefix=prefix)
    if settings.page_cache is None:
        return None
    found = load_object(settings.page_cache, "PAGE_CACHE")
    if isinstance(found, type) or (callable(found) and not hasattr(found, "get")):
        found = found()
    if not isinstance(found, PageCache):
        raise ImproperlyConfigured(
            f"THREADKIT['PAGE_CACHE'] gave {type(found).__name__}, which is not a "
            "threadkit.cache.PageCache (it needs get(key) and set(key, value))"
        )
    return found
