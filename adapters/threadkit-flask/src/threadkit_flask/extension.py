"""The Flask extension object: ``ThreadKit(app=None, *, engine=...)`` plus ``init_app``.

It follows Flask's extension contract: all per-app state lives in
``app.extensions["threadkit"]`` (a :class:`~threadkit_flask.state.ThreadKitState`),
the extension object never keeps a reference to an app, and one extension
object can set up several apps, each with its own engine if you like.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from flask import Flask, Response, request, url_for
from threadkit_web import pages
from threadkit_web.state import ModeratorCheck, build_state

from threadkit.cache import PageCache
from threadkit.engine import CommentEngine
from threadkit.moderation import Pipeline
from threadkit.ports import Clock, CommentStore, IdentityProvider

from . import fast_reads, i18n, rendering
from .blueprint import make_blueprint
from .config import DEFAULTS
from .external import external_url_for
from .security import (
    SESSION_INTERFACE_TYPES,
    HardenedSessionInterface,
    add_security_headers,
    check_origin,
)
from .state import EXTENSION_KEY, get_state
from .web import flask_request

__all__ = ["ThreadKit"]


@attrs.frozen
class _Options:
    """What ``ThreadKit(...)`` or ``init_app(...)`` was given; ``None``: not given."""

    engine: CommentEngine | None = None
    store: CommentStore | None = None
    providers: Sequence[IdentityProvider] | None = None
    is_moderator: ModeratorCheck | None = None
    notices: Iterable[tuple[str, str | None]] | None = None
    clock: Clock | None = None
    pipeline: Pipeline | None = None
    page_cache: PageCache | None = None
    locale: i18n.LocaleSetting = None

    def over(self, defaults: _Options) -> _Options:
        """Return these options, each one not given taken from ``defaults``."""
        # Compared with None: an empty cache or provider list is falsy but given.
        return _Options(
            *(
                mine if mine is not None else default
                for mine, default in zip(
                    attrs.astuple(self, recurse=False),
                    attrs.astuple(defaults, recurse=False),
                    strict=True,
                )
            )
        )


class ThreadKit:
    """A comment section for Flask apps.

    Give it a store (it builds an engine with the default moderation
    pipeline around it) or an engine, and a list of identity providers, then
    call ``{{ threadkit.thread("post-42", title=..., url=...) }}`` in any
    template::

        from threadkit.memory import MemoryStore
        from threadkit_flask import ThreadKit

        comments = ThreadKit()

        def create_app():
            app = Flask(__name__)
            app.secret_key = "..."
            app.config["THREADKIT_BASE_URL"] = "https://blog.example.org"
            comments.init_app(app, store=MemoryStore())
            return app

    Arguments given here are defaults for every ``init_app`` call; arguments
    given to ``init_app`` win. ``providers`` defaults to one
    :class:`~threadkit.identity.AnonymousProvider` (name / email / website
    form). ``is_moderator`` receives the logged-in identity (or ``None``) and
    decides who moderates; by default nobody does. ``notices`` are short
    ``(text, link)`` pairs shown under the comment form (for example a spam
    service's privacy notice). ``pipeline`` is the moderation pipeline of an
    engine built around ``store`` (default:
    :func:`threadkit.moderation.default_pipeline`). ``page_cache`` keeps
    encoded public pages of threads (default: an in-process
    :class:`~threadkit.cache.LruPageCache` of 64 MiB; with several workers,
    :class:`~threadkit_flask.redis_cache.RedisPageCache`;
    :class:`~threadkit.cache.NoPageCache` turns it off). ``locale`` is the
    readers' language (see :meth:`init_app` and :mod:`threadkit_flask.i18n`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        engine: CommentEngine | None = None,
        store: CommentStore | None = None,
        providers: Sequence[IdentityProvider] | None = None,
        is_moderator: ModeratorCheck | None = None,
        notices: Iterable[tuple[str, str | None]] = (),
        clock: Clock | None = None,
        pipeline: Pipeline | None = None,
        page_cache: PageCache | None = None,
        locale: i18n.LocaleSetting = None,
    ) -> None:
        # Defaults for every init_app call, in one frozen record (never a reference to an app).
        self._defaults = _Options(
            engine, store, providers, is_moderator, tuple(notices), clock, pipeline, page_cache,
            locale,
        )  # fmt: skip
        if app is not None:
            self.init_app(app)

    def init_app(
        self,
        app: Flask,
        *,
        engine: CommentEngine | None = None,
        store: CommentStore | None = None,
        providers: Sequence[IdentityProvider] | None = None,
        is_moderator: ModeratorCheck | None = None,
        notices: Iterable[tuple[str, str | None]] | None = None,
        clock: Clock | None = None,
        pipeline: Pipeline | None = None,
        page_cache: PageCache | None = None,
        locale: i18n.LocaleSetting = None,
    ) -> None:
        """Set up threadkit on ``app``: routes, template helper, headers.

        ``locale`` is the readers' language: a tag (``"de"``) or a callable
        asked on each request, returning a tag or ``None`` (then the
        ``Accept-Language`` header decides; see :mod:`threadkit_flask.i18n`).

        Given a ``store`` (and no ``engine``), the engine it builds runs
        ``pipeline``, by default :func:`~threadkit.moderation.default_pipeline`
        (size limits, honeypot, flood control, duplicates, link limit).

        Configuration keys (all optional, read once here): every ``THREADKIT_*``
        key, its default and what it does is listed in :mod:`threadkit_web.settings`
        (and in the table of ``docs/flask.md``); ``THREADKIT_LOCALE`` is the
        readers' language when ``locale`` is not given.
        """
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("threadkit is already set up on this app")
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        given = _Options(
            engine, store, providers, is_moderator, notices, clock, pipeline, page_cache, locale
        )
        chosen = given.over(self._defaults)
        state = build_state(
            app.config,
            secret=app.config.get("SECRET_KEY") or app.secret_key,
            fallback_secrets=app.config.get("SECRET_KEY_FALLBACKS") or (),
            engine=chosen.engine,
            store=chosen.store,
            pipeline=chosen.pipeline,
            providers=chosen.providers,
            is_moderator=chosen.is_moderator,
            notices=chosen.notices or (),
            clock=chosen.clock,
            page_cache=chosen.page_cache,
        )
        app.extensions[EXTENSION_KEY] = state
        app.register_blueprint(make_blueprint(), url_prefix=state.settings.url_prefix or None)
        app.context_processor(_template_globals)
        i18n.install(app, chosen.locale)
        if state.settings.harden_session_cookie and type(app.session_interface) in (
            SESSION_INTERFACE_TYPES
        ):
            app.session_interface = HardenedSessionInterface()
        app.after_request(_app_headers)
        app.before_request(_check_api_origin)
        fast_reads.install(app)  # repeated public page reads skip Flask (see fast_reads)

    # -------------------------------------------------------------- helpers

    @staticmethod
    def engine(app: Flask | None = None) -> CommentEngine:
        """Return the engine of ``app`` (default: the current app)."""
        return get_state(app).engine

    @staticmethod
    def moderation_link(comment_id: int, action: str, *, external: bool = True) -> str:
        """Return a signed one-click moderation URL (needs an app / request context).

        ``action`` is ``"approve"``, ``"spam"``, ``"ham"`` or ``"delete"``.
        """
        state = get_state()
        token = pages.moderate_token(state, comment_id, action)
        endpoint = f"{state.blueprint_name}.moderate_link"
        return (
            external_url_for(endpoint, token=token) if external else url_for(endpoint, token=token)
        )

    @staticmethod
    def unsubscribe_link(comment_id: int, *, external: bool = True) -> str:
        """Return a signed unsubscribe URL for reply notifications about one comment.

        Use it both in the email body and in its ``List-Unsubscribe`` header
        (with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``).
        """
        state = get_state()
        token = pages.unsubscribe_token(state, comment_id)
        endpoint = f"{state.blueprint_name}.unsubscribe"
        return (
            external_url_for(endpoint, token=token) if external else url_for(endpoint, token=token)
        )


def _template_globals() -> dict[str, Any]:
    return {"threadkit": rendering.TemplateHelper(get_state())}


def _check_api_origin() -> None:
    """Refuse JSON API calls from pages on origins not on ``THREADKIT_CORS_ORIGINS``."""
    state = get_state()
    settings = state.settings
    if not settings.cors_origins or request.blueprint != state.blueprint_name:
        return
    if not request.path.startswith(settings.url_prefix + "/api/"):
        return
    own = {request.host_url.rstrip("/"), settings.base_url or ""}
    check_origin(settings.cors_origins, own, settings.origin_setting)


def _app_headers(response: Response) -> Response:
    """Security headers for host pages: every one, or those that rendered a thread."""
    state = get_state()
    current = flask_request()  # runs after every host response: no proxy round trips
    if current.blueprint == state.blueprint_name:
        return response  # the blueprint's own hook already added them
    settings = state.settings
    # page_context counts the threads a request renders in this environ key.
    rendered_thread = bool(current.environ.get("threadkit.renders"))
    # A URL under the prefix that matches no route is answered by the app, not the
    # blueprint, but it is still one of threadkit's pages.
    prefix = settings.url_prefix
    path = current.path
    ours = bool(prefix) and (path == prefix or path.startswith(prefix + "/"))
    if (
        ours
        or settings.app_security_headers
        or (settings.embed_security_headers and rendered_thread)
    ):
        add_security_headers(response, settings.csp)
    return response
