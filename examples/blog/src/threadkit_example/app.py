"""The example blog's app factory: Flask + threadkit on SQLite, seeded once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from flask import Flask, Response, abort, render_template
from threadkit_akismet import PRIVACY_LINK_TEXT, PRIVACY_NOTICE, PRIVACY_URL, AkismetStep
from threadkit_flask import ThreadKit, i18n
from threadkit_flask.visitors import current_identity
from threadkit_notify import Links, ModeratorEmailNotifier, ReplyEmailNotifier, SmtpMailer
from threadkit_social import providers_from_config
from threadkit_sqlalchemy import SqlCommentStore

from threadkit import Identity
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.identity import AnonymousProvider
from threadkit.moderation import FloodControl, KeywordList, LinkLimit, Pipeline, default_pipeline
from threadkit.outbox import OutboxWorker
from threadkit.ports import IdentityProvider, ModerationStep, Notifier
from threadkit.signing import TokenSigner

from .demo_login import MODERATOR_KEY, DemoLoginProvider, register_demo_login_views
from .posts import POSTS, find_post
from .seed import seed
from .settings import Settings, load_settings

__all__ = ["create_app"]

SITE_NAME = "Crumb & Spoke"
_FAVICON = Path(__file__).parent / "static" / "favicon.svg"

comments = ThreadKit()


def _providers(settings: Settings) -> list[IdentityProvider]:
    anonymous = AnonymousProvider(
        require_name=True, require_email=False, avatar_secret=settings.secret_key.encode()
    )
    providers: list[IdentityProvider] = [anonymous]
    social = providers_from_config(settings.social_config)
    providers += social
    if not social:
        # No real login configured: offer the clearly labelled local one instead.
        providers.append(DemoLoginProvider(settings.secret_key))
    return providers


def _extra_steps(settings: Settings, store: SqlCommentStore) -> list[ModerationStep]:
    if not settings.akismet_key:
        return []
    options: dict[str, Any] = {}
    if settings.akismet_endpoint:
        options["endpoint"] = settings.akismet_endpoint
    step = AkismetStep(
        settings.akismet_key,
        settings.site_url,
        store=store,
        honeypot_field_name="homepage",
        **options,
    )
    return [step]


def _notifiers(settings: Settings, store: SqlCommentStore) -> list[Notifier]:
    if not settings.smtp_host:
        return []
    security: Literal["starttls", "ssl", "none"] = "none"
    if settings.smtp_security in ("starttls", "ssl"):
        security = "starttls" if settings.smtp_security == "starttls" else "ssl"
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, security=security)
    links = Links(TokenSigner(settings.secret_key), f"{settings.site_url}/comments")
    notifiers: list[Notifier] = [
        ReplyEmailNotifier(mailer, store, links, sender=settings.mail_sender, site_name=SITE_NAME)
    ]
    if settings.moderator_email:
        notifiers.append(
            ModeratorEmailNotifier(
                mailer,
                store,
                links,
                sender=settings.mail_sender,
                moderators=[settings.moderator_email],
                site_name=SITE_NAME,
            )
        )
    return notifiers


def _long_date(value: str) -> str:
    """Write an ISO date like the comments' dates: the long date of the reader's language."""
    # One way to write dates on a page: never "2026-11-02" beside "November 3, 2026".
    return format_date(date.fromisoformat(value), "long", locale=i18n.current_locale())


def _favicon() -> Response:
    """Answer /favicon.ico with the blog's icon."""
    # Browsers ask for it on every page without a <link rel="icon"> (threadkit's own
    # pages too): the icon, not a 404 in the log on each page view.
    response = Response(_FAVICON.read_bytes(), mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


def _is_post(key: str) -> bool:
    return find_post(key) is not None


def _is_moderator(identity: Identity | None) -> bool:
    return identity is not None and identity.key == MODERATOR_KEY


def create_app(
    config: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None
) -> Flask:
    """Build the example blog; ``config`` overrides Flask settings, ``env`` the environment."""
    settings = load_settings(env)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        THREADKIT_APP_SECURITY_HEADERS=True,
        # Login callbacks, feed and email links are built on this, never on the Host header.
        THREADKIT_BASE_URL=settings.site_url,
        # Only the blog's own posts take comments; a post to any other key is a 404.
        THREADKIT_THREAD_POLICY=_is_post,
        # Nobody but the demo moderator's login may post as (or like) "Demo Moderator".
        THREADKIT_RESERVED_NAMES=["Demo Moderator"],
        SESSION_COOKIE_SAMESITE="Lax",
        # Served over https (even behind a TLS proxy that forwards plain http):
        # the session cookie must never travel unencrypted.
        SESSION_COOKIE_SECURE=settings.site_url.startswith("https://"),
    )
    app.config.update(config or {})

    store = SqlCommentStore(
        settings.database_url, upgrade=True, timeout=settings.database_timeout
    )
    pipeline = default_pipeline(
        store,
        flood=FloodControl(
            store,
            per_ip_seconds=settings.flood_seconds,
            per_identity_seconds=settings.flood_seconds,
        ),
        keywords=KeywordList(hold=settings.hold_words, spam=settings.spam_words),
        links=LinkLimit(max_links=settings.max_links),
        extra=_extra_steps(settings, store),
    )
    # Small pages, so the long thread shows paging and "more replies" at work.
    policy = EnginePolicy(top_limit=10, total_limit=100)
    notifiers = _notifiers(settings, store)
    engine = CommentEngine(store, pipeline=pipeline, policy=policy, notifiers=notifiers)
    if notifiers and not app.config.get("TESTING"):
        OutboxWorker(store, notifiers, clock=engine.clock).start()
    # Seeding writes through the same rules, minus the checks meant for strangers.
    seed(CommentEngine(store, pipeline=Pipeline()), long_thread_size=settings.seed_long_thread)

    providers = _providers(settings)
    notices: list[tuple[str, str | None]] = []
    if settings.akismet_key:
        notices.append((f"{PRIVACY_NOTICE} {PRIVACY_LINK_TEXT}", PRIVACY_URL))
    else:
        notices.append(
            ("Comments are checked for spam; some wait for a moderator before they appear.", None)
        )
    comments.init_app(
        app, engine=engine, providers=providers, is_moderator=_is_moderator, notices=notices
    )
    for provider in providers:
        if isinstance(provider, DemoLoginProvider):
            register_demo_login_views(app, provider)

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site_name": SITE_NAME, "is_moderator": _is_moderator(current_identity())}

    app.add_template_filter(_long_date, "long_date")
    app.add_url_rule("/favicon.ico", "favicon", _favicon)

    @app.get("/")
    def index() -> str:
        return render_template("index.html", posts=POSTS)

    @app.get("/posts/<slug>")
    def show_post(slug: str) -> str:
        post = find_post(slug)
        if post is None:
            abort(404)
        return render_template("post.html", post=post)

    app.extensions["threadkit_example"] = {"store": store, "settings": settings}
    return app
