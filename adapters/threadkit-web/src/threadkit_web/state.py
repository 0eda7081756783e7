"""What every route of one site needs: engine, settings, providers, signer, sealer, caches.

A web adapter builds one :class:`WebState` per app or project with
:func:`build_state` (Flask keeps it in ``app.extensions["threadkit"]``) and
hands it to the shared code. Building it checks what a site owner could get
wrong (no secret, an empty moderation pipeline, two providers of one name)
and says what to fix.

>>> from threadkit.memory import MemoryStore
>>> state = build_state({}, store=MemoryStore(), secret="change me")
>>> sorted(state.providers), state.settings.url_prefix
(['anonymous'], '/comments')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from threadkit.cache import LruPageCache, PageCache
from threadkit.clock import SystemClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.identity import AnonymousProvider
from threadkit.models import Identity
from threadkit.moderation import Pipeline, default_pipeline
from threadkit.ports import (
    Clock,
    CommentStore,
    FormIdentityProvider,
    IdentityProvider,
    RedirectIdentityProvider,
    SessionIdentityProvider,
)
from threadkit.signing import TokenSigner

from .names import reserve_names
from .sealing import Sealer
from .settings import Settings, read_settings

__all__ = ["ModeratorCheck", "WebState", "build_state"]

ModeratorCheck = Callable[[Identity | None], bool]
"""The host's rule for who moderates: called with the reader's identity (or ``None``)."""


@attrs.frozen
class WebState:
    """Everything the routes of one site need: engine, settings, providers, signer, sealer.

    ``signer`` signs tokens (emailed links, thread metadata); ``sealer``
    encrypts the personal data kept in the session; ``page_cache`` keeps the
    encoded public pages of threads; ``blueprint_name`` is the namespace of
    threadkit's route names (Flask's blueprint, Django's URL namespace).
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


def _nobody_moderates(identity: object) -> bool:
    return False


def build_state(
    config: Mapping[str, Any],
    *,
    secret: str | bytes | None,
    fallback_secrets: Iterable[str | bytes] = (),
    engine: CommentEngine | None = None,
    store: CommentStore | None = None,
    pipeline: Pipeline | None = None,
    providers: Sequence[IdentityProvider] | None = None,
    is_moderator: ModeratorCheck | None = None,
    notices: Iterable[tuple[str, str | None]] = (),
    clock: Clock | None = None,
    page_cache: PageCache | None = None,
) -> WebState:
    """Check the site's configuration and build its :class:`WebState`.

    ``config`` holds the ``THREADKIT_*`` settings; ``secret`` (the framework's
    secret key, unless ``THREADKIT_SECRET_KEY`` is set) signs and seals.
    Given a ``store`` (and no ``engine``), the engine runs ``pipeline``, by
    default :func:`~threadkit.moderation.default_pipeline`. ``providers``
    defaults to one anonymous name / email / website form; by default nobody
    moderates.
    """
    settings = read_settings(config)
    if engine is None:
        if store is None:
            raise TypeError("threadkit needs an engine (or a store to build one around)")
        chosen = pipeline if pipeline is not None else default_pipeline(store)
        engine = CommentEngine(store, pipeline=chosen)
    _check_pipeline(engine, settings)
    reserve_names(engine, settings.reserved_names)
    key = settings.secret_key or secret
    if not key:
        raise RuntimeError(
            "threadkit needs a secret key (the app's SECRET_KEY, or THREADKIT_SECRET_KEY): it "
            "signs the session that remembers commenters and the links sent by email"
        )
    return WebState(
        engine=engine,
        settings=settings,
        providers=_by_name(providers if providers is not None else [AnonymousProvider()]),
        is_moderator=is_moderator or _nobody_moderates,
        signer=TokenSigner(key),
        sealer=Sealer(key, fallback_secrets),
        clock=clock or getattr(engine, "clock", None) or SystemClock(),
        notices=tuple(notices),
        # Compared with None: an empty cache is falsy (it has a length).
        page_cache=page_cache if page_cache is not None else LruPageCache(),
    )


def _by_name(providers: Sequence[IdentityProvider]) -> dict[str, IdentityProvider]:
    by_name: dict[str, IdentityProvider] = {}
    for provider in providers:
        if provider.kind not in ("form", "session", "redirect"):
            raise TypeError(f"provider {provider!r} has unknown kind {provider.kind!r}")
        if provider.name in by_name:
            raise ValueError(f"two identity providers are named {provider.name!r}")
        by_name[provider.name] = provider
    return by_name


def _check_pipeline(engine: CommentEngine, settings: Settings) -> None:
    pipeline = getattr(engine, "pipeline", None)
    if settings.allow_empty_pipeline or getattr(pipeline, "steps", True):
        return
    raise RuntimeError(
        "the engine given to threadkit has no moderation steps, so nothing would stop "
        "floods, duplicates or spam: build it with pipeline=default_pipeline(store) "
        "(threadkit.moderation), pass store= instead of engine=, or set "
        "THREADKIT_ALLOW_EMPTY_PIPELINE = True to run without moderation on purpose"
    )
