"""The page cache the settings ask for: ``THREADKIT["CACHE"]`` or ``THREADKIT["PAGE_CACHE"]``.

- neither: the in-process :class:`threadkit.cache.LruPageCache` (enough for
  one worker process);
- ``CACHE``: the alias of one of Django's ``CACHES`` (Redis, Memcached...),
  shared by every worker and machine configured with it
  (:class:`threadkit_django.django_cache.DjangoPageCache`);
- ``PAGE_CACHE``: any :class:`threadkit.cache.PageCache`, as the object or
  ``"module:attribute"`` (a factory is called with no arguments);
  ``"threadkit.cache:NoPageCache"`` turns caching off.
"""

from __future__ import annotations

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.core.exceptions import ImproperlyConfigured

from threadkit.cache import PageCache

from .conf import Settings, load_object
from .django_cache import DjangoPageCache

__all__ = ["build_page_cache"]


def build_page_cache(settings: Settings) -> PageCache | None:
    """Return the configured page cache, or ``None`` for the default in-process one."""
    if settings.page_cache is not None and settings.cache is not None:
        raise ImproperlyConfigured("set THREADKIT['CACHE'] or THREADKIT['PAGE_CACHE'], not both")
    if settings.cache is not None:
        known = getattr(django.conf.settings, "CACHES", {})
        if settings.cache not in known:
            raise ImproperlyConfigured(
                f"THREADKIT['CACHE'] is {settings.cache!r}, which is not in CACHES "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
        return DjangoPageCache(settings.cache)
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
