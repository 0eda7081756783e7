"""The per-app state kept in ``app.extensions["threadkit"]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

import attrs
from flask import Flask, current_app

from threadkit.cache import LruPageCache, PageCache
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.models import Identity
from threadkit.ports import (
    Clock,
    FormIdentityProvider,
    IdentityProvider,
    RedirectIdentityProvider,
    SessionIdentityProvider,
)
from threadkit.signing import TokenSigner

from .config import Settings
from .sealing import Sealer

__all__ = ["EXTENSION_KEY", "ModeratorCheck", "ThreadKitState", "get_state"]

EXTENSION_KEY = "threadkit"
"""The key of this extension in ``app.extensions``."""

ModeratorCheck = Callable[[Identity | None], bool]
"""The host's rule for who moderates: called with the reader's identity (or ``None``)."""


@attrs.frozen
class ThreadKitState:
    """Everything the routes of one app need: engine, settings, providers, signer, sealer.

    ``signer`` signs tokens (emailed links, thread metadata); ``sealer``
    encrypts the personal data kept in the session; ``page_cache`` keeps the
    encoded public pages of threads (:mod:`threadkit_flask.page_cache`).
    """

    engine: CommentEngine
    settings: Settings
    providers: Mapping[str, IdentityProvider]
    is_moderator: ModeratorCheck
    signer: TokenSigner
    sealer: Sealer
    clock: Clock
    notices: tuple[tuple[str, str | None], ...] = ()
    blueprint_name: str = "threadkit"
    page_cache: PageCache = attrs.field(factory=LruPageCache)

    @property
    def policy(self) -> EnginePolicy:
        """The engine's rules (edit window, depth limit), or the defaults."""
        policy = getattr(self.engine, "policy", None)
        return policy if isinstance(policy, EnginePolicy) else EnginePolicy()

    def form_providers(self) -> list[FormIdentityProvider]:
        """Return providers that identify readers from form fields (name / email / website)."""
        return [p for p in self.providers.values() if p.kind == "form"]

    def session_providers(self) -> list[SessionIdentityProvider]:
        """Return providers backed by the host application's own login."""
        return [p for p in self.providers.values() if p.kind == "session"]

    def redirect_providers(self) -> list[RedirectIdentityProvider]:
        """Return providers that log readers in elsewhere (OAuth 2 / OpenID Connect)."""
        return [p for p in self.providers.values() if p.kind == "redirect"]


def get_state(app: Flask | None = None) -> ThreadKitState:
    """Return the threadkit state of ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    try:
        state = target.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "threadkit is not set up on this app; call ThreadKit(app) or ext.init_app(app)"
        ) from None
    return cast(ThreadKitState, state)
