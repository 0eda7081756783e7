"""The adapter's settings: one dict, ``settings.THREADKIT``, read once per process.

Every key is optional::

    THREADKIT = {
        # Any threadkit.ports.CommentStore: an import path ("module:attribute") of a
        # class or factory called with STORE_ARGS / STORE_KWARGS, or the object itself.
        "STORE": "threadkit_sqlalchemy:SqlCommentStore",
        # Default for the SQL store: DATABASES["default"] as a SQLAlchemy URL.
        "STORE_ARGS": ["sqlite:///comments.db"],
        "STORE_KWARGS": {},
        # "module:callable" taking the store and returning a CommentEngine
        # (default: CommentEngine(store, pipeline=default_pipeline(store))).
        "ENGINE": None,
        # Identity providers besides the Django user (import paths or objects);
        # default: the anonymous name / email / website form.
        "PROVIDERS": ["threadkit.identity:AnonymousProvider"],
        # Who moderates: this permission, or (when True) any staff user.
        "MODERATE_PERMISSION": "threadkit.moderate",
        "STAFF_MODERATE": True,
        # manage.py threadkit migrate: "module:callable" run with the store's URL.
        "MIGRATE": "threadkit_sqlalchemy.migrate:upgrade",
        # manage.py threadkit outbox: "module:callable" returning an OutboxWorker.
        "OUTBOX": None,
        # The cache of encoded public pages: in-process by default; one shared by every
        # worker in the Django cache CACHES[CACHE] (Redis...), or any PageCache object.
        "CACHE": None,
        "PAGE_CACHE": None,
    }

The settings every web adapter shares (``THREADKIT_CSRF_HEADER``,
``THREADKIT_QUEUE_PAGE_SIZE``, ``THREADKIT_THREAD_POLICY``, ``THREADKIT_LOCALE``...)
are top-level Django settings with the same names as Flask's config keys
(:mod:`threadkit_web.settings`).

A wrong value raises :class:`django.core.exceptions.ImproperlyConfigured` naming
the key, so the fix is in the message.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.core.exceptions import ImproperlyConfigured

__all__ = ["SQL_STORE", "Settings", "database_url", "load_object", "read_settings"]

SQL_STORE = "threadkit_sqlalchemy:SqlCommentStore"
"""The default store: threadkit's SQL store, on the project's own database."""

_KNOWN = {
    "STORE",
    "STORE_ARGS",
    "STORE_KWARGS",
    "ENGINE",
    "PROVIDERS",
    "MODERATE_PERMISSION",
    "STAFF_MODERATE",
    "MIGRATE",
    "OUTBOX",
    "CACHE",
    "PAGE_CACHE",
}

# Django's database backends and the SQLAlchemy dialect+driver threadkit's SQL store uses.
_DIALECTS = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql+psycopg",
    "django.db.backends.mysql": "mysql+pymysql",
}


@attrs.frozen
class Settings:
    """The ``THREADKIT`` dict, checked and with its defaults filled in."""

    store: object = SQL_STORE
    store_args: tuple[object, ...] = ()
    store_kwargs: Mapping[str, object] = attrs.field(factory=dict)
    engine: object = None
    providers: tuple[object, ...] = ("threadkit.identity:AnonymousProvider",)
    moderate_permission: str = "threadkit.moderate"
    staff_moderate: bool = True
    migrate: object = "threadkit_sqlalchemy.migrate:upgrade"
    outbox: object = None
    cache: str | None = None
    page_cache: object = None


def database_url(database: Mapping[str, Any]) -> str:
    """Translate one entry of Django's ``DATABASES`` into a SQLAlchemy URL.

    >>> database_url({"ENGINE": "django.db.backends.postgresql", "NAME": "blog",
    ...               "USER": "app", "PASSWORD": "p@ss", "HOST": "db", "PORT": "5432"})
    'postgresql+psycopg://app:p%40ss@db:5432/blog'
    >>> database_url({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/blog.db"})
    'sqlite:////srv/blog.db'
    """
    engine = str(database.get("ENGINE", ""))
    dialect = _DIALECTS.get(engine)
    if dialect is None:
        raise ImproperlyConfigured(
            f"threadkit cannot use DATABASES engine {engine!r}; set THREADKIT['STORE_ARGS'] to "
            "a SQLAlchemy URL (sqlite, postgresql and mysql are translated automatically)"
        )
    name = str(database.get("NAME") or "")
    if dialect == "sqlite":
        return f"sqlite:///{name}" if name and name != ":memory:" else "sqlite://"
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    login = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(database.get("HOST") or "127.0.0.1")
    port = str(database.get("PORT") or "")
    where = f"{host}:{port}" if port else host
    return f"{dialect}://{login}{where}/{quote(name, safe='')}"


def load_object(value: object, key: str) -> object:
    """Import ``"module:attribute"`` (dots after the colon walk attributes); pass objects through.

    ``key`` names the setting, so a wrong path says which one to fix.
    """
    if not isinstance(value, str):
        return value
    module_name, colon, attribute = value.partition(":")
    if not colon or not module_name or not attribute:
        raise ImproperlyConfigured(
            f"THREADKIT[{key!r}] must be 'module:attribute', got {value!r}"
        )
    try:
        target: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise ImproperlyConfigured(
            f"THREADKIT[{key!r}] = {value!r} cannot be imported ({error}); is its package "
            "installed?"
        ) from error
    return target


def _typed(raw: Mapping[str, Any], key: str, kind: Any, default: object) -> Any:
    value = raw.get(key, default)
    if not isinstance(value, kind):
        wanted = getattr(kind, "__name__", kind)
        raise ImproperlyConfigured(
            f"THREADKIT[{key!r}] must be a {wanted}, got {type(value).__name__}"
        )
    return value


def read_settings() -> Settings:
    """Read and check ``settings.THREADKIT`` (missing keys take their defaults)."""
    raw = getattr(django.conf.settings, "THREADKIT", {}) or {}
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured("settings.THREADKIT must be a dict")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ImproperlyConfigured(
            f"unknown THREADKIT key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    defaults = Settings()
    store = raw.get("STORE", SQL_STORE)
    if "STORE_ARGS" in raw:
        args = tuple(_typed(raw, "STORE_ARGS", list | tuple, ()))
    elif store == SQL_STORE:
        args = (database_url(django.conf.settings.DATABASES["default"]),)
    else:
        args = ()
    providers = _typed(raw, "PROVIDERS", list | tuple, defaults.providers)
    return Settings(
        store=store,
        store_args=args,
        store_kwargs=dict(_typed(raw, "STORE_KWARGS", Mapping, {})),
        engine=raw.get("ENGINE"),
        providers=tuple(providers),
        moderate_permission=_typed(
            raw, "MODERATE_PERMISSION", str, defaults.moderate_permission
        ),
        staff_moderate=_typed(raw, "STAFF_MODERATE", bool, defaults.staff_moderate),
        migrate=raw.get("MIGRATE", defaults.migrate),
        outbox=raw.get("OUTBOX"),
        cache=_typed(raw, "CACHE", str | None, None),
        page_cache=raw.get("PAGE_CACHE"),
    )
