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

        Configuration keys (all optional, read once here):

        ``THREADKIT_URL_PREFIX`` (``"/comments"``)
            Where every route lives; the JSON API is under ``<prefix>/api``.
        ``THREADKIT_MAX_BODY_BYTES`` (``None``: derived)
            Largest request body any threadkit route reads; bigger gets 413,
            chunked or not. By default ``threadkit.limits.request_cap`` of the
            engine's ``max_body_bytes``: room for any comment within the limit.
        ``THREADKIT_CSRF_HEADER`` (``"X-Threadkit-CSRF"``)
            Header that JSON writes carry the CSRF token in.
        ``THREADKIT_CORS_ORIGINS`` (empty)
            Origins (``"https://example.org"``) allowed to call the JSON API
            from the browser; empty turns CORS off. When set, an API request
            from a page on any other origin (but the app's own) gets 403
            ``origin_not_allowed``, and these origins may ask
            ``POST <prefix>/api/session`` for bearer tokens.
        ``THREADKIT_ORIGIN_SETTING`` (``"THREADKIT_CORS_ORIGINS"``)
            The setting that 403 tells the site owner to change.
        ``THREADKIT_TOKEN_TTL`` (30 days)
            How long a bearer token lives (timedelta or seconds).
        ``THREADKIT_CSP`` (:data:`~threadkit_flask.config.DEFAULT_CSP`)
            Content-Security-Policy of threadkit's own responses (``""``: none).
        ``THREADKIT_EMBED_SECURITY_HEADERS`` (True)
            Also send that CSP and ``X-Content-Type-Options: nosniff`` with
            every host page that renders a thread and has none of its own.
        ``THREADKIT_APP_SECURITY_HEADERS`` (False)
            Send them with every response of the app that has none.
        ``THREADKIT_HARDEN_SESSION_COOKIE`` (True)
            With Flask's default session, make the cookie ``SameSite=Lax``
            when ``SESSION_COOKIE_SAMESITE`` is unset and ``Secure`` when the
            request came over https.
        ``THREADKIT_SECRET_KEY`` (the app's ``SECRET_KEY``)
            Signs moderation and unsubscribe links.
        ``THREADKIT_MODERATE_LINK_TTL`` (7 days) / ``THREADKIT_UNSUBSCRIBE_LINK_TTL`` (365 days)
            How long emailed links stay valid (timedelta or seconds).
        ``THREADKIT_FEED_LIMIT`` (50) / ``THREADKIT_QUEUE_PAGE_SIZE`` (50)
            Entries per Atom feed and per moderation queue page.
        ``THREADKIT_INCLUDE_ASSETS`` (True)
            ``threadkit.thread()`` includes the stylesheet and script tags;
            set False and call ``threadkit.assets()`` in your ``<head>``.
        ``THREADKIT_BASE_URL`` (None: ``SERVER_NAME``)
            The site's origin (``"https://blog.example.org"``) that login
            callbacks, feed links and emailed links are built on; never
            taken from the request's ``Host`` header.
        ``THREADKIT_THREAD_POLICY`` (``"rendered"``)
            Which threads take comments: ``"rendered"`` (existing ones, or
            one a page rendered), ``"existing"``, ``"any"`` or a callable
            ``key -> bool``. See :mod:`threadkit_web.thread_policy`.
        ``THREADKIT_ALLOW_EMPTY_PIPELINE`` (False)
            Run an engine whose moderation pipeline has no steps.
        ``THREADKIT_RESERVED_NAMES`` (empty)
            Names (``["Demo Moderator", "Admin"]``) that an unverified
            commenter may not post under, nor anything that reads like them;
            given to the pipeline's ``ImpersonationGuard``.
        ``THREADKIT_LOCALE`` (None)
            The readers' language when ``locale`` is not given: a tag or a
            callable, as ``locale``. Unset: ``Accept-Language``, else English.
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
        token = state.signer.dumps(
            "moderate",
            {"comment_id": comment_id, "action": action},
            now=state.clock.now(),
            ttl=state.settings.moderate_link_ttl,
        )
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
        token = state.signer.dumps(
            "unsubscribe",
            {"comment_id": comment_id},
            now=state.clock.now(),
            ttl=state.settings.unsubscribe_link_ttl,
        )
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
    if request.blueprint == state.blueprint_name:
        return response  # the blueprint's own hook already added them
    settings = state.settings
    # page_context counts the threads a request renders in this environ key.
    rendered_thread = bool(request.environ.get("threadkit.renders"))
    # A URL under the prefix that matches no route is answered by the app, not the
    # blueprint, but it is still one of threadkit's pages.
    prefix = settings.url_prefix
    ours = bool(prefix) and (request.path == prefix or request.path.startswith(prefix + "/"))
    if (
        ours
        or settings.app_security_headers
        or (settings.embed_security_headers and rendered_thread)
    ):
        add_security_headers(response, settings.csp)
    return response
