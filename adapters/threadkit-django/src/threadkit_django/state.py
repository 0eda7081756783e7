"""The adapter's per-process state: the shared ``WebState`` built from Django's settings.

Built on first use (never at import time) from ``settings.THREADKIT`` (the
store, engine and providers, :mod:`threadkit_django.conf`) and the shared
``THREADKIT_*`` settings every web adapter reads (:mod:`threadkit_web.settings`),
with :func:`threadkit_web.state.build_state`, so the same checks apply as in
Flask. Rebuilt when a test changes those settings (``override_settings``); a
misconfiguration shows on the first request or command, naming what to fix.
"""

from __future__ import annotations

import threading
from typing import Any

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, reverse
from threadkit_web.state import WebState, build_state

from threadkit.engine import CommentEngine
from threadkit.models import Identity
from threadkit.moderation import default_pipeline
from threadkit.ports import CommentStore, IdentityProvider

from .cache_conf import build_page_cache
from .conf import Settings, load_object, read_settings
from .identity import DjangoUserProvider

__all__ = ["URL_NAMESPACE", "DjangoState", "get_state", "reset_state"]

URL_NAMESPACE = "threadkit"
"""The namespace of the adapter's URLs (``reverse("threadkit:queue")``)."""


class DjangoState:
    """The shared :class:`WebState` (``web``) plus what only Django needs (``settings``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.users = DjangoUserProvider()
        store = _build_store(settings)
        self.store = store
        self.web: WebState = build_state(
            _web_config(),
            secret=django.conf.settings.SECRET_KEY,
            engine=_build_engine(settings, store),
            providers=[self.users, *_providers(settings)],
            is_moderator=self.is_moderator,
            page_cache=build_page_cache(settings),
        )

    @property
    def engine(self) -> CommentEngine:
        """The comment engine."""
        return self.web.engine

    def close(self) -> None:
        """Close the store this state built from the settings (its connection pool)."""
        close = getattr(self.store, "close", None)
        if callable(close):
            close()

    def is_moderator(self, identity: Identity | None) -> bool:
        """Whether ``identity`` (a reader or a comment's author) is a Django user who moderates."""
        if identity is None:
            return False
        return self.users.moderates(
            identity, self.settings.moderate_permission, staff=self.settings.staff_moderate
        )


def _web_config() -> dict[str, Any]:
    """Return the ``THREADKIT_*`` settings, with the prefix the project included the URLs at."""
    settings = django.conf.settings
    config = {name: getattr(settings, name) for name in dir(settings) if name[:10] == "THREADKIT_"}
    try:
        prefix = reverse(f"{URL_NAMESPACE}:api_counts").removesuffix("/api/counts")
    except NoReverseMatch:
        raise ImproperlyConfigured(
            "threadkit's URLs are not included: add "
            'path("comments/", include("threadkit_django.urls")) to your urlpatterns'
        ) from None
    config["THREADKIT_URL_PREFIX"] = prefix
    return config


def _providers(settings: Settings) -> list[IdentityProvider]:
    found: list[IdentityProvider] = []
    for entry in settings.providers:
        provider: Any = load_object(entry, "PROVIDERS")
        if isinstance(provider, type):
            provider = provider()
        kind = getattr(provider, "kind", None)
        if not isinstance(getattr(provider, "name", None), str) or kind not in (
            "form",
            "session",
            "redirect",
        ):
            raise ImproperlyConfigured(
                f"THREADKIT['PROVIDERS'] entry {entry!r} is not an identity provider "
                "(it needs a name and a kind: form, session or redirect)"
            )
        found.append(provider)
    return found


def _build_store(settings: Settings) -> CommentStore:
    factory = load_object(settings.store, "STORE")
    store: Any = factory
    if callable(factory):
        store = factory(*settings.store_args, **dict(settings.store_kwargs))
    if not all(hasattr(store, name) for name in ("add_comment", "get_comment", "page")):
        raise ImproperlyConfigured(
            f"THREADKIT['STORE'] gave {type(store).__name__}, which is not a "
            "threadkit.ports.CommentStore"
        )
    return store  # type: ignore[no-any-return]


def _build_engine(settings: Settings, store: CommentStore) -> CommentEngine:
    if settings.engine is None:
        return CommentEngine(store, pipeline=default_pipeline(store))
    factory = load_object(settings.engine, "ENGINE")
    engine = factory(store) if callable(factory) else factory
    if not isinstance(engine, CommentEngine):
        raise ImproperlyConfigured(
            f"THREADKIT['ENGINE'] gave {type(engine).__name__}, not a threadkit CommentEngine"
        )
    return engine


_lock = threading.Lock()
_state: DjangoState | None = None


def get_state() -> DjangoState:
    """Return the state, building it from the settings on first use."""
    global _state
    current = _state
    if current is not None:
        return current
    with _lock:
        if _state is None:
            _state = DjangoState(read_settings())
        return _state


def reset_state() -> None:
    """Forget the state, so the next request builds it from the settings again.

    The store the old state built is closed: settings that change (tests, a reload)
    would otherwise leave its database connections open until garbage collection.
    """
    global _state
    with _lock:
        old, _state = _state, None
    if old is not None:
        old.close()


def _on_setting_changed(*, setting: str, **_: object) -> None:
    if setting.startswith("THREADKIT") or setting in ("SECRET_KEY", "DATABASES", "ROOT_URLCONF"):
        reset_state()


setting_changed.connect(_on_setting_changed)
