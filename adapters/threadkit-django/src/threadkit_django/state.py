"""The adapter's per-process state: the engine, providers and signer built from settings.

Built on first use from ``settings.THREADKIT`` (:mod:`threadkit_django.conf`)
and rebuilt when a test changes that setting (``override_settings``), so
nothing is built at import time and a misconfiguration shows on the first
request or management command, with the key to fix.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, reverse

from threadkit.clock import SystemClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.models import Identity
from threadkit.moderation import default_pipeline
from threadkit.ports import (
    Clock,
    CommentStore,
    FormIdentityProvider,
    IdentityProvider,
    RedirectIdentityProvider,
    SessionIdentityProvider,
)
from threadkit.signing import TokenSigner

from .conf import Settings, load_object, read_settings
from .identity import DjangoUserProvider

__all__ = ["URL_NAMESPACE", "DjangoState", "get_state", "reset_state"]

URL_NAMESPACE = "threadkit"
"""The namespace of the adapter's URLs (``reverse("threadkit:queue")``)."""


class DjangoState:
    """Everything the views and the template tag need, shared by every request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = _build_store(settings)
        self.engine = _build_engine(settings, self.store)
        self.clock: Clock = getattr(self.engine, "clock", None) or SystemClock()
        self.users = DjangoUserProvider()
        providers: dict[str, IdentityProvider] = {self.users.name: self.users}
        for entry in settings.providers:
            provider: Any = load_object(entry, "PROVIDERS")
            if isinstance(provider, type):
                provider = provider()
            name = getattr(provider, "name", None)
            if not isinstance(name, str) or getattr(provider, "kind", None) not in (
                "form",
                "session",
                "redirect",
            ):
                raise ImproperlyConfigured(
                    f"THREADKIT['PROVIDERS'] entry {entry!r} is not an identity provider "
                    "(it needs a name and a kind: form, session or redirect)"
                )
            providers[name] = provider
        self.providers: Mapping[str, IdentityProvider] = providers
        self.signer = TokenSigner(django_settings.SECRET_KEY)
        self.notices: tuple[tuple[str, str | None], ...] = ()
        self._prefix: str | None = None

    @property
    def policy(self) -> EnginePolicy:
        """The engine's rules (edit window, depth limit)."""
        return self.engine.policy

    @property
    def url_prefix(self) -> str:
        """Where the project included ``threadkit_django.urls`` (``""`` at the root)."""
        if self._prefix is None:
            try:
                self._prefix = reverse(f"{URL_NAMESPACE}:api_counts").removesuffix("/api/counts")
            except NoReverseMatch:
                raise ImproperlyConfigured(
                    "threadkit's URLs are not included: add "
                    'path("comments/", include("threadkit_django.urls")) to your urlpatterns'
                ) from None
        return self._prefix

    def is_moderator(self, identity: Identity | None) -> bool:
        """Whether ``identity`` (a comment's author) is a Django user who moderates."""
        if identity is None:
            return False
        return self.users.moderates(
            identity, self.settings.moderate_permission, staff=self.settings.staff_moderate
        )

    def form_providers(self) -> list[FormIdentityProvider]:
        """Return providers that identify readers from form fields (name / email / website)."""
        return [p for p in self.providers.values() if p.kind == "form"]

    def session_providers(self) -> list[SessionIdentityProvider]:
        """Return providers backed by the host application's own login."""
        return [p for p in self.providers.values() if p.kind == "session"]

    def redirect_providers(self) -> list[RedirectIdentityProvider]:
        """Return providers that log readers in elsewhere (none are routed by this adapter)."""
        return [p for p in self.providers.values() if p.kind == "redirect"]


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
    """Forget the state, so the next request builds it from the settings again."""
    global _state
    with _lock:
        _state = None


def _on_setting_changed(*, setting: str, **_: object) -> None:
    if setting in ("THREADKIT", "SECRET_KEY", "DATABASES"):
        reset_state()


setting_changed.connect(_on_setting_changed)
